# showcase (make lab): two guests with BOTH a standard vif on dom0's bridge
# (10.0.0.0/24, netfront/netback) and a colorcom NIC (10.1.0.0/24), measured in the
# same boot with the same tools, so the ratio between the paths means something.
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
check colorcomd-starts cc_daemon
lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:00:00:0a"]'
lab_guest_start b 'vif = ["bridge=br0,mac=00:16:3e:00:00:0b"]'
if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
check module-loads-a cc_load a
check module-loads-b cc_load b
check attach-a colorcomctl attach a network=blue,mac=$MA
check attach-b colorcomctl attach b network=blue,mac=$MB
IA=$(cc_ifname a $MA) IB=$(cc_ifname b $MB)
g a "ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up && ip addr add 10.1.0.1/24 dev $IA && ip link set $IA up"
g b "ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up && ip addr add 10.1.0.2/24 dev $IB && ip link set $IB up"
check carrier-a cc_wait_carrier a "${IA:-none}"
check carrier-b cc_wait_carrier b "${IB:-none}"
g b 'ccxfer rr-server 5201 >/dev/null 2>&1 &' >/dev/null

for path in netback colorcom; do
	if [ $path = netback ]; then peer=10.0.0.2; else peer=10.1.0.2; fi
	check $path-ping g a "ping -c 3 -W 10 $peer"
	rtt=$(g a "ping -c 40 -i 0.1 $peer" | sed -n 's,.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*,\1,p')
	result ${path}_rtt_ms_avg "${rtt:-0}"
	rr=$(G_TIMEOUT=60 g a "ccxfer rr $peer 5201 5" | awk '{print $2}')
	result ${path}_tcp_rr_tps "${rr:-0}"
	c0=$(dom_cpu Domain-0)
	mbps=$(lab_iperf $path-iperf3 a b $peer 8 | tail -n1)
	c1=$(dom_cpu Domain-0)
	result ${path}_tcp_mbps "$mbps"
	result ${path}_dom0_cpu_s_during_tcp "$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')"
done
