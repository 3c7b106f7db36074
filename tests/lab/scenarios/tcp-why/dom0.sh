# tcp-why: what limits ONE colorcom TCP stream between two guests (issue #17 item 8)?
# Two guests as in bench (a vif on br0 = netback, 10.0.0.0/24; a colorcom NIC on "blue",
# 10.1.0.0/24), one boot.  Not in the suite; run by name after staging ss:
#   tests/lab/scenarios/tcp-why/stage; tests/lab/run tcp-why
#
# Part 1, diagnosis (one sampled stream per variant, iperf3 a -> b, $T s): while it runs,
# sample.sh reads tcp_info with ss every 0.5 s in both guests (sender: cwnd, rtt,
# unacked, notsent, pacing/delivery rate and the chrono stats busy / rwnd_limited /
# sndbuf_limited, which say what held the sender back; receiver: rcv_space,
# rcv_ssthresh, socket memory) and the NIC's BQL state; around it, both guests' Tcp and
# TcpExt counters, /proc/stat (idle and steal share), ethtool -S and the sender's qdisc
# statistics; iperf3's own JSON gives the sender's max cwnd, mean rtt and the last
# interval's snd_wnd (the receiver's advertised window).  Each variant changes one thing:
#   netback      the reference path
#   colorcom     the default driver
#   cc_rmem      the receiver's tcp_rmem 4 MiB initial / 16 MiB max (its window)
#   cc_bufs      tcp_rmem / tcp_wmem maximum 16 MiB in both guests (rwnd, sndbuf)
#   cc_tsq       tcp_limit_output_bytes 16 MiB on the sender (TCP small queues)
#   cc_quickack  the receiver's route to the sender with quickack 1 (no delayed ACKs)
#   cc_zc        iperf3 -Z: sendfile, one copy less on the sender
#   cc_p4        iperf3 -P 4: four streams (a per-stream limit or the guests' CPU?)
# VARIANTS picks which run.  (The boots of 2026-12-04 ran netback colorcom cc_bufs cc_tsq
# cc_quickack cc_zc cc_p4, then netback colorcom cc_rmem and a driver variant with an
# early ring hand-back that was not kept: docs/performance.md, "What limits one TCP
# stream".)
# Part 2, the figures of record: $REPS repetitions of RECORD's paths, unsampled, the order
# rotating; same-boot ratios against netback per repetition and their median.
# Raw samples and counter deltas: tcp-why-samples.log, tcp-why-counters.log.
REPS=3 T=8 N=8
VARIANTS="netback colorcom cc_rmem cc_bufs cc_tsq cc_zc cc_p4"
RECORD="netback colorcom"
LAB_BOOT_WAIT=1500
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
SAMPLES=$LAB_LOGDIR/tcp-why-samples.log
CTRS=$LAB_LOGDIR/tcp-why-counters.log
: >"$SAMPLES"; : >"$CTRS"
SS="LD_LIBRARY_PATH=/lab/scenario/tools /lab/scenario/tools/ss"

check colorcomd-starts cc_daemon
lab_pair_both_paths $MA $MB
check netback-ping g a 'ping -c 3 -W 10 10.0.0.2'
check colorcom-ping g a 'ping -c 3 -W 10 10.1.0.2'
for n in a b; do g $n "insmod /lab/scenario/tools/inet_diag.ko; insmod /lab/scenario/tools/tcp_diag.ko" >/dev/null 2>&1; done
check ss-in-guests g a "$SS -V && grep -q '^tcp_diag ' /proc/modules"
check tcp-diag-b g b "grep -q '^tcp_diag ' /proc/modules"
g b 'iperf3 -s -D >/dev/null 2>&1' >/dev/null
for ip in 10.0.0.2 10.1.0.2; do bench_iperf a $ip 2 >/dev/null; done
for n in a b; do
	g $n "cd /proc/sys/net; grep . ipv4/tcp_congestion_control ipv4/tcp_wmem ipv4/tcp_rmem ipv4/tcp_limit_output_bytes ipv4/tcp_autocorking core/default_qdisc core/wmem_max core/rmem_max; tc qdisc show" >>"$CTRS" 2>&1
