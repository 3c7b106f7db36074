# bench-defpath: what moves colorcom's default path (issue #17 item 8), in ONE boot with
# the same two guests: colorcom with every new knob off, each knob alone, and netback and
# in-guest loopback as the references.  Not in the suite; run by name:
#   tests/lab/run bench-defpath; bench/defpath_report
#
# Variants (the PATH column of the raw lines):
#   netback      the guests' vifs on br0 (10.0.0.0/24)
#   loopback     guest a to itself over lo
#   colorcom     NIC on "blue" (10.1.0.0/24), every knob off: TX ring pages allocated
#                one by one, no interrupt deferral
#   cc_contig    NIC on "green" (10.2.0.0/24), attached with tx_contig=1 in both guests:
#                the TX rings' data pages are one block (checked: tx_rings_contig)
#   cc_defer     blue, napi_defer_hard_irqs=2 gro_flush_timeout=20000 on both NICs
# (A bounded in-driver spin, poll_spin_us, was measured here too and then removed:
# docs/performance.md, "What moves the default path".)
# Per variant and repetition: TCP 1 stream a->b (iperf3 -t $T), $PINGS pings a->b, and
# request/response (ccxfer rr, $T s).  The order of the variants rotates by one per
# repetition, so host drift does not favour one.  In repetition 1 each variant's TCP and
# rr runs also record both guests' /proc/stat (idle share) and, for colorcom variants,
# the NICs' notification and packet counters (notifications per packet).
# Raw lines: bench-defpath-raw.log "PATH TEST REP KEY VALUE" (bench_rec) and
# bench-defpath-ping.log "PATH REP RTT_MS"; bench/defpath_report makes the table.
REPS=3
LAB_BOOT_WAIT=1500
T=4
PINGS=100
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
GA=00:16:3e:cc:00:1a GB=00:16:3e:cc:00:1b
BENCH_RAW=$LAB_LOGDIR/bench-defpath-raw.log
PINGLOG=$LAB_LOGDIR/bench-defpath-ping.log
CTRS=$LAB_LOGDIR/bench-defpath-counters.log
: >"$BENCH_RAW"; : >"$PINGLOG"; : >"$CTRS"
VARIANTS="netback loopback colorcom cc_contig cc_defer"
P=/sys/module/colorcom/parameters

check colorcomd-starts cc_daemon
# lab_pair_both_paths, except that the module loads with its debug lines on: each TX
# ring's setup logs how many runs of adjacent pages it got (link.c).
cc_load() { g "$1" 'insmod /lib/colorcom/colorcom.ko dyndbg=+p'; }
lab_pair_both_paths $MA $MB
# The second colorcom network, its links set up with the contiguous TX block.
for n in a b; do g $n "echo 1 >$P/tx_contig" >/dev/null; done
check attach-green-a colorcomctl attach a network=green,mac=$GA
check attach-green-b colorcomctl attach b network=green,mac=$GB
JA=$(cc_ifname a "$GA") JB=$(cc_ifname b "$GB")
g a "ip addr add 10.2.0.1/24 dev $JA && ip link set $JA up" >/dev/null
g b "ip addr add 10.2.0.2/24 dev $JB && ip link set $JB up" >/dev/null
check carrier-green-a cc_wait_carrier a "${JA:-none}"
check carrier-green-b cc_wait_carrier b "${JB:-none}"
for n in a b; do g $n "echo 0 >$P/tx_contig" >/dev/null; done
# Exactly one of each guest's two TX rings (green's) is one block; the dynamic-debug
# line of each ring says how many runs of adjacent pages the page-by-page one got.
for n in a b; do
	c=$(g $n "cat $P/tx_rings_contig")
	result "tx_rings_contig_$n" "$c"
	check "green-ring-contig-$n" test "$c" = 1
	g $n "dmesg | grep 'TX ring:'" >>"$CTRS" 2>&1
done
check netback-ping g a 'ping -c 3 -W 10 10.0.0.2'
check colorcom-ping g a 'ping -c 3 -W 10 10.1.0.2'
check green-ping g a 'ping -c 3 -W 10 10.2.0.2'
g b 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
g a 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
g a "ethtool -k $IA | grep -E 'segmentation|scatter|checksumming'; ethtool -g $IA; grep . $P/*" >"$LAB_LOGDIR/bench-defpath-config.log" 2>&1
for ip in 10.0.0.2 10.1.0.2 10.2.0.2 127.0.0.1; do bench_iperf a $ip 2 >/dev/null; done

