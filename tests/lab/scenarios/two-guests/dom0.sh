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
# CPU time must not grow beyond what it is anyway while both guests are busy.
S=$(cc_stats_pair a "$IA" "peer$B" b "$IB" "peer$A")
n0=$(dom0_netdev_snapshot); c0=$(dom_cpu Domain-0); k0=$(dom0_busy_s); ca0=$(dom_cpu a); cb0=$(dom_cpu b)
(sleep 15; top -b -n 1 >"$LAB_LOGDIR/top-during-transfer.log" 2>&1) &
secs=$(lab_transfer sha256-256MiB-a-to-b a b 10.1.0.2 $((256 * 1024 * 1024)) | tail -n1)
n1=$(dom0_netdev_snapshot); c1=$(dom_cpu Domain-0); k1=$(dom0_busy_s); ca1=$(dom_cpu a); cb1=$(dom_cpu b)
sleep 2
E=$(cc_stats_pair a "$IA" "peer$B" b "$IB" "peer$A")
# Control: both guests spin for as long as the transfer took, with no network at all.
read -r db dbk < <(lab_burn_control "$secs" a b)
d0=$(sub "$c0" "$c1") dk=$(sub "$k0" "$k1")
dg=$(awk -v a="$ca0" -v b="$ca1" -v c="$cb0" -v d="$cb1" 'BEGIN {printf "%.1f", (b - a) + (d - c)}')
result colorcom_256MiB_seconds "$secs"
result colorcom_transfer_dom0_cpu_s "$d0"
result colorcom_transfer_dom0_busy_s "$dk"
result colorcom_transfer_guests_cpu_s "$dg"
result control_burn_dom0_cpu_s "$db"
result control_burn_dom0_busy_s "$dbk"
log "dom0 netdevs before: $n0"
log "dom0 netdevs after:  $n1"
log "transfer ${secs}s: dom0 xl cpu +${d0}s (own code +${dk}s), guests +${dg}s; same-length burn: dom0 xl cpu +${db}s (own code +${dbk}s)"
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev counters moved: $n0 -> $n1"; fi
# "Barely moves": see dom0_extra_small (lib.sh).  Through netback dom0's extra cost is of
# the order of the guests' own (netback-baseline checks that it trips this).
if dom0_extra_small "$d0" "$db" "$dk" "$dbk" "$dg"; then
	pass dom0-cpu-barely-moves
else
	fail dom0-cpu-barely-moves "dom0 used ${d0}s (own code ${dk}s) during the transfer, ${db}s (${dbk}s) during a same-length burn; guests used ${dg}s"
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
