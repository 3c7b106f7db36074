# bench-scale (make bench): 2, 4 and 8 guests on one network.
#   - channel setup time: from the first `colorcomctl attach` of N NICs to every one of
#     the N(N-1)/2 links Connected on both halves (each NIC then has carrier with every
#     peer), polled in xenstore from dom0 (no guest round trip in the measurement);
#     also to the first link Connected (the first carrier up);
#   - aggregate TCP throughput of N/2 pairs running at once, colorcom and, with the
#     same guests and pairs, netfront/netback on dom0's bridge.
# Each (repetition, N) gets a fresh network "sN_r" (the guests' NIC devid r-1..), so
# every setup measurement starts from nothing without depending on detach.
# Raw lines "PATH TEST REP KEY VALUE" go to /var/log/lab/bench-raw.log (bench/lab_report).
REPS=3 T=4 GUESTS=8
LAB_GUEST_MEM=128 LAB_BOOT_WAIT=3000	# 8 guests boot at once under TCG: minutes
BENCH_RAW=$LAB_LOGDIR/bench-raw.log
: >"$BENCH_RAW"
check colorcomd-starts cc_daemon
for i in $(seq 1 $GUESTS); do
	lab_guest_start g$i "vif = [\"bridge=br0,mac=00:16:3e:00:01:0$i\"]"
done
up=0
for i in $(seq 1 $GUESTS); do lab_guest_wait g$i && up=$((up + 1)); done
if [ $up = $GUESTS ]; then pass guests-up; else fail guests-up "$up of $GUESTS guests booted"; exit 1; fi
for i in $(seq 1 $GUESTS); do
	check module-loads-g$i cc_load g$i
	g g$i "ip addr add 10.0.0.$i/24 dev eth0 && ip link set eth0 up; iperf3 -s -D >/dev/null 2>&1" >/dev/null
done

now() { cut -d' ' -f1 /proc/uptime; }
# links_connected K: "halves_connected" for the links whose two NICs both have devid K
# (link id low byte = K<<4|K), counting front and back halves in state 4.
links_connected() {
	xenstore-ls -f /local/domain 2>/dev/null | awk -v k=$(($1 * 17)) '
		$1 ~ /\/(device|backend)\/cclink\/.*\/state$/ && $3 == "\"4\"" {
			n = split($1, p, "/"); if (p[n - 1] % 256 == k) c++ }
		END { print c + 0 }'
}
mac() { printf '00:16:3e:c%d:%02d:%02x' "$1" "$2" "$3"; }	# REP N GUEST

for r in $(seq 1 $REPS); do
	for n in 2 4 8; do
		k=$(( (r - 1) * 3 + (n == 2 ? 0 : n == 4 ? 1 : 2) ))
		want=$((n * (n - 1)))
		t0=$(now)
		for i in $(seq 1 $n); do
			colorcomctl attach g$i "network=s${n}_$r,mac=$(mac $r $n $i),devid=$k" >>"$LAB_LOGDIR/bench-attach.log" 2>&1 ||
				fail "attach-g$i-s${n}_$r" "colorcomctl attach failed (bench-attach.log)"
		done
		t1=$(now) first="" all=""
		while awk -v a="$t0" -v b="$(now)" 'BEGIN {exit !(b - a < 180)}'; do
			c=$(links_connected $k)
			[ -z "$first" ] && [ "$c" -ge 2 ] && first=$(now)
			[ "$c" -ge "$want" ] && { all=$(now); break; }
			sleep 0.05
		done
		if [ -n "$all" ]; then
			pass "setup-s${n}_$r"
			bench_rec colorcom "scale$n" "$r" attach_s "$(sub "$t0" "$t1")"
			bench_rec colorcom "scale$n" "$r" setup_first_s "$(awk -v a="$t0" -v b="$first" 'BEGIN {printf "%.2f", b - a}')"
			bench_rec colorcom "scale$n" "$r" setup_all_s "$(awk -v a="$t0" -v b="$all" 'BEGIN {printf "%.2f", b - a}')"
		else
			fail "setup-s${n}_$r" "$(links_connected $k) of $want link halves Connected after 180 s"
		fi
		log "s${n}_$r: attach $(sub "$t0" "$t1")s, first link ${first:-never}, all ${all:-never} (t0 $t0)"
	done