done

# counters GUEST DEV: "key value" lines: every Tcp and TcpExt counter, the cpu line of
# /proc/stat (USER_HZ ticks) and DEV's ethtool -S.
counters() {
	g "$1" "cat /proc/net/netstat /proc/net/snmp; head -n1 /proc/stat; ethtool -S $2; tc -s qdisc show dev $2" | awk '
	/^qdisc / { nq++; next }
	/^ Sent / && nq == 1 { gsub(/[(),]/, " "); print "tc.sent_pkts", $4; print "tc.dropped", $7; print "tc.requeues", $11; next }
	/ecn_mark|drop_overlimit/ { for (i = 1; i < NF; i++) if ($i == "ecn_mark" || $i == "drop_overlimit") t[$i] += $(i + 1); next }
	END { for (k in t) print "tc." k, t[k] }
	/^[A-Za-z]+: / && $2 !~ /^-?[0-9]/ { for (i = 2; i <= NF; i++) h[$1, i] = $i; next }
	/^(Tcp|TcpExt): / { p = substr($1, 1, length($1) - 1); for (i = 2; i <= NF; i++) print p "." h[$1, i], $i; next }
	$1 == "cpu" { split("user nice system idle iowait irq softirq steal", f, " ")
		for (i = 1; i <= 8; i++) print "cpu." f[i], $(i + 1); next }
	/^ +[A-Za-z0-9_.]+: [0-9]+$/ { k = $1; sub(/:$/, "", k); print "eth." k, $2 }'
}
# delta BEFORE AFTER: the keys that moved, "key delta".
delta() { awk 'NR == FNR { a[$1] = $2; next } $2 != a[$1] { print $1, $2 - a[$1] }' "$1" "$2"; }
# val FILE KEY: one value of a delta file (0 if it did not move).
val() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }
# idle FILE: the guest's idle and steal share of its CPU ticks, "idle% steal%".
idle() {
	awk '$1 ~ /^cpu\./ { t += $2; if ($1 == "cpu.idle") i = $2; if ($1 == "cpu.steal") s = $2 }
	     END { if (t > 0) printf "%.0f %.0f\n", 100 * i / t, 100 * s / t; else print "0 0" }' "$1"
}
# sget FILE KEY: from the sample lines, the median of KEY's leading number.
sget() {
	awk -v k="$2" '$1 == "sample" { for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) {
		v = substr($i, length(k) + 2); sub(/[^0-9.].*/, "", v); if (v != "") x[n++] = v + 0 } }
	END { if (!n) { print "-"; exit }
	      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
	      print x[int((n - 1) / 2)] }' "$1"
}
# slast FILE KEY: KEY's raw value in the last sample that has it.
slast() {
	awk -v k="$2" '$1 == "sample" { for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2) }
	END { print (v == "" ? "-" : v) }' "$1"
}

ip_of() { if [ "$1" = netback ]; then echo 10.0.0.2; else echo 10.1.0.2; fi; }
if_of() { if [ "$1" = netback ]; then echo eth0; else eval echo "\$I$2"; fi; }
# knobs VARIANT on|off: set or undo what the variant changes outside iperf3's arguments.
knobs() {
	local v q n
	case $1 in
	cc_rmem)
		# An accepted socket starts with its listener's buffer, which took tcp_rmem's
		# default when it was made: the server restarts after the change.
		if [ "$2" = on ]; then v='4096 4194304 16777216'; else v=$RMEM0_b; fi
		g b "killall iperf3; sleep 0.5; echo '$v' >/proc/sys/net/ipv4/tcp_rmem; iperf3 -s -D >/dev/null 2>&1" >/dev/null ;;
	cc_bufs)
		for n in a b; do
			if [ "$2" = on ]; then
				g $n "echo '4096 131072 16777216' >/proc/sys/net/ipv4/tcp_rmem; echo '4096 16384 16777216' >/proc/sys/net/ipv4/tcp_wmem" >/dev/null
			else
				eval "g $n \"echo '\$RMEM0_$n' >/proc/sys/net/ipv4/tcp_rmem; echo '\$WMEM0_$n' >/proc/sys/net/ipv4/tcp_wmem\"" >/dev/null
			fi
		done ;;
	cc_tsq)
		if [ "$2" = on ]; then v=16777216; else v=$TSQ0; fi
		g a "echo $v >/proc/sys/net/ipv4/tcp_limit_output_bytes" >/dev/null ;;
	cc_quickack)
		if [ "$2" = on ]; then q="quickack 1"; else q=; fi
		g b "ip route change 10.1.0.0/24 dev $IB proto kernel scope link src 10.1.0.2 $q" >/dev/null ;;
	esac
}
args_of() {
	case $1 in cc_zc) echo "-Z" ;; cc_p4) echo "-P 4" ;; *) echo "" ;; esac
}
TSQ0=$(g a "cat /proc/sys/net/ipv4/tcp_limit_output_bytes")
for n in a b; do
	eval "RMEM0_$n=\$(g $n 'cat /proc/sys/net/ipv4/tcp_rmem' | tr -s '\t ' '  ')"
	eval "WMEM0_$n=\$(g $n 'cat /proc/sys/net/ipv4/tcp_wmem' | tr -s '\t ' '  ')"
