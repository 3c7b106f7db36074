# bench-vcpu (make -C bench vcpu): do 2-vCPU guests move more TCP than 1-vCPU guests,
# on colorcom and on netfront/netback, in ONE boot?  Four guests: a1, b1 with 1 vCPU,
# a2, b2 with 2 vCPUs.  Each has a vif on dom0's bridge br0 (netback, 10.0.0.N) and a
# colorcom NIC on network "blue" (10.1.0.N), so every guest has three colorcom links
# (one per peer) and netfront gets one queue per vCPU (netback allows dom0's 2).
#   - pair tests: a1 -> b1 (v1) against a2 -> b2 (v2), iperf3 with 1, 2 and 4 flows;
#     v2rps: a2 -> b2 over colorcom with RPS on both NICs (rps_cpus 3: the one link's
#     flows hashed over both vCPUs; colorcom has one NAPI context per link, so one peer
#     is one context);
#   - fan-in: the three other guests send to b1 (v1) or to b2 (v2) at once: three links,
#     three NAPI contexts in the receiver.  The receiver's NIC interrupts and NET_RX
#     softirqs per vCPU are recorded; in b2 both vCPUs must take link interrupts and
#     run NAPI polls.
#   - an admin can move a link's interrupt to the other vCPU (smp_affinity_list).
# Raw lines "PATH TEST REP KEY VALUE" go to /var/log/lab/bench-vcpu-raw.log, medians to
# bench-vcpu-table.log (the table in docs/performance.md, "Multi-queue, 2-vCPU guests").
REPS=3      # repetitions of every test; the order of paths and configs rotates
T=4         # seconds per iperf3 run
LAB_BOOT_WAIT=2000
BENCH_RAW=$LAB_LOGDIR/bench-vcpu-raw.log
TABLE=$LAB_LOGDIR/bench-vcpu-table.log
: >"$BENCH_RAW"; : >"$TABLE"
S=/lab/scenario
GUESTS="a1 b1 a2 b2"
declare -A NUM=([a1]=11 [b1]=12 [a2]=21 [b2]=22) VCPUS=([a1]=1 [b1]=1 [a2]=2 [b2]=2) IF

check colorcomd-starts cc_daemon
# Two guests at a time: four kernels booting at once on two TCG cores starved one
# into a soft lockup warning (free_reserved_area, 26 s) before any colorcom code ran.
up=0
for pair in "a1 b1" "a2 b2"; do
	pids=
	for n in $pair; do
		LAB_GUEST_VCPUS=${VCPUS[$n]} lab_guest_start $n "vif = [\"bridge=br0,mac=00:16:3e:00:02:${NUM[$n]}\"]" & pids="$pids $!"
	done
	wait $pids
	for n in $pair; do lab_guest_wait $n && up=$((up + 1)); done
done
if [ $up = 4 ]; then pass guests-up; else fail guests-up "$up of 4 guests booted"; exit 1; fi
for n in $GUESTS; do
	c=$(g $n 'grep -c ^processor /proc/cpuinfo')
	if [ "$c" = "${VCPUS[$n]}" ]; then pass vcpus-$n; else fail vcpus-$n "guest sees '$c' CPUs, config says ${VCPUS[$n]}"; fi
	check module-loads-$n cc_load $n
	check attach-$n colorcomctl attach $n network=blue,mac=00:16:3e:cc:02:${NUM[$n]}
	IF[$n]=$(cc_ifname $n 00:16:3e:cc:02:${NUM[$n]})
	# One line: g sends its command as one console line.
	g $n "ip addr add 10.0.0.${NUM[$n]}/24 dev eth0 && ip link set eth0 up && ip addr add 10.1.0.${NUM[$n]}/24 dev ${IF[$n]} && ip link set ${IF[$n]} up; for p in 5201 5202 5203; do iperf3 -s -D -p \$p; done" >/dev/null
done
for n in $GUESTS; do check links-$n cc_wait_links $n "${IF[$n]:-none}" 3 120; done
for n in a2 b2; do
	result netfront_txq_$n "$(g $n 'ls -d /sys/class/net/eth0/queues/tx-* | wc -l')"
	result colorcom_txq_$n "$(g $n "ls -d /sys/class/net/${IF[$n]}/queues/tx-* | wc -l")"
