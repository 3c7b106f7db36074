# bench-scale (make bench): 2, 4, 8 and 16 guests on one network.
#   - channel setup time: from the first `colorcomctl attach` of N NICs to every one of
#     the N(N-1)/2 links Connected on both halves (each NIC then has carrier with every
#     peer), polled in xenstore from dom0 (no guest round trip in the measurement);
#     also to the first link Connected on both halves (the first carrier up);
#   - aggregate TCP throughput of N/2 pairs running at once, colorcom and, with the
#     same guests and pairs, netfront/netback on dom0's bridge;
#   - each guest's MemAvailable with its N-1 links up (before the throughput tests).
# One N at a time: each repetition r gets a fresh network "sN_r" (the guests' NIC devid
# k, see below), so every setup measurement starts from nothing; it is detached again
# after its measurement (and the last one after its throughput tests), so a guest never
# holds more than 15 links' rings, whatever N came before.  The throughput tests run on
# the last repetition's network, both paths per repetition, netback first in odd ones.
# Raw lines "PATH TEST REP KEY VALUE" go to /var/log/lab/bench-raw.log (bench/lab_report).
REPS=3 T=4 GUESTS=16 NS="2 4 8 16"
# The smallest memory that boots the lab's guest image (measured, docs/performance.md
# "Scaling": at 80 and 96 MiB xl cannot even place the 21 MiB initramfs, at 112 the
# kernel panics unpacking it); what is left with 15 links up is recorded below.
LAB_GUEST_MEM=128
# 16 guests boot at once under TCG: minutes (lab_guest_wait polls 0.2 s per step).
LAB_BOOT_WAIT=4500
# Work that may be left out when the boot is late (dom0 uptime, s): dom0.sh is
# stopped at timeout - 300 s (tests/lab/run), and the dump needs the rest.
LATE=1150
BENCH_RAW=$LAB_LOGDIR/bench-raw.log
: >"$BENCH_RAW"
now() { cut -d' ' -f1 /proc/uptime; }
late() { awk -v t="$(now)" -v l=$LATE 'BEGIN {exit !(t > l)}'; }
check colorcomd-starts cc_daemon
b0=$(now)
created=""
for i in $(seq 1 $GUESTS); do
	lab_guest_start g$i "vif = [\"bridge=br0,mac=$(printf '00:16:3e:00:01:%02x' $i)\"]" &&
		created="$created $i"
done
b1=$(now)
up=0
for i in $created; do lab_guest_wait g$i && up=$((up + 1)); done
b2=$(now)
if [ $up = $GUESTS ]; then pass guests-up; else fail guests-up "$up of $GUESTS guests booted"; exit 1; fi
bench_rec boot guests 1 create_s "$(sub "$b0" "$b1")"
bench_rec boot guests 1 all_up_s "$(sub "$b0" "$b2")"
log "$GUESTS guests of $LAB_GUEST_MEM MiB: created in $(sub "$b0" "$b1") s, all up $(sub "$b0" "$b2") s after the first create"
declare -A DOM
for i in $(seq 1 $GUESTS); do
	DOM[$i]=$(domid g$i)
	check module-loads-g$i cc_load g$i
	g g$i "ip addr add 10.0.0.$i/24 dev eth0 && ip link set eth0 up; iperf3 -s -D >/dev/null 2>&1" >/dev/null
done

# devid of the NICs of (repetition r, N): k = (r-1)*4 + index of N in NS, so 0..11 for
# 3 repetitions.  The link id of two NICs of devid k is (H << 8) | k << 4 | k (H the
# higher domid; dom0lib ccd_link_id), unique per (pair of guests, r, N) while k < 16.
devid() {
	local j=0 x
	for x in $NS; do [ "$x" = "$2" ] && break; j=$((j + 1)); done
	echo $(( ($1 - 1) * 4 + j ))
}
# MAC of guest i's NIC for (r, N): 00:16:3e:cR:NN:ii (N in decimal, i in hex).
mac() { printf '00:16:3e:c%d:%02d:%02x' "$1" "$2" "$3"; }

