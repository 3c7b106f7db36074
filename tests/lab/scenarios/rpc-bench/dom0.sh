# rpc-bench: libccrpc against ONC RPC (rpcgen + libtirpc, TCP, fixed port, no rpcbind)
# over netfront/netback and over the colorcom NIC, same boot, same two guests (a
# serves, b calls).  Figures are `result` lines; bench/rpc/report turns them into
# bench/results/rpc.json.  Run by name (make bench), not in make test.
ST=/lab/scenario/stage
check colorcomd-starts cc_daemon
# The broker is colorcomd's (back/rpc.c running back/rpcbroker.c).
lab_pair_both_paths 00:16:3e:cc:02:0a 00:16:3e:cc:02:0b
for n in a b; do
	check modules-$n g $n "insmod $ST/xen-evtchn.ko; insmod $ST/xen-gntdev.ko; insmod $ST/xen-gntalloc.ko limit=65536"
done
ONC="LD_LIBRARY_PATH=$ST/lib $ST/onc-bench"
G_TIMEOUT=600

# emit PREFIX < "key value" lines: one result each, and the raw output in the log.
emit() {
	local k v n=0
	while read -r k v; do
		case "$k" in *_us|*_per_s) result "$1_$k" "$v"; n=$((n + 1)) ;; esac
	done
	[ "$n" -ge 10 ]
}
bench_one() {	# CHECK PREFIX GUEST CMD
	local out rc
	out=$(g "$3" "$4" 2>&1)
	rc=$?
	echo "$out" >"$LAB_LOGDIR/$2.log"
	# Both programs check every answer against a local computation and exit non-zero
	# on a wrong one.
	if [ "$rc" = 0 ] && echo "$out" | emit "$2"; then pass "$1"; else fail "$1" "rc $rc: $(echo "$out" | tail -n1)"; fi
}

g a "$ST/ccrpc-test serve rpctest >/tmp/srv.log 2>&1 & echo \$! >/tmp/srv.pid"
check ccrpc-server-up wait_until 30 eval "[ \"\$(xenstore-read /local/domain/$(domid a)/data/ccrpc/service/rpctest/state)\" = ready ]"
bench_one ccrpc-bench-sleep ccrpc_sleep b "$ST/ccrpc-test bench a rpctest 0"
# Bounded spin on both sides (200 ms), the lowest-latency mode.
g a 'kill $(cat /tmp/srv.pid)'
sleep 1
g a "$ST/ccrpc-test serve rpctest '*' 200000 >/tmp/srv2.log 2>&1 &"
sleep 2
bench_one ccrpc-bench-spin ccrpc_spin b "$ST/ccrpc-test bench a rpctest 200000"

# libtirpc finds "tcp" in /etc/netconfig (libtirpc-common), absent from the guests.
for n in a b; do g $n "cp $ST/netconfig /etc/netconfig"; done
g a "$ONC serve 7777 >/tmp/onc.log 2>&1 &"
sleep 2
bench_one onc-bench-netback onc_netback b "$ONC bench 10.0.0.1 7777"
bench_one onc-bench-colorcom onc_colorcom b "$ONC bench 10.1.0.1 7777"
g a "cat /tmp/onc.log" >"$LAB_LOGDIR/onc-server.log" 2>&1
