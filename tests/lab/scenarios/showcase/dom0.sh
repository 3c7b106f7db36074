# showcase (make lab): two guests with BOTH a standard vif on dom0's bridge
# (10.0.0.0/24, netfront/netback) and a colorcom NIC (10.1.0.0/24), measured in the
# same boot with the same tools, so the ratio between the paths means something.
# Short on purpose (one repetition, the whole boot well under 6 minutes); `make bench`
# is the full benchmark with repetitions, scaling and plots.
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
T=4
LAB_GUEST_MEM=128
check colorcomd-starts cc_daemon
lab_pair_both_paths $MA $MB
# Not 5201: that is iperf3's port.
g b 'iperf3 -s -D >/dev/null 2>&1; (ccxfer rr-server 5301 >/dev/null 2>&1 &)' >/dev/null
log "setup done"

# The dom0 CPU control: both guests spin for T seconds with no network.  Under TCG
# dom0's CPU time grows with busy guests whatever they do, so a transfer is judged
# against this, not against an idle dom0.
s0=$(bench_snap a b)
lab_guest_burn $T a b
s1=$(bench_snap a b)
read -r cw cc cb _ <<<"$(bench_delta "$s0" "$s1")"
result control_wall_s "$cw"
result control_dom0_cpu_s "$cc"

for path in netback colorcom; do
	if [ $path = netback ]; then peer=10.0.0.2; else peer=10.1.0.2; fi
	rtts=$(g a "ping -c 30 -i 0.05 -W 3 $peer" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
	n=$(printf '%s\n' "$rtts" | grep -c .)
	if [ "$n" -ge 15 ]; then pass $path-ping; else fail $path-ping "$n of 30 pings answered"; fi
	p50=$(printf '%s\n' "$rtts" | sort -n | awk 'NF {v[++n] = $1} END {if (n) print v[int((n + 1) / 2)]}')
	result ${path}_rtt_ms_p50 "${p50:-0}"
	rr=$(G_TIMEOUT=60 g a "ccxfer rr $peer 5301 3" | awk '$1 == "tps" {print $2}')
	result ${path}_tcp_rr_tps "${rr:-0}"
	s0=$(bench_snap a b)
	v=$(bench_iperf a $peer $T)
	s1=$(bench_snap a b)
	read -r w c _ gc <<<"$(bench_delta "$s0" "$s1")"
	mbps=${v%% *}
	if awk -v m="$mbps" 'BEGIN {exit !(m > 0)}'; then pass $path-iperf3; else fail $path-iperf3 "no throughput"; fi
	result ${path}_tcp_mbps "$mbps"
	result ${path}_dom0_cpu_s_during "$c"
	# Net of the control's share for a test of this length.
	result ${path}_dom0_cpu_s_net "$(awk -v c="$c" -v w="$w" -v cc="$cc" -v cw="$cw" 'BEGIN {printf "%.2f", c - cc * w / cw}')"
	result ${path}_guests_cpu_s "$gc"
	log "$path done"
done
