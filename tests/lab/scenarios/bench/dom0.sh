# bench (make bench): colorcom against netfront/netback in ONE boot with the same two
# guests.  Each guest has a standard vif on dom0's bridge br0 (10.0.0.0/24, the
# "netback" path) and a colorcom NIC on network "blue" (10.1.0.0/24).  Every test runs
# on both paths in each repetition (the order alternates between repetitions so drift
# in the host's load does not favour one path), and raw figures go to
# /var/log/lab/bench-raw.log as "PATH TEST REP KEY VALUE"; bench/lab_report turns them
# into bench/results/lab.json (median/min/max) and the plots.
# The limit reference, in-guest loopback: at the start of every repetition guest a runs
# TCP, ping and request/response over lo to itself ("loopback" lines, same files).
#
# dom0 CPU: under TCG dom0's CPU time grows whenever guests are busy, network or not,
# so every repetition also runs a control, both guests spinning with no I/O for as long
# as a test; the report subtracts it (see docs/performance.md).
REPS=3      # repetitions of every test
LAB_BOOT_WAIT=1500
T=4         # seconds per iperf3 / request-response test (and per control burn)
PINGS=200   # pings per repetition; the interval keeps them at about T seconds
SIZES="64 512 4096 32768 131072"   # TCP write sizes for the throughput curve
TS=2        # seconds per write size
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
BENCH_RAW=$LAB_LOGDIR/bench-raw.log
PINGLOG=$LAB_LOGDIR/bench-ping.log
PINGBUSY=$LAB_LOGDIR/bench-ping-busy.log
: >"$BENCH_RAW"; : >"$PINGLOG"; : >"$PINGBUSY"

check colorcomd-starts cc_daemon
lab_pair_both_paths $MA $MB
check netback-ping g a 'ping -c 3 -W 10 10.0.0.2'
check colorcom-ping g a 'ping -c 3 -W 10 10.1.0.2'
g b 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
# The limit reference: the same tools over lo inside guest a (its own servers), so the
# stack without any NIC; "loopback" lines in the same raw files (bench/lab_report).
g a 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
# Record the configuration the figures belong to.
g a "ip link show eth0; ip link show $IA; ethtool -k $IA | grep -E 'segmentation|scatter|checksumming'; ethtool -g $IA" \
	>"$LAB_LOGDIR/bench-config.log" 2>&1
# Warm-up (ARP, TCP metrics, page cache of iperf3) on both paths, not recorded.
bench_iperf a 10.0.0.2 2 >/dev/null
bench_iperf a 10.1.0.2 2 >/dev/null
bench_iperf a 127.0.0.1 2 >/dev/null

ip_of() { if [ "$1" = netback ]; then echo 10.0.0.2; else echo 10.1.0.2; fi; }
# Guest CPU split (user/sys/softirq/steal, jiffies) of a and b: where the guests' time goes.
gstat() { echo "$(g a "head -n1 /proc/stat") $(g b "head -n1 /proc/stat")"; }
# colorcom counters of both NICs (a's totals then b's): notifications per packet.
# Also the kernel's lateeoi accounting of every cclink port (xenbus sysfs): a spurious
# EOI beyond the first in a row makes Linux hold the port's unmask for >= 1 jiffy,
# which would show up directly in the RTT.
ccstat() {
	local k='$1 ~ /^(tx_packets|rx_packets|notify_tx|notify_rx|ring_full|spurious|eoi_throttled):$/ {printf "%s%s ", $1, $2}'
	local e='cat /sys/bus/xen/devices/cclink-*/xenbus/spurious_events /sys/bus/xen-backend/devices/cclink-*/xenbus/spurious_events 2>/dev/null | awk "{s += \$1} END {printf \"spurious_events:%d \", s}"; cat /sys/bus/xen/devices/cclink-*/xenbus/jiffies_eoi_delayed /sys/bus/xen-backend/devices/cclink-*/xenbus/jiffies_eoi_delayed 2>/dev/null | awk "{s += \$1} END {printf \"jiffies_eoi_delayed:%d \", s}"'
	echo "a $(g a "ethtool -S $IA" | awk "$k")$(g a "$e") b $(g b "ethtool -S $IB" | awk "$k")$(g b "$e")"
}