done
# Warm-up on both paths (ARP, iperf3 pages), not recorded.
for p in 0 1; do
	bench_iperf a1 10.$p.0.12 1 >/dev/null
	bench_iperf a2 10.$p.0.22 1 >/dev/null
done

# The three colorcom links of each 2-vCPU guest: which vCPU each interrupt is bound
# to.  The guest kernel (6.1) gives a new event channel the online vCPU with the
# fewest channels (drivers/xen/events: select_target_cpu), the driver adds nothing.
for n in a2 b2; do
	v=$(g $n "$S/irqs ${IF[$n]}-p")
	echo "$n colorcom link irqs after setup: $v" >>"$TABLE"
	cpus=$(echo "$v" | tr ' ' '\n' | awk -F: 'NF == 3 {print $3}' | sort -u | tr '\n' ' ')
	if [ "$cpus" = "0 1 " ]; then pass link-irqs-on-both-vcpus-$n
	else fail link-irqs-on-both-vcpus-$n "the link irqs' vCPUs are '$cpus' ($v)"; fi
done

ip_of() { if [ "$2" = netback ]; then echo 10.0.0.${NUM[$1]}; else echo 10.1.0.${NUM[$1]}; fi; }
# busy_delta B0 B1: per-CPU busy seconds between two cpubusy outputs, "c0 c1".
busy_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) printf "%.2f ", (y[i] - x[i]) / 100; print ""}'
}
# rec_cpus PATH TEST REP WHO "s0 s1": WHO_cpuK_busy_s records.
rec_cpus() {
	local p=$1 t=$2 r=$3 w=$4 k=0 v
	for v in $5; do bench_rec "$p" "$t" "$r" "${w}_cpu${k}_busy_s" "$v"; k=$((k + 1)); done
}
# pair PATH CFG FLOWS REP SRC DST [RPS]: one iperf3 run SRC -> DST with FLOWS streams.
pair() {
	local p=$1 c=$2 f=$3 r=$4 s=$5 d=$6 t=${2}_tcp$3 ip v s0 s1 bs0 bd0 bs1 bd1
	ip=$(ip_of $d $p)
	bs0=$(g $s $S/cpubusy) bd0=$(g $d $S/cpubusy)
	s0=$(bench_snap $s $d)
	v=$(bench_iperf $s $ip $T "-P $f")
	s1=$(bench_snap $s $d)
	bs1=$(g $s $S/cpubusy) bd1=$(g $d $S/cpubusy)
	bench_rec $p $t $r mbps "${v%% *}"
	bench_rec_cost $p $t $r "$(bench_delta "$s0" "$s1")"
	rec_cpus $p $t $r src "$(busy_delta "$bs0" "$bs1")"
	rec_cpus $p $t $r dst "$(busy_delta "$bd0" "$bd1")"
	log "$p $t rep $r: ${v%% *} Mbit/s"
}
# fanin PATH CFG REP RCV: the three other guests send to RCV at once (ports 5201..5203),
# started on the same second of the guests' clock (they share Xen's wallclock).
fanin() {
	local p=$1 c=$2 r=$3 d=$4 t=${2}_fanin3 ip start s port tot=0 v x pat i0 i1 bd0 bd1 n0 n1 snd=
	ip=$(ip_of $d $p)
	if [ $p = netback ]; then pat=vif0-q; else pat=${IF[$d]}-p; fi
	for s in $GUESTS; do [ $s = $d ] || snd="$snd $s"; done
	i0=$(g $d "$S/irqs $pat") bd0=$(g $d $S/cpubusy) n0=$(g $d $S/netrx)
	start=$(( $(g $d 'date +%s') + 4 ))
	port=5201
	for s in $snd; do
		g $s "rm -f /tmp/fan.json; (while [ \$(date +%s) -lt $start ]; do usleep 20000; done; iperf3 -c $ip -p $port -t $T -i 0 -J >/tmp/fan.json 2>&1) >/dev/null 2>&1 &" >/dev/null
		port=$((port + 1))
	done
	sleep $((T + 3))
	for s in $snd; do
		v=$(G_TIMEOUT=60 g $s "for j in \$(seq 60); do grep -q '^}' /tmp/fan.json 2>/dev/null && break; sleep 0.5; done; cat /tmp/fan.json" |
			jq -r '.end.sum_received.bits_per_second / 1e6 | floor' 2>/dev/null)
		bench_rec $p $t $r "from_${s}_mbps" "${v:-0}"
		tot=$((tot + ${v:-0}))
	done
	i1=$(g $d "$S/irqs $pat") bd1=$(g $d $S/cpubusy) n1=$(g $d $S/netrx)
	bench_rec $p $t $r mbps $tot
	rec_cpus $p $t $r dst "$(busy_delta "$bd0" "$bd1")"
	# Interrupts of the receiver's NIC per vCPU (the numbers before the irq list).
	v=$(awk -v a="${i0%%|*}" -v b="${i1%%|*}" 'BEGIN {n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) printf "%d ", y[i] - x[i]; print ""}')
	rec_cpus $p $t $r dst_irqs "$v"
	# NET_RX softirqs per vCPU: where the receiver's NAPI polls ran.  Under load a
	# poll that keeps finding work does not re-enable its interrupt, so interrupt
	# counts stay small; the softirq counts show the work.
	x=$(awk -v a="$n0" -v b="$n1" 'BEGIN {n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) printf "%d ", y[i] - x[i]; print ""}')
	rec_cpus $p $t $r dst_netrx "$x"
	echo "$p $t rep $r: $tot Mbit/s into $d; per vCPU: NIC irqs $v, NET_RX $x, busy s $(busy_delta "$bd0" "$bd1") ($i1)" >>"$TABLE"
	log "$p $t rep $r: $tot Mbit/s, per vCPU irqs $v NET_RX $x" >&2
	echo "$v $x"
}
rps() {	# on|off: RPS over both vCPUs on the colorcom NICs of a2 and b2
	local m=0 n
	[ $1 = on ] && m=3
	for n in a2 b2; do g $n "echo $m >/sys/class/net/${IF[$n]}/queues/rx-0/rps_cpus" >/dev/null; done
}