# link_states N K: the xenstore paths of both halves of every link among g1..gN with
# devid K (docs/protocol.md: front half in the lower domid A at device/cclink/L, back
# half in B at backend/cclink/A/L), one link per line, "front back".
link_states() {
	local n=$1 k=$2 i j a b l
	for i in $(seq 1 "$n"); do
		for j in $(seq $((i + 1)) "$n"); do
			a=${DOM[$i]} b=${DOM[$j]}
			[ "$a" -lt "$b" ] || { a=${DOM[$j]} b=${DOM[$i]}; }
			l=$(( (b << 8) | (k << 4) | k ))
			echo "/local/domain/$a/device/cclink/$l/state /local/domain/$b/backend/cclink/$a/$l/state"
		done
	done
}
# Polls only these 2 x N(N-1)/2 nodes, with one xenstore-read per 40 pending ones: a
# walk of the whole store costs about 1 ms per node under TCG and would grow with the
# links of the earlier networks.  xenstore-read reads its paths in one transaction (40
# keeps a retry after a concurrent write cheap) and stops at the first path that does
# not exist yet: that one goes to the end of the list for the next round.
# Sets SETUP_FIRST and SETUP_ALL (uptime; empty: not reached) and SETUP_LEFT.
wait_links() {
	local n=$1 k=$2 t0=$3 limit=$4 nap=$5 paths=() vals=() rest=() chunk=() links=() i c m a b
	declare -A half
	mapfile -t links < <(link_states "$n" "$k")
	mapfile -t paths < <(printf '%s\n' "${links[@]}" | tr ' ' '\n')
	SETUP_FIRST="" SETUP_ALL="" SETUP_LEFT=${#paths[@]}
	while :; do
		rest=()
		for ((c = 0; c < ${#paths[@]}; c += 40)); do
			chunk=("${paths[@]:c:40}")
			mapfile -t vals < <(xenstore-read "${chunk[@]}" 2>/dev/null)
			m=${#vals[@]}
			for ((i = 0; i < ${#chunk[@]}; i++)); do
				if [ $i -lt $m ]; then
					[ "${vals[$i]}" = 4 ] && half[${chunk[$i]}]=1 || rest+=("${chunk[$i]}")
				elif [ $i -gt $m ]; then
					rest+=("${chunk[$i]}")
				fi
			done
			[ $m -lt ${#chunk[@]} ] && rest+=("${chunk[$m]}")
		done
		paths=("${rest[@]}")
		SETUP_LEFT=${#paths[@]}
		if [ -z "$SETUP_FIRST" ] && [ ${#half[@]} -ge 2 ]; then
			for i in "${links[@]}"; do
				a=${i% *} b=${i#* }
				[ -n "${half[$a]:-}" ] && [ -n "${half[$b]:-}" ] && { SETUP_FIRST=$(now); break; }
			done
		fi
		[ ${#paths[@]} = 0 ] && { SETUP_ALL=$(now); return 0; }
		awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN {exit !(b - a < l)}' || return 1
		sleep "$nap"
	done
}
# links_gone K: no link half with devid K is left in any guest (after a detach).
links_gone() {
	local i p
	for i in $(seq 1 $GUESTS); do
		p=$(xenstore-list "/local/domain/${DOM[$i]}/device/cclink" 2>/dev/null |
			awk -v k=$(($1 * 17)) '$1 % 256 == k' | head -n1)
		[ -z "$p" ] || return 1
	done
}

# detach_net N K: detach devid K of g1..gN, wait until its links are gone; prints s.
detach_net() {
	local n=$1 k=$2 d0 i
	d0=$(now)
	for i in $(seq 1 "$n"); do
		colorcomctl detach --no-wait g$i "$k" >>"$LAB_LOGDIR/bench-attach.log" 2>&1 ||
			echo "detach g$i devid $k failed" >>"$LAB_LOGDIR/bench-attach.log"
	done
	wait_until 180 links_gone "$k" >/dev/null
	local rc=$?
	sub "$d0" "$(now)"
	# The drivers' last grant releases (front/reclaim.c retries every 100 ms).
	sleep 2
	return $rc
}
# setup N R: attach g1..gN to sN_R (devid k) and time it to all links Connected.
setup() {
	local n=$1 r=$2 k t0 t1 i want lim nap
	k=$(devid "$r" "$n")
	want=$((n * (n - 1)))
	# 16 NICs make 120 links at once: colorcomd and 16 xenbus front ends under TCG.
	lim=180 nap=0.05; [ "$n" -gt 8 ] && lim=600 nap=0.2
	t0=$(now)
	for i in $(seq 1 "$n"); do
		colorcomctl attach g$i "network=s${n}_$r,mac=$(mac "$r" "$n" $i),devid=$k" >>"$LAB_LOGDIR/bench-attach.log" 2>&1 ||
			fail "attach-g$i-s${n}_$r" "colorcomctl attach failed (bench-attach.log)"
	done
	t1=$(now)
	if wait_links "$n" "$k" "$t0" "$lim" "$nap"; then
		pass "setup-s${n}_$r"
		bench_rec colorcom "scale$n" "$r" attach_s "$(sub "$t0" "$t1")"
		bench_rec colorcom "scale$n" "$r" setup_first_s "$(sub "$t0" "$SETUP_FIRST")"
		bench_rec colorcom "scale$n" "$r" setup_all_s "$(sub "$t0" "$SETUP_ALL")"
	else
		fail "setup-s${n}_$r" "$SETUP_LEFT of $want link halves not Connected after $lim s"
		xenstore-ls -f "/local/domain/${DOM[1]}/device/cclink" >>"$LAB_LOGDIR/bench-attach.log" 2>&1
	fi
	log "s${n}_$r (devid $k): attach $(sub "$t0" "$t1")s, first link ${SETUP_FIRST:-never}, all ${SETUP_ALL:-never} (t0 $t0)"
}

# agg PATH N REP: N/2 pairs g1->g2, g3->g4, ... started on the same second of the
# guests' clock (all guests share Xen's wallclock), summed receiver Mbit/s.  The start
# is 3 + N s ahead: under TCG one `g` takes about a second with 16 guests up, and a
# sender whose command arrives after the start second runs partly alone (its rate then
# inflates the sum).  Each sender sleeps to one second before the start and only then
# polls the clock (a fork of `date` every 20 ms in 8 guests slowed the very commands
# that were still to arrive).  START_SKEW: the latest sender's start (iperf3's own
# timestamp, whole seconds) after the chosen second.
agg() {
	local p=$1 n=$2 r=$3 i ip start tot=0 v w s0 s1 names="" skew=0
	start=$(( $(g g1 'date +%s') + 3 + n ))
	for i in $(seq 1 $n); do names="$names g$i"; done
	s0=$(bench_snap $names)
	for i in $(seq 1 2 $n); do
		if [ "$p" = netback ]; then ip=10.0.0.$((i + 1)); else ip=10.1$n.0.$((i + 1)); fi
		g g$i "rm -f /tmp/agg.json; (w=\$(( $start - \$(date +%s) - 1 )); [ \$w -gt 0 ] && sleep \$w; while [ \$(date +%s) -lt $start ]; do usleep 20000; done; iperf3 -c $ip -t $T -i 0 -J >/tmp/agg.json 2>&1) >/dev/null 2>&1 &" >/dev/null
	done
	sleep $(( start - $(g g1 'date +%s') + T + 1 ))
	for i in $(seq 1 2 $n); do
		w=$(G_TIMEOUT=60 g g$i "for j in \$(seq 60); do grep -q '\"end\"' /tmp/agg.json 2>/dev/null && grep -q '^}' /tmp/agg.json && break; sleep 0.5; done; cat /tmp/agg.json" |
			jq -r '"\(.end.sum_received.bits_per_second / 1e6 | floor) \(.start.timestamp.timesecs)"' 2>/dev/null)
		v=${w% *} w=${w#* }
		[ "$v" -ge 0 ] 2>/dev/null || v=0
		bench_rec "$p" "scale$n" "$r" "pair${i}_mbps" "$v"
		tot=$((tot + v))
		if [ "$w" -gt 0 ] 2>/dev/null; then
			[ $((w - start)) -gt "$skew" ] && skew=$((w - start))
		else
			skew=99
		fi
	done
	s1=$(bench_snap $names)
	bench_rec "$p" "scale$n" "$r" agg_mbps "$tot"
	bench_rec "$p" "scale$n" "$r" start_skew_s "$skew"
	bench_rec_cost "$p" "scale$n" "$r" "$(bench_delta "$s0" "$s1")"
	# stdout is the figures (the caller captures them); the log line goes to stderr.
	log "$p N=$n rep $r: $tot Mbit/s, last sender started $skew s after the start second" >&2
	echo "$tot $skew"
}
for n in $NS; do
	last=1
	for r in $(seq 1 $REPS); do
		if [ "$r" -gt 1 ] && late; then
			log "s${n}_$r left out: dom0 uptime $(now) s > $LATE s"
			break
		fi
		[ "$r" -gt 1 ] && {
			v=$(detach_net "$n" "$(devid $((r - 1)) "$n")") && pass "detached-s${n}_$((r - 1))" ||
				fail "detached-s${n}_$((r - 1))" "links of devid $(devid $((r - 1)) "$n") still there after 180 s"
			bench_rec colorcom "scale$n" $((r - 1)) detach_s "$v"
		}
		setup "$n" "$r"
		last=$r
	done
	# Memory with the N-1 links up, before any transfer.
	for i in $(seq 1 $n); do
		v=$(g g$i "awk '\$1 == \"MemAvailable:\" {print \$2}' /proc/meminfo")
		bench_rec mem "links$((n - 1))" "$i" avail_kb "${v:-0}"
	done
	# Throughput on the last repetition's network: sN_last = 10.1N.0.0/24.
	for i in $(seq 1 $n); do
		ifn=$(cc_ifname g$i "$(mac $last $n $i)")
		g g$i "ip addr add 10.1$n.0.$i/24 dev $ifn && ip link set $ifn up" >/dev/null ||
			fail "ip-g$i-s${n}_$last" "no interface for $(mac $last $n $i)"
	done
	check "carrier-s${n}_$last" cc_wait_carrier g$n "$(cc_ifname g$n "$(mac $last $n $n)")"
	for r in $(seq 1 $REPS); do
		if [ "$r" -gt 1 ] && late; then
			log "throughput N=$n rep $r left out: dom0 uptime $(now) s > $LATE s"
			break
		fi
		if [ $((r % 2)) = 1 ]; then order="netback colorcom"; else order="colorcom netback"; fi
		for p in $order; do
			# Overlap: every sender started within a second of the others (iperf3's
			# timestamps are whole seconds), else the sum is not an aggregate.
			set -- $(agg "$p" $n "$r")
			if [ "${1:-0}" -gt 0 ] && [ "${2:-99}" -le 1 ]; then pass "$p-scale$n-$r"
			else fail "$p-scale$n-$r" "aggregate ${1:-0} Mbit/s, last sender ${2:-?} s after the start second"; fi
		done
	done
	[ "$n" = 16 ] || {
		v=$(detach_net "$n" "$(devid $last "$n")") && pass "detached-s${n}_$last" ||
			fail "detached-s${n}_$last" "links of devid $(devid $last "$n") still there after 180 s"
		bench_rec colorcom "scale$n" $last detach_s "$v"
	}
done

# No guest ran short of memory at any point (the kernel says so in its log; the
# harness's error scan does not look for these).
short=""
for i in $(seq 1 $GUESTS); do
	c=$(g g$i "dmesg | grep -c -E 'Out of memory|page allocation failure|oom-kill'")
	[ "${c:-0}" = 0 ] || short="$short g$i:$c"
	v=$(g g$i "awk '\$1 == \"MemAvailable:\" {print \$2}' /proc/meminfo")
	bench_rec mem guests_end "$i" avail_kb "${v:-0}"
done
if [ -z "$short" ]; then pass guests-memory-enough; else fail guests-memory-enough "allocation failures:$short"; fi

# Put the raw figures on the console now, as the harness's end-of-boot dump would
# (@@LOG name|line), and take them out of that dump: if anything after this script
# fails (dom0's /init dies, time limit), the figures are already on the host.
for f in "$LAB_LOGDIR"/bench-*.log "$LAB_LOGDIR"/prof-*.log; do
	[ -f "$f" ] || continue
	sed "s|^|@@LOG $(basename "$f")\||" "$f" >"$LAB_CONSOLE"
	rm -f "$f"
done