# run_test PATH TEST REP CMD...: CMD's stdout (its figures) plus the CPU cost around it.
run_test() {
	local p=$1 t=$2 r=$3 s0 s1 out st0 st1 cc0 cc1
	shift 3
	if [ "$r" = 1 ] && [ "$t" = tcp1_ab ]; then st0=$(gstat); fi
	if [ "$r" = 1 ] && [ "$p" = colorcom ]; then cc0=$(ccstat); fi
	s0=$(bench_snap a b)
	out=$("$@")
	s1=$(bench_snap a b)
	bench_rec_cost "$p" "$t" "$r" "$(bench_delta "$s0" "$s1")"
	if [ -n "${st0:-}" ]; then
		st1=$(gstat)
		echo "$p $t gueststat-before $st0" >>"$LAB_LOGDIR/bench-counters.log"
		echo "$p $t gueststat-after  $st1" >>"$LAB_LOGDIR/bench-counters.log"
	fi
	if [ -n "${cc0:-}" ]; then
		cc1=$(ccstat)
		echo "$p $t ethtool-before $cc0" >>"$LAB_LOGDIR/bench-counters.log"
		echo "$p $t ethtool-after  $cc1" >>"$LAB_LOGDIR/bench-counters.log"
	fi
	echo "$out"
}

one_path() {	# PATH REP
	local p=$1 r=$2 ip v mbps rx tx size
	ip=$(ip_of "$p")
	for spec in "tcp1_ab:" "tcp1_ba:-R" "tcp4_ab:-P 4" "tcp4_ba:-P 4 -R"; do
		v=$(run_test "$p" "${spec%%:*}" "$r" bench_iperf a "$ip" $T "${spec#*:}")
		bench_rec "$p" "${spec%%:*}" "$r" mbps "${v%% *}"
	done
	v=$(run_test "$p" udp64_ab "$r" bench_iperf a "$ip" $T "-u -l 64 -b 0")
	read -r mbps rx tx <<<"$v"
	bench_rec "$p" udp64_ab "$r" rx_pps "$rx"
	bench_rec "$p" udp64_ab "$r" tx_pps "$tx"
	v=$(run_test "$p" ping "$r" g a "ping -c $PINGS -i $(awk -v t=$T -v n=$PINGS 'BEGIN {print t / n}') -W 2 $ip")
	printf '%s\n' "$v" | sed -n "s/.*time=\([0-9.]*\) ms.*/$p $r \1/p" >>"$PINGLOG"
	bench_rec "$p" ping "$r" replies "$(printf '%s\n' "$v" | grep -c 'time=')"
	# Diagnostic for the RTT target, not a headline: the same pings while both guests
	# spin at nice 19, so their vCPUs never halt.  What "ping" has on top of this is the
	# cost of waking idle vCPUs (Xen's block/wake, under TCG), not of the data path.
	for n in a b; do g $n "(nice -n 19 sh -c 'while :; do :; done' >/dev/null 2>&1 & echo \$! >/tmp/spin.pid)" >/dev/null; done
	v=$(g a "ping -c $((PINGS / 2)) -i $(awk -v t=$T -v n=$PINGS 'BEGIN {print t / n}') -W 2 $ip")
	for n in a b; do g $n 'kill $(cat /tmp/spin.pid); true' >/dev/null; done
	printf '%s\n' "$v" | sed -n "s/.*time=\([0-9.]*\) ms.*/$p $r \1/p" >>"$PINGBUSY"
	v=$(run_test "$p" rr "$r" g a "ccxfer rr $ip 5301 $T")
	# "tps N n N p50_us X p99_us Y"
	bench_rec "$p" rr "$r" tps "$(echo "$v" | awk '$1 == "tps" {print $2}')"
	bench_rec "$p" rr "$r" p50_us "$(echo "$v" | awk '$1 == "tps" {print $6}')"
	bench_rec "$p" rr "$r" p99_us "$(echo "$v" | awk '$1 == "tps" {print $8}')"
	for size in $SIZES; do
		v=$(bench_iperf a "$ip" $TS "-l $size")
		bench_rec "$p" "size_$size" "$r" mbps "${v%% *}"
	done
}