done

# stream VARIANT REP SAMPLE: one iperf3 a -> b; sets MBPS to the receiver's Mbit/s (call
# it directly: result lines go to stdout too).  With SAMPLE=1 it also samples tcp_info
# and BQL and records the diagnosis.
stream() {
	local v=$1 r=$2 s=$3 ip ia ib j mbps d
	ip=$(ip_of "$v") ia=$(if_of "$v" A) ib=$(if_of "$v" B)
	# The iperf3 server takes a moment after a test ends before it accepts the next
	# (the first boot lost two back-to-back runs to "server busy").
	sleep 2
	knobs "$v" on
	counters a "$ia" >/tmp/ca0; counters b "$ib" >/tmp/cb0
	if [ "$s" = 1 ]; then
		g b "rm -f /tmp/ss-b*; ((sleep 2.5; sh /lab/scenario/sample.sh /tmp/ss-b $N $ib) >/dev/null 2>&1 &)" >/dev/null
		g a "rm -f /tmp/ss-a* /tmp/ip.json; (iperf3 -c $ip -t $T -J $(args_of "$v") >/tmp/ip.json 2>&1 &); ((sleep 1.5; sh /lab/scenario/sample.sh /tmp/ss-a $N $ia) >/dev/null 2>&1 &)" >/dev/null
	else
		g a "rm -f /tmp/ip.json; (iperf3 -c $ip -t $T -i 0 -J $(args_of "$v") >/tmp/ip.json 2>&1 &)" >/dev/null
	fi
	G_TIMEOUT=$((T + 90)) g a "sleep $T; i=0; while pidof iperf3 >/dev/null && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done" >/dev/null
	[ "$s" = 1 ] && for n in a b; do
		G_TIMEOUT=60 g $n "i=0; while [ ! -e /tmp/ss-$n.done ] && [ \$i -lt 200 ]; do sleep 0.2; i=\$((i + 1)); done" >/dev/null
	done
	counters a "$ia" >/tmp/ca1; counters b "$ib" >/tmp/cb1
	knobs "$v" off
	delta /tmp/ca0 /tmp/ca1 >/tmp/da; delta /tmp/cb0 /tmp/cb1 >/tmp/db
	j=$(g a "cat /tmp/ip.json")
	mbps=$(printf '%s\n' "$j" | jq -r '.end.sum_received.bits_per_second / 1e6 | floor' 2>/dev/null)
	[ -n "$mbps" ] && [ "$mbps" != null ] || mbps=0
	{
		echo "== $v rep $r: $mbps Mbit/s"
		printf '%s\n' "$j" | jq -c '{retr: .end.sum_sent.retransmits, cpu_snd: .end.cpu_utilization_percent.host_total, cpu_rcv: .end.cpu_utilization_percent.remote_total, max_cwnd: [.end.streams[].sender.max_snd_cwnd], mean_rtt_us: [.end.streams[].sender.mean_rtt], snd_wnd: [.intervals[-1].streams[]?.snd_wnd]}' 2>&1
		echo "-- a (sender) deltas"; cat /tmp/da
		echo "-- b (receiver) deltas"; cat /tmp/db
	} >>"$CTRS"
	MBPS=$mbps
	[ "$s" = 1 ] || return 0
	g a "cat /tmp/ss-a" >/tmp/ssa; g b "cat /tmp/ss-b" >/tmp/ssb
	{ echo "== $v rep $r: sender a"; cat /tmp/ssa; echo "== $v rep $r: receiver b"; cat /tmp/ssb; } >>"$SAMPLES"
	# The sender: what the stream looked like and what held it back.
	local cw rtt un mss nsent busy rw sb pace dlv ib_a st_a ib_b st_b acks data ia_n
	cw=$(sget /tmp/ssa cwnd) rtt=$(sget /tmp/ssa rtt) un=$(sget /tmp/ssa unacked) mss=$(sget /tmp/ssa mss)
	nsent=$(sget /tmp/ssa notsent)
	busy=$(slast /tmp/ssa busy) rw=$(slast /tmp/ssa rwnd_limited) sb=$(slast /tmp/ssa sndbuf_limited)
	pace=$(slast /tmp/ssa pacing_rate) dlv=$(slast /tmp/ssa delivery_rate)
	set -- $(idle /tmp/da); ib_a=$1 st_a=$2
	set -- $(idle /tmp/db); ib_b=$1 st_b=$2
	result "${v}_mbps" "$mbps"
	# iperf3's own CPU share of each end's process over the test (user + system).
	result "${v}_cpu_pct_snd_rcv" "$(printf '%s\n' "$j" | jq -r '[.end.cpu_utilization_percent.host_total, .end.cpu_utilization_percent.remote_total] | map(floor | tostring) | join(" ")' 2>/dev/null)"
	result "${v}_snd_cwnd_median" "$cw"
	result "${v}_snd_rtt_ms_median" "$rtt"
	result "${v}_snd_unacked_median" "$un"
	result "${v}_snd_inflight_bytes_median" "$(awk -v u="$un" -v m="$mss" 'BEGIN {printf "%d", u * m}')"
	# In flight against the bandwidth-delay product the stream achieved: near 1 means
	# the stream moves exactly what is in flight once per RTT (window-bound).
	result "${v}_bdp_bytes" "$(awk -v b="$mbps" -v t="$rtt" 'BEGIN {printf "%d", b * 1e6 / 8 * t / 1000}')"
	result "${v}_snd_notsent_median" "$nsent"
	result "${v}_snd_busy" "$busy"
	result "${v}_snd_rwnd_limited" "$rw"
	result "${v}_snd_sndbuf_limited" "$sb"
	result "${v}_snd_pacing_rate" "$pace"
	result "${v}_snd_delivery_rate" "$dlv"
	result "${v}_snd_app_limited_samples" "$(grep -c 'app_limited=1' /tmp/ssa)"
	result "${v}_rcv_space_median" "$(sget /tmp/ssb rcv_space)"
	result "${v}_rcv_ssthresh_median" "$(sget /tmp/ssb rcv_ssthresh)"
	result "${v}_rcv_rtt_ms_median" "$(sget /tmp/ssb rcv_rtt)"
	result "${v}_rcv_skmem_last" "$(slast /tmp/ssb skmem)"
	result "${v}_bql_a" "$(grep '^bql' /tmp/ssa | tail -n1 | cut -d' ' -f2-)"
	result "${v}_idle_pct_a_b" "$ib_a $ib_b"
	result "${v}_steal_pct_a_b" "$st_a $st_b"
	# ACKs: segments b sent per data segment a sent, and delayed ACKs b sent.
	data=$(val /tmp/da Tcp.OutSegs) acks=$(val /tmp/db Tcp.OutSegs)
	result "${v}_b_segs_per_a_seg" "$(awk -v a="$acks" -v d="$data" 'BEGIN {printf "%.3f", d ? a / d : 0}')"
	result "${v}_b_delayed_acks" "$(val /tmp/db TcpExt.DelayedACKs)"
	result "${v}_a_retrans" "$(val /tmp/da Tcp.RetransSegs)"
	# The sender's qdisc: fq_codel drops or marks would cut cwnd.
	result "${v}_a_qdisc_dropped_ecn_requeues" "$(val /tmp/da tc.dropped) $(val /tmp/da tc.ecn_mark) $(val /tmp/da tc.requeues)"
	if [ "$v" != netback ]; then
		result "${v}_a_ring_full" "$(val /tmp/da eth.ring_full)"
		result "${v}_a_queue_stops" "$(val /tmp/da eth.tx_queue_stops)"
		ia_n=$(val /tmp/da eth.tx_packets)
		result "${v}_a_tx_packets" "$ia_n"
		result "${v}_a_notify_tx_rx" "$(val /tmp/da eth.notify_tx) $(val /tmp/da eth.notify_rx)"
		result "${v}_b_notify_tx_rx" "$(val /tmp/db eth.notify_tx) $(val /tmp/db eth.notify_rx)"
		result "${v}_b_rx_packets" "$(val /tmp/db eth.rx_packets)"
		result "${v}_b_tx_packets" "$(val /tmp/db eth.tx_packets)"
	fi
}