for r in $(seq 1 $REPS); do
	if [ $((r % 2)) = 1 ]; then paths="netback colorcom" cfgs="v1 v2 v2rps"
	else paths="colorcom netback" cfgs="v2rps v2 v1"; fi
	for c in $cfgs; do
		for f in 1 2 4; do
			case $c in
			v1) for p in $paths; do pair $p v1 $f $r a1 b1; done ;;
			v2) for p in $paths; do pair $p v2 $f $r a2 b2; done ;;
			v2rps) rps on; pair colorcom v2rps $f $r a2 b2; rps off ;;
			esac
		done
	done
	for d in b1 b2; do
		for p in $paths; do
			v=$(fanin $p v${VCPUS[$d]} $r $d)
			# Only checked on colorcom: netfront's queues follow its own rules.
			if [ $p = colorcom ] && [ $d = b2 ]; then
				# "irq0 irq1 netrx0 netrx1": both vCPUs took link interrupts and ran
				# NAPI polls (30 in 4 s is far below any real fan-in).
				set -- $v
				if [ "${1:-0}" -ge 1 ] && [ "${2:-0}" -ge 1 ] && [ "${3:-0}" -ge 30 ] && [ "${4:-0}" -ge 30 ]; then
					pass fanin-napi-on-both-vcpus-$r
				else fail fanin-napi-on-both-vcpus-$r "b2 per vCPU: link irqs ${1:-?} ${2:-?}, NET_RX ${3:-?} ${4:-?}"; fi
			fi
		done
	done
	log "rep $r done"
done

