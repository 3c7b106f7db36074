# ring-order: does the ring size limit a TCP stream?  Two guests, each with a vif on
# br0 (netback), a colorcom NIC on "blue" with the default ring (order 6, 256 KiB) and
# one on "green" with the largest ring (order 9, 2 MiB).  iperf3 a -> b on all three
# paths, REPS repetitions, the path order rotating.  The figures are results only (no
# target is checked): docs/performance.md "TCP: the ring may be the limit".
REPS=3 T=4
MA6=00:16:3e:ab:06:0a MB6=00:16:3e:ab:06:0b MA9=00:16:3e:ab:09:0a MB9=00:16:3e:ab:09:0b
check colorcomd-starts cc_daemon
lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:00:00:0a"]'
lab_guest_start b 'vif = ["bridge=br0,mac=00:16:3e:00:00:0b"]'
if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
check module-loads-a cc_load a
check module-loads-b cc_load b
check attach-a-order6 colorcomctl attach a network=blue,mac=$MA6,ring=256K
check attach-b-order6 colorcomctl attach b network=blue,mac=$MB6,ring=256K
check attach-a-order9 colorcomctl attach a network=green,mac=$MA9,ring=2M
check attach-b-order9 colorcomctl attach b network=green,mac=$MB9,ring=2M
A6=$(cc_ifname a $MA6) B6=$(cc_ifname b $MB6) A9=$(cc_ifname a $MA9) B9=$(cc_ifname b $MB9)
g a "ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up && ip addr add 10.6.0.1/24 dev $A6 && ip link set $A6 up && ip addr add 10.9.0.1/24 dev $A9 && ip link set $A9 up"
g b "ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up && ip addr add 10.6.0.2/24 dev $B6 && ip link set $B6 up && ip addr add 10.9.0.2/24 dev $B9 && ip link set $B9 up"
check carrier-order6 cc_wait_carrier a "${A6:-none}"
check carrier-order9 cc_wait_carrier a "${A9:-none}"
# The ring sizes really differ (ethtool -g: full-size records per ring).
# (g is a function of this shell: sample here, compare in the check.)
R6=$(g a "ethtool -g $A6" | awk '/^TX:/ {v = $2} END {print v}')
R9=$(g a "ethtool -g $A9" | awk '/^TX:/ {v = $2} END {print v}')
check ring-sizes-differ sh -c "[ -n '$R6' ] && [ -n '$R9' ] && [ '$R6' != '$R9' ]"
g a "ethtool -g $A6; ethtool -g $A9" >"$LAB_LOGDIR/ring-order-ethtool-g.log" 2>&1
g b 'iperf3 -s -D >/dev/null 2>&1' >/dev/null
for ip in 10.0.0.2 10.6.0.2 10.9.0.2; do bench_iperf a $ip 2 >/dev/null; done
ip_of() { case $1 in netback) echo 10.0.0.2 ;; order6) echo 10.6.0.2 ;; order9) echo 10.9.0.2 ;; esac; }
ifa_of() { case $1 in order6) echo "$A6" ;; order9) echo "$A9" ;; esac; }
for r in $(seq 1 $REPS); do
	case $r in 1) order="netback order6 order9" ;; 2) order="order9 netback order6" ;; *) order="order6 order9 netback" ;; esac
	for p in $order; do
		f0=0; [ "$p" != netback ] && f0=$(cc_stat a "$(ifa_of $p)" ring_full)
		v=$(bench_iperf a "$(ip_of $p)" $T)
		f1=0; [ "$p" != netback ] && f1=$(cc_stat a "$(ifa_of $p)" ring_full)
		result "${p}_tcp_mbps_rep$r" "${v%% *}"
		[ "$p" != netback ] && result "${p}_ring_full_rep$r" "$((f1 - f0))"
		log "rep $r $p: ${v%% *} Mbit/s, ring_full +$((f1 - f0))"
	done
done
X9=$(g b "cat /sys/class/net/$B9/statistics/rx_bytes") X6=$(g b "cat /sys/class/net/$B6/statistics/rx_bytes")
check both-rings-carried-traffic sh -c "[ ${X9:-0} -gt 1000000 ] && [ ${X6:-0} -gt 1000000 ]"