ip_of() {
	case $1 in
	netback) echo 10.0.0.2 ;; loopback) echo 127.0.0.1 ;; cc_contig) echo 10.2.0.2 ;;
	*) echo 10.1.0.2 ;;
	esac
}
# knobs VARIANT on|off: set or clear what the variant changes, in both guests.
knobs() {
	local v=$1 on=$2 d t
	case $v in
	cc_defer)
		if [ "$on" = on ]; then d=2 t=20000; else d=0 t=0; fi
		g a "echo $d >/sys/class/net/$IA/napi_defer_hard_irqs; echo $t >/sys/class/net/$IA/gro_flush_timeout" >/dev/null
		g b "echo $d >/sys/class/net/$IB/napi_defer_hard_irqs; echo $t >/sys/class/net/$IB/gro_flush_timeout" >/dev/null ;;
	esac
}
# ctr NAME IFACE: "user nice system idle iowait irq softirq steal" jiffies of the guest,
# then its NIC's notify_tx notify_rx rx_packets tx_packets (0s without a NIC).
ctr() {
	local k='$1 ~ /^(notify_tx|notify_rx|rx_packets|tx_packets):$/ {v[$1] = $2} END {printf " %d %d %d %d", v["notify_tx:"], v["notify_rx:"], v["rx_packets:"], v["tx_packets:"]}'
	g "$1" "head -n1 /proc/stat | cut -d' ' -f3-10 | tr '\n' ' '; if [ -n '$2' ]; then ethtool -S $2 | awk '$k'; else echo ' 0 0 0 0'; fi"
}
ifs_of() {
	case $1 in
	netback|loopback) echo "" ;; cc_contig) echo "$JA $JB" ;; *) echo "$IA $IB" ;;
	esac
}
# measure VARIANT REP TEST CMD...: runs CMD, prints its output; in repetition 1 the
# counters of both guests around it go to the counters log.
measure() {
	local v=$1 r=$2 t=$3 ia ib a0 b0 a1 b1 out
	shift 3
	if [ "$r" = 1 ]; then
		read -r ia ib <<<"$(ifs_of "$v")"
		a0=$(ctr a "$ia") b0=$(ctr b "$ib")
	fi
	out=$("$@")
	if [ "$r" = 1 ]; then
		a1=$(ctr a "$ia") b1=$(ctr b "$ib")
		echo "$v $t a-before $a0" >>"$CTRS"; echo "$v $t a-after $a1" >>"$CTRS"
		echo "$v $t b-before $b0" >>"$CTRS"; echo "$v $t b-after $b1" >>"$CTRS"
	fi
	printf '%s\n' "$out"
}
one_variant() {	# VARIANT REP
	local v=$1 r=$2 ip out
	ip=$(ip_of "$v")
	knobs "$v" on
	out=$(measure "$v" "$r" tcp1_ab bench_iperf a "$ip" $T)
	bench_rec "$v" tcp1_ab "$r" mbps "${out%% *}"
	out=$(g a "ping -c $PINGS -i 0.02 -W 2 $ip")
	printf '%s\n' "$out" | sed -n "s/.*time=\([0-9.]*\) ms.*/$v $r \1/p" >>"$PINGLOG"
	bench_rec "$v" ping "$r" replies "$(printf '%s\n' "$out" | grep -c 'time=')"
	out=$(measure "$v" "$r" rr g a "ccxfer rr $ip 5301 $T")
	bench_rec "$v" rr "$r" tps "$(echo "$out" | awk '$1 == "tps" {print $2}')"
	bench_rec "$v" rr "$r" p50_us "$(echo "$out" | awk '$1 == "tps" {print $6}')"
	bench_rec "$v" rr "$r" p99_us "$(echo "$out" | awk '$1 == "tps" {print $8}')"
	knobs "$v" off
}

set -- $VARIANTS
NV=$#
for r in $(seq 1 $REPS); do
	# Rotate: repetition r starts at variant (r - 1) mod NV.
	order=$(echo $VARIANTS | tr ' ' '\n' | awk -v s=$(((r - 1) % NV)) -v n=$NV '{v[NR - 1] = $0} END {for (i = 0; i < n; i++) print v[(i + s) % n]}')
	for v in $order; do
		note "rep $r: $v"
		one_variant "$v" "$r"
	done
done

for v in $VARIANTS; do
	n=$(awk -v p=$v '$1 == p && $2 == "tcp1_ab" && $4 == "mbps" && $5 > 0' "$BENCH_RAW" | wc -l)
	if [ "$n" = "$REPS" ]; then pass "$v-tcp-measured"; else fail "$v-tcp-measured" "$n of $REPS runs gave a figure"; fi
	n=$(awk -v p=$v '$1 == p' "$PINGLOG" | wc -l)
	if [ "$n" -ge $((PINGS * REPS * 9 / 10)) ]; then pass "$v-ping-measured"; else fail "$v-ping-measured" "$n ping replies"; fi
	n=$(awk -v p=$v '$1 == p && $2 == "rr" && $4 == "tps" && $5 > 0' "$BENCH_RAW" | wc -l)
	if [ "$n" = "$REPS" ]; then pass "$v-rr-measured"; else fail "$v-rr-measured" "$n of $REPS runs gave a figure"; fi
	result "${v}_tcp_mbps" "$(awk -v p=$v '$1 == p && $2 == "tcp1_ab" && $4 == "mbps" {print $5}' "$BENCH_RAW" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
done
for n in a b; do g $n "grep . $P/*" >>"$CTRS" 2>&1; done
g a "ethtool -S $IA" >"$LAB_LOGDIR/bench-defpath-ethtool-a.log" 2>&1
g b "ethtool -S $IB" >"$LAB_LOGDIR/bench-defpath-ethtool-b.log" 2>&1

# The raw figures onto the console now (as the end-of-boot dump would), so a later
# failure or the time limit cannot lose them.
for f in "$LAB_LOGDIR"/bench-defpath-*.log; do
	[ -f "$f" ] || continue
	sed "s|^|@@LOG $(basename "$f")\||" "$f" >"$LAB_CONSOLE"
	rm -f "$f"
done