# An admin moves one of b2's link interrupts (the link to a1) to the other vCPU; a1's
# pings to b2 must then be taken there.
nm=${IF[b2]}-p$(domid a1)
mv=$(g b2 "$S/irqmove $nm")
set -- $mv
if [ $# = 4 ] && [ "$3" = "$4" ]; then pass irq-affinity-move
else fail irq-affinity-move "irqmove $nm said: $mv"; fi
i0=$(g b2 "$S/irqs $nm")
g a1 'ping -c 30 -i 0.05 -W 2 10.1.0.22' >/dev/null
i1=$(g b2 "$S/irqs $nm")
echo "irq move: $mv; $nm per vCPU before pings: $i0, after: $i1" >>"$TABLE"
d=$(awk -v a="${i0%%|*}" -v b="${i1%%|*}" -v new="${3:-9}" 'BEGIN {split(a, x, " "); split(b, y, " ")
	print y[new + 1] - x[new + 1], y[2 - new] - x[2 - new]}')
set -- $d
if [ "${1:-0}" -ge 15 ] && [ "${2:-99}" -le 2 ]; then pass irq-moved-link-interrupts-follow
else fail irq-moved-link-interrupts-follow "30 pings: $1 interrupts on the new vCPU, $2 on the old"; fi

# Every figure exists (an iperf3 that failed records 0).
for p in colorcom netback; do
	for t in v1_tcp1 v1_tcp4 v2_tcp1 v2_tcp4 v1_fanin3 v2_fanin3; do
		n=$(awk -v p=$p -v t=$t '$1 == p && $2 == t && $4 == "mbps" && $5 > 0' "$BENCH_RAW" | wc -l)
		if [ "$n" = $REPS ]; then pass $p-$t-measured; else fail $p-$t-measured "$n of $REPS runs gave a figure"; fi
	done
done

# Medians (min-max) into the table, and the headline figures as results.
med() {	# PATH TEST KEY -> "median min max"
	awk -v p=$1 -v t=$2 -v k=$3 '$1 == p && $2 == t && $4 == k {print $5}' "$BENCH_RAW" | sort -g |
		awk '{v[NR] = $1} END {if (NR) printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR]; else print "- - -"}'
}
{
	echo "Mbit/s, median (min-max) of $REPS runs of ${T} s; busy = receiver's busy seconds per vCPU (median), cpu0/cpu1"
	printf '| %-10s | %-8s | %-20s | %-13s | %-20s | %-13s |\n' test config colorcom busy netback busy
	for t in tcp1 tcp2 tcp4 fanin3; do
		for c in v1 v2 v2rps; do
			[ $c = v2rps ] && [ $t = fanin3 ] && continue
			line="| $t | $c"
			for p in colorcom netback; do
				set -- $(med $p ${c}_$t mbps)
				if [ "$1" = - ]; then line="$line | - | -"; continue; fi
				b0=$(med $p ${c}_$t dst_cpu0_busy_s) b1=$(med $p ${c}_$t dst_cpu1_busy_s)
				line="$line | $1 ($2-$3) | ${b0%% *}/${b1%% *}"
			done
			echo "$line |"
			# result also prints on stdout, which goes into the table here.
			[ $c = v2rps ] || result "${c}_${t}_colorcom_mbps" "$(med colorcom ${c}_$t mbps | cut -d' ' -f1)" >/dev/null
			[ $c = v2rps ] || result "${c}_${t}_netback_mbps" "$(med netback ${c}_$t mbps | cut -d' ' -f1)" >/dev/null
		done
	done
} >>"$TABLE"
g b2 'cat /proc/interrupts' >"$LAB_LOGDIR/bench-vcpu-interrupts-b2.log" 2>&1
g a2 'cat /proc/interrupts' >"$LAB_LOGDIR/bench-vcpu-interrupts-a2.log" 2>&1
for n in a2 b2; do g $n "ethtool -S ${IF[$n]}" >"$LAB_LOGDIR/bench-vcpu-ethtool-$n.log" 2>&1; done

# The figures reach the host now (as the end-of-boot dump would), in case anything
# after this script fails.
for f in "$LAB_LOGDIR"/bench-vcpu-*.log; do
	[ -f "$f" ] || continue
	sed "s|^|@@LOG $(basename "$f")\||" "$f" >"$LAB_CONSOLE"
	rm -f "$f"
done
