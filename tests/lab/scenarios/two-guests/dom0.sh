# two-guests: a and b on colorcom network "blue", no vif at all.  Frames must go
# guest to guest over the shared rings: dom0 only brokers the link.
MA=00:16:3e:cc:00:0a MB=00:16:3e:cc:00:0b
check colorcomd-starts cc_daemon
lab_guest_start a
lab_guest_start b
if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
A=$(domid a) B=$(domid b)

check module-loads-a cc_load a
check module-loads-b cc_load b
check attach-a colorcomctl attach a network=blue,mac=$MA
check attach-b colorcomctl attach b network=blue,mac=$MB
IA=$(cc_ifname a $MA) IB=$(cc_ifname b $MB)
log "interfaces: a=$IA b=$IB"
xenstore-ls -fp /local/domain/$A/device >"$LAB_LOGDIR/xs-a.log" 2>&1
xenstore-ls -fp /local/domain/$B/backend >"$LAB_LOGDIR/xs-b.log" 2>&1

g a "ip addr add 10.1.0.1/24 dev $IA && ip link set $IA up"
g b "ip addr add 10.1.0.2/24 dev $IB && ip link set $IB up"
check carrier-a cc_wait_carrier a "${IA:-none}"
check carrier-b cc_wait_carrier b "${IB:-none}"
check ping-a-to-b g a 'ping -c 3 -W 10 10.1.0.2'
check ping-b-to-a g b 'ping -c 3 -W 10 10.1.0.1'
check arp-resolves-a g a "ip neigh show 10.1.0.2 | grep -q 'lladdr $MB'"
check arp-resolves-b g b "ip neigh show 10.1.0.1 | grep -q 'lladdr $MA'"
rtt=$(g a 'ping -c 20 -i 0.2 10.1.0.2' | sed -n 's,.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*,\1,p')
result colorcom_rtt_ms_avg "${rtt:-0}"

mbps=$(lab_iperf iperf3-a-to-b a b 10.1.0.2 5 | tail -n1)
result colorcom_tcp_mbps_a_to_b "$mbps"
mbps=$(lab_iperf iperf3-b-to-a b a 10.1.0.1 5 | tail -n1)
result colorcom_tcp_mbps_b_to_a "$mbps"

# The 256 MiB transfer, watched from dom0: no dom0 netdev counter may move (there is
# no vif and the bridge has no port: any frame through dom0 would show), and dom0's
# CPU time must stay small next to what the guests spend.
tx0=$(cc_stat a "$IA" "peer${B}_tx_bytes"); rx0=$(cc_stat b "$IB" "peer${A}_rx_bytes")
txp0=$(cc_stat a "$IA" "peer${B}_tx_packets"); rxp0=$(cc_stat b "$IB" "peer${A}_rx_packets")
n0=$(dom0_netdev_bytes); c0=$(dom_cpu Domain-0); ca0=$(dom_cpu a); cb0=$(dom_cpu b)
secs=$(lab_transfer sha256-256MiB-a-to-b a b 10.1.0.2 $((256 * 1024 * 1024)) | tail -n1)
n1=$(dom0_netdev_bytes); c1=$(dom_cpu Domain-0); ca1=$(dom_cpu a); cb1=$(dom_cpu b)
tx1=$(cc_stat a "$IA" "peer${B}_tx_bytes"); rx1=$(cc_stat b "$IB" "peer${A}_rx_bytes")
txp1=$(cc_stat a "$IA" "peer${B}_tx_packets"); rxp1=$(cc_stat b "$IB" "peer${A}_rx_packets")
result colorcom_256MiB_seconds "$secs"
d0=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f", b - a}')
dg=$(awk -v a="$ca0" -v b="$ca1" -v c="$cb0" -v d="$cb1" 'BEGIN {printf "%.1f", (b - a) + (d - c)}')
result colorcom_transfer_dom0_cpu_s "$d0"
result colorcom_transfer_guests_cpu_s "$dg"
log "dom0 netdev bytes $n0 -> $n1, dom0 cpu +${d0}s, guests cpu +${dg}s"
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev bytes moved by $((n1 - n0))"; fi
# dom0 polls the guest consoles during the transfer (lab agent); that is the only
# work it has.  Netback moving the same bytes costs dom0 more than the guests' time.
if awk -v d="$d0" -v g="$dg" 'BEGIN {exit !(d < 0.15 * g + 1)}'; then
	pass dom0-cpu-barely-moves
else
	fail dom0-cpu-barely-moves "dom0 used ${d0}s of CPU while the guests used ${dg}s"
fi
log "ethtool: a tx $tx0->$tx1 ($txp0->$txp1 pkts), b rx $rx0->$rx1 ($rxp0->$rxp1 pkts)"
dtx=$((tx1 - tx0)) drx=$((rx1 - rx0))
if [ "$dtx" -ge $((256 * 1024 * 1024)) ] && [ "$dtx" = "$drx" ] && [ $((txp1 - txp0)) = $((rxp1 - rxp0)) ]; then
	pass ethtool-counters-agree
else
	fail ethtool-counters-agree "a sent $dtx bytes/$((txp1 - txp0)) pkts to b, b got $drx bytes/$((rxp1 - rxp0)) pkts from a"
fi
g a "ethtool -S $IA; ip -s link show $IA" >"$LAB_LOGDIR/ethtool-a.log"
g b "ethtool -S $IB; ip -s link show $IB" >"$LAB_LOGDIR/ethtool-b.log"
check ethtool-i g a "ethtool -i $IA | grep -q 'driver: colorcom'"
check ethtool-k g a "ethtool -k $IA | grep -q 'tcp-segmentation-offload: on'"
check ethtool-g g a "ethtool -g $IA"