# Part 1: diagnosis.
for v in $VARIANTS; do
	stream $v 1 1; m=$MBPS
	log "diag $v: $m Mbit/s"
	eval "diag_$v=\$m"
	# The sample was taken: the sender's and the receiver's tcp_info were read over
	# sock_diag during the stream, at least twice each (each ss takes 0.3-1 s under TCG,
	# so 3-4 of the N fall inside an 8-s stream; /proc/net/tcp has no rtt).
	ns=$(grep -c ' rtt=' /tmp/ssa) nr=$(grep -c ' rcv_space=' /tmp/ssb)
	check "sampled-$v" sh -c "[ ${ns:-0} -ge 2 ] && [ ${nr:-0} -ge 2 ] || { echo 'sender $ns, receiver $nr samples'; exit 1; }"
	check "bytes-arrived-$v" test "${m:-0}" -gt 0
done
# The colorcom stream went over colorcom: a's NIC sent and b's received.
check colorcom-counters-moved sh -c "[ \$(awk '\$1 == \"eth.tx_packets\" {print \$2}' /tmp/da) -gt 1000 ]"

# Part 2: the figures of record: RECORD's paths, the order rotating by one per repetition.
set -- $RECORD
for r in $(seq 1 $REPS); do
	order="$*"
	for p in $order; do
		stream $p $r 0; m=$MBPS
		# One retry of a run that moved nothing (server busy), noted in the log.
		[ "${m:-0}" -gt 0 ] || { log "rep $r $p: retry"; stream $p $r 0; m=$MBPS; }
		result "${p}_tcp_mbps_rep$r" "$m"
		eval "rep_${p}_$r=\$m"
		log "rep $r $p: $m Mbit/s"
	done
	for p in $RECORD; do
		[ $p = netback ] && continue
		result "ratio_${p}_rep$r" "$(eval awk -v c=\$rep_${p}_$r -v n=\$rep_netback_$r "'BEGIN {printf \"%.2f\", n ? c / n : 0}'")"
	done
	first=$1; shift; set -- "$@" "$first"
done
med() { printf '%s\n' "$@" | sort -n | awk '{x[NR] = $1} END {print x[int((NR + 1) / 2)]}'; }
for p in $RECORD; do
	result "${p}_tcp_mbps_median" "$(med $(for r in $(seq 1 $REPS); do eval echo \$rep_${p}_$r; done))"
	[ $p = netback ] && continue
	result "ratio_${p}_median_of_reps" "$(med $(for r in $(seq 1 $REPS); do eval awk -v c=\$rep_${p}_$r -v n=\$rep_netback_$r "'BEGIN {printf \"%.2f\", n ? c / n : 0}'"; echo; done))"
done
# Every recorded run moved bytes.
z=0
for p in $RECORD; do for r in $(seq 1 $REPS); do eval "[ \"\${rep_${p}_$r:-0}\" -gt 0 ]" || z=$((z + 1)); done; done
check repetitions-moved-bytes test "$z" = 0