done

# Addresses on the rep-1 networks: s2_1 = 10.12.0.0/24, s4_1 = 10.14.0.0/24, s8_1 = 10.18.0.0/24.
for n in 2 4 8; do
	k=$(( n == 2 ? 0 : n == 4 ? 1 : 2 ))
	for i in $(seq 1 $n); do
		ifn=$(cc_ifname g$i "$(mac 1 $n $i)")
		g g$i "ip addr add 10.1$n.0.$i/24 dev $ifn && ip link set $ifn up" >/dev/null ||
			fail "ip-g$i-s${n}_1" "no interface for $(mac 1 $n $i)"
	done
	check "carrier-s${n}_1" cc_wait_carrier g$n "$(cc_ifname g$n "$(mac 1 $n $n)")"
done

# agg PATH N REP: N/2 pairs g1->g2, g3->g4, ... started on the same second of the
# guests' clock (all guests share Xen's wallclock), summed receiver Mbit/s.
agg() {
	local p=$1 n=$2 r=$3 i ip start tot=0 v s0 s1 names=""
	start=$(( $(g g1 'date +%s') + 2 + n / 2 ))
	for i in $(seq 1 $n); do names="$names g$i"; done
	s0=$(bench_snap $names)
	for i in $(seq 1 2 $n); do
		if [ "$p" = netback ]; then ip=10.0.0.$((i + 1)); else ip=10.1$n.0.$((i + 1)); fi
		g g$i "rm -f /tmp/agg.json; (while [ \$(date +%s) -lt $start ]; do usleep 20000; done; iperf3 -c $ip -t $T -i 0 -J >/tmp/agg.json 2>&1) >/dev/null 2>&1 &" >/dev/null
	done
	sleep $((T + 2))
	for i in $(seq 1 2 $n); do
		v=$(G_TIMEOUT=60 g g$i "for j in \$(seq 60); do grep -q '\"end\"' /tmp/agg.json 2>/dev/null && grep -q '^}' /tmp/agg.json && break; sleep 0.5; done; cat /tmp/agg.json" |
			jq -r '.end.sum_received.bits_per_second / 1e6 | floor' 2>/dev/null)
		bench_rec "$p" "scale$n" "$r" "pair${i}_mbps" "${v:-0}"
		tot=$((tot + ${v:-0}))
	done
	s1=$(bench_snap $names)
	bench_rec "$p" "scale$n" "$r" agg_mbps "$tot"
	bench_rec_cost "$p" "scale$n" "$r" "$(bench_delta "$s0" "$s1")"
	# stdout is the figure (the caller captures it); the log line goes to stderr.
	log "$p N=$n rep $r: $tot Mbit/s" >&2
	echo "$tot"
}
for r in $(seq 1 $REPS); do
	for n in 2 4 8; do
		if [ $((r % 2)) = 1 ]; then order="netback colorcom"; else order="colorcom netback"; fi
		for p in $order; do
			v=$(agg "$p" $n "$r")
			[ "${v:-0}" -gt 0 ] && pass "$p-scale$n-$r" || fail "$p-scale$n-$r" "no throughput"
		done
	done
done

# Put the raw figures on the console now, as the harness's end-of-boot dump would
# (@@LOG name|line), and take them out of that dump: if anything after this script
# fails (dom0's /init dies, time limit), the figures are already on the host.
for f in "$LAB_LOGDIR"/bench-*.log "$LAB_LOGDIR"/prof-*.log; do
	[ -f "$f" ] || continue
	sed "s|^|@@LOG $(basename "$f")\||" "$f" >"$LAB_CONSOLE"
	rm -f "$f"
done
