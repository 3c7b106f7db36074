# profile: where the time goes on each path (docs/performance.md "Where the time goes").
# Two guests, each with a vif on br0 (netback, 10.0.0.0/24) and a colorcom NIC on "blue"
# (10.1.0.0/24), as in bench.  Two experiments, figures only (no target is checked):
#  1. busy polling: request/response (ccxfer rr) on both paths with the guests'
#     net.core.busy_read at 0, 50 and 1000 us.  colorcom's receive is NAPI and GRO
#     (napi_gro_receive marks the skb's napi_id), so a blocking read may spin on the
#     link's NAPI instead of sleeping for the event channel's interrupt.
#  2. cpu-clock profiles (perf record -a -g in both guests and dom0) of a TCP stream
#     and of rr on each path, reported with inclusive (--children) percentages: the
#     guests are PV, so idle (the block hypercall), event-channel sends and grant
#     operations all end in xen_hypercall_pv, and only the callers tell them apart.
#     perf comes from the build host: bench/stage-perf copies it into this folder
#     (not committed); without it this part is skipped.
REPS=3 T=4
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
check colorcomd-starts cc_daemon
lab_pair_both_paths $MA $MB
check netback-ping g a 'ping -c 3 -W 10 10.0.0.2'
check colorcom-ping g a 'ping -c 3 -W 10 10.1.0.2'
ip_of() { if [ "$1" = netback ]; then echo 10.0.0.2; else echo 10.1.0.2; fi; }
# TcpExt BusyPollRxPackets of a and b summed: did a read really poll a NAPI instance?
bpoll() {
	local x y
	x=$(g a "$BP") y=$(g b "$BP")
	echo $((${x:-0} + ${y:-0}))
}
BP="awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if (\$i == \"BusyPollRxPackets\") c = i; h = 1 } else print \$c + 0 }' /proc/net/netstat"
busy() { for n in a b; do g $n "echo $1 >/proc/sys/net/core/busy_read" >/dev/null; done; }

# 1. Busy polling.  An accepted socket inherits busy_read from its listener, so each
# setting gets its own rr server, started after the sysctl.
busy 0
g b 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
busy 50
g b '(ccxfer rr-server 5302 >/dev/null 2>&1 &)' >/dev/null
busy 1000
g b '(ccxfer rr-server 5303 >/dev/null 2>&1 &)' >/dev/null
g a "ccxfer rr 10.0.0.2 5301 1; ccxfer rr 10.1.0.2 5301 1" >/dev/null 2>&1	# warm-up
for r in $(seq 1 $REPS); do
	for bu in 0 50 1000; do
		busy $bu
		case $bu in 0) port=5301 ;; 50) port=5302 ;; *) port=5303 ;; esac
		for p in netback colorcom; do
			b0=$(bpoll)
			v=$(g a "ccxfer rr $(ip_of $p) $port $T")
			b1=$(bpoll)
			set -- $v
			result "rr_${p}_busy${bu}_tps_rep$r" "${2:-0}"
			result "rr_${p}_busy${bu}_p50_us_rep$r" "${6:-0}"
			result "rr_${p}_busy${bu}_busypoll_rx_rep$r" "$((b1 - b0))"
			log "rep $r busy_read=$bu $p: $v, BusyPollRxPackets +$((b1 - b0))"
			eval "last_${p}_$bu=\${2%.*}"
		done
	done
done
busy 0
check rr-ran-on-both-paths sh -c "[ ${last_netback_0:-0} -gt 0 ] && [ ${last_colorcom_0:-0} -gt 0 ] && [ ${last_netback_50:-0} -gt 0 ] && [ ${last_colorcom_50:-0} -gt 0 ] && [ ${last_netback_1000:-0} -gt 0 ] && [ ${last_colorcom_1000:-0} -gt 0 ]"

# 2. Profiles.
PERF=/lab/scenario/perf
if [ -x $PERF/perf ]; then
	P="$PERF/ld-linux-x86-64.so.2 --library-path $PERF $PERF/perf"
	for n in a b; do g $n 'echo 0 >/proc/sys/kernel/kptr_restrict; echo -1 >/proc/sys/kernel/perf_event_paranoid' >/dev/null; done
	echo 0 >/proc/sys/kernel/kptr_restrict; echo -1 >/proc/sys/kernel/perf_event_paranoid
	prof() {	# PATH TEST CMD...
		local p=$1 t=$2 n pp
		shift 2
		for n in a b; do g $n "($P record -a -g -F 299 -o /tmp/perf.data -- sleep $((T + 3)) >/tmp/perf.rec.log 2>&1 &)" >/dev/null; done
		$P record -a -g -F 299 -o /tmp/perf-dom0.data -- sleep $((T + 3)) >/dev/null 2>&1 &
		pp=$!
		"$@" >"$LAB_LOGDIR/prof-$p-$t-out.log" 2>&1
		wait $pp
		sleep 2
		for n in a b; do
			G_TIMEOUT=300 g $n "$P report -i /tmp/perf.data --stdio --children -g none --sort sym --percent-limit 2 2>&1 | grep -v '^#' | grep . | head -60" \
				>"$LAB_LOGDIR/prof-$p-$t-guest-$n.log" 2>&1
		done
		$P report -i /tmp/perf-dom0.data --stdio --children -g none --sort comm,sym --percent-limit 2 2>&1 | grep -v '^#' | grep . | head -40 \
			>"$LAB_LOGDIR/prof-$p-$t-dom0.log"
	}
	for p in netback colorcom; do
		ip=$(ip_of "$p")
		prof "$p" tcp1 bench_iperf a "$ip" $T
		prof "$p" rr g a "ccxfer rr $ip 5301 $T"
	done
	check perf-profiles test -s "$LAB_LOGDIR/prof-colorcom-tcp1-guest-a.log"
fi
