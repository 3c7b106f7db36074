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

# dom0's CPU use when nothing happens, as the yardstick for "barely moves".
i0=$(dom_cpu Domain-0); sleep 10; i1=$(dom_cpu Domain-0)
result dom0_idle_cpu_s_per_10s "$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.2f", b - a}')"

# The 256 MiB transfer, watched from dom0: no dom0 netdev counter may move (there is
# no vif and the bridge has no port: any frame through dom0 would show), and dom0's
# CPU time must stay small next to what the guests spend.
S=$(cc_stats_pair a "$IA" "peer$B" b "$IB" "peer$A")
n0=$(dom0_netdev_snapshot); c0=$(dom_cpu Domain-0); ca0=$(dom_cpu a); cb0=$(dom_cpu b)
(sleep 15; top -b -n 1 >"$LAB_LOGDIR/top-during-transfer.log" 2>&1) &
secs=$(lab_transfer sha256-256MiB-a-to-b a b 10.1.0.2 $((256 * 1024 * 1024)) | tail -n1)
n1=$(dom0_netdev_snapshot); c1=$(dom_cpu Domain-0); ca1=$(dom_cpu a); cb1=$(dom_cpu b)
sleep 2
E=$(cc_stats_pair a "$IA" "peer$B" b "$IB" "peer$A")
result colorcom_256MiB_seconds "$secs"
d0=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f", b - a}')
dg=$(awk -v a="$ca0" -v b="$ca1" -v c="$cb0" -v d="$cb1" 'BEGIN {printf "%.1f", (b - a) + (d - c)}')
result colorcom_transfer_dom0_cpu_s "$d0"
result colorcom_transfer_guests_cpu_s "$dg"
log "dom0 netdevs before: $n0"
log "dom0 netdevs after:  $n1"
log "dom0 cpu +${d0}s, guests cpu +${dg}s"
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev counters moved: $n0 -> $n1"; fi
# Yardstick: netback moving the same bytes costs dom0 about as much as the guests.
if awk -v d="$d0" -v g="$dg" 'BEGIN {exit !(d < 0.15 * g + 1)}'; then
	pass dom0-cpu-barely-moves
else
	fail dom0-cpu-barely-moves "dom0 used ${d0}s of CPU while the guests used ${dg}s"
fi
# Counters: sampled a, b, a again; what b received from a must lie between the two
# samples of what a sent to b (a frame may be in flight while we sample).
log "ethtool a->b before: $S after: $E"
if cc_stats_agree "$S" "$E" $((256 * 1024 * 1024)); then
	pass ethtool-counters-agree
else
	fail ethtool-counters-agree "a->b before '$S' after '$E' (a_tx_bytes a_tx_pkts b_rx_bytes b_rx_pkts a_tx_bytes' a_tx_pkts')"
fi
g a "ethtool -S $IA; /sbin/ip -s link show $IA" >"$LAB_LOGDIR/ethtool-a.log"
g b "ethtool -S $IB; /sbin/ip -s link show $IB" >"$LAB_LOGDIR/ethtool-b.log"
check ethtool-i g a "ethtool -i $IA | grep -q 'driver: colorcom'"
check ethtool-k g a "ethtool -k $IA | grep -q 'tcp-segmentation-offload: on'"
check ethtool-g g a "ethtool -g $IA"