# loopback REP: in-guest loopback in guest a (iperf3, ping, request/response over lo):
# what one guest's stack does with no NIC at all, the limit colorcom is measured against.
loopback() {
	local r=$1 v
	v=$(run_test loopback tcp1_ab "$r" bench_iperf a 127.0.0.1 $T)
	bench_rec loopback tcp1_ab "$r" mbps "${v%% *}"
	v=$(run_test loopback ping "$r" g a "ping -c $PINGS -i $(awk -v t=$T -v n=$PINGS 'BEGIN {print t / n}') -W 2 127.0.0.1")
	printf '%s\n' "$v" | sed -n "s/.*time=\([0-9.]*\) ms.*/loopback $r \1/p" >>"$PINGLOG"
	bench_rec loopback ping "$r" replies "$(printf '%s\n' "$v" | grep -c 'time=')"
	v=$(run_test loopback rr "$r" g a "ccxfer rr 127.0.0.1 5301 $T")
	bench_rec loopback rr "$r" tps "$(echo "$v" | awk '$1 == "tps" {print $2}')"
	bench_rec loopback rr "$r" p50_us "$(echo "$v" | awk '$1 == "tps" {print $6}')"
	bench_rec loopback rr "$r" p99_us "$(echo "$v" | awk '$1 == "tps" {print $8}')"
}

for r in $(seq 1 $REPS); do
	log "rep $r: loopback"
	loopback "$r"
	if [ $((r % 2)) = 1 ]; then order="netback colorcom"; else order="colorcom netback"; fi
	for p in $order; do
		log "rep $r: $p"
		one_path "$p" "$r"
	done
	# The control: both guests spin for T seconds, no network at all.
	s0=$(bench_snap a b)
	lab_guest_burn $T a b
	s1=$(bench_snap a b)
	bench_rec_cost control burn "$r" "$(bench_delta "$s0" "$s1")"
	log "rep $r done"
done

# Sanity: every path produced figures (the report refuses zeros anyway).
for p in netback colorcom; do
	n=$(awk -v p=$p '$1 == p && $2 == "tcp1_ab" && $4 == "mbps" && $5 > 0' "$BENCH_RAW" | wc -l)
	if [ "$n" = "$REPS" ]; then pass "$p-tcp-measured"; else fail "$p-tcp-measured" "$n of $REPS tcp1_ab runs gave a figure"; fi
	n=$(awk -v p=$p '$1 == p' "$PINGLOG" | wc -l)
	if [ "$n" -ge $((PINGS * REPS * 9 / 10)) ]; then pass "$p-ping-measured"; else fail "$p-ping-measured" "$n ping replies"; fi
done
n=$(awk '$1 == "loopback" && $2 == "tcp1_ab" && $4 == "mbps" && $5 > 0' "$BENCH_RAW" | wc -l)
if [ "$n" = "$REPS" ]; then pass loopback-tcp-measured; else fail loopback-tcp-measured "$n of $REPS loopback tcp1_ab runs gave a figure"; fi
n=$(awk '$1 == "loopback"' "$PINGLOG" | wc -l)
if [ "$n" -ge $((PINGS * REPS * 9 / 10)) ]; then pass loopback-ping-measured; else fail loopback-ping-measured "$n ping replies"; fi
# Headline figures for the console (medians, computed again from the raw file on the host).
for p in netback colorcom loopback; do
	result ${p}_tcp_mbps "$(awk -v p=$p '$1 == p && $2 == "tcp1_ab" && $4 == "mbps" {print $5}' "$BENCH_RAW" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
done
g a "ethtool -S $IA" >"$LAB_LOGDIR/bench-ethtool-a.log" 2>&1
g b "ethtool -S $IB" >"$LAB_LOGDIR/bench-ethtool-b.log" 2>&1

# Profiles of both paths: scenario profile (tests/lab/run profile), not this boot.

# Put the raw figures on the console now, as the harness's end-of-boot dump would
# (@@LOG name|line), and take them out of that dump: if anything after this script
# fails (dom0's /init dies, time limit), the figures are already on the host.
for f in "$LAB_LOGDIR"/bench-*.log "$LAB_LOGDIR"/prof-*.log; do
	[ -f "$f" ] || continue
	sed "s|^|@@LOG $(basename "$f")\||" "$f" >"$LAB_CONSOLE"
	rm -f "$f"
done
