# underlay-down: a and b have both a netfront vif on dom0's bridge br0 (the ordinary
# "underlay") and a colorcom NIC on network "blue".  In the middle of a colorcom
# transfer, dom0 deletes br0 and unloads xen-netback.  The colorcom traffic must
# carry on untouched: same link, no reconnect, file intact.
LAB_GUEST_MEM=192
declare -A MAC=([a]=00:16:3e:cf:00:0a [b]=00:16:3e:cf:00:0b)
declare -A VMAC=([a]=00:16:3e:cf:01:0a [b]=00:16:3e:cf:01:0b)
declare -A IP=([a]=10.4.0.1 [b]=10.4.0.2)
declare -A VIP=([a]=10.5.0.1 [b]=10.5.0.2)
cc_daemon_check colorcomd-starts
for n in a b; do lab_guest_start $n "vif = ['bridge=br0,mac=${VMAC[$n]}']"; done
for n in a b; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
	VIF=$(cc_ifname $n ${VMAC[$n]})
	g $n "ip addr add ${VIP[$n]}/24 dev $VIF && ip link set $VIF up" >/dev/null
done
A=$(domid a) B=$(domid b)
check link-up cc_wait_links a "${CC_IF[a]}" 1
check underlay-ping-before g a "ping -c 2 -W 10 ${VIP[b]}"
check colorcom-ping-before g a "ping -c 2 -W 10 ${IP[b]}"
lsmod >"$LAB_LOGDIR/underlay-lsmod-before.log"

g b 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
sleep 1
g a "(iperf3 -c ${IP[b]} -t 30 -J >/tmp/iperf.json 2>&1 &)" >/dev/null
g a "(ping -i 0.2 -c 150 ${IP[b]} >/tmp/ping-cc.txt 2>&1 &)" >/dev/null
sleep 6
rx0=$(cc_stat b "${CC_IF[b]}" "peer${A}_rx_bytes")
# Down goes the underlay: the bridge first (vifs fall off it), then the vifs' backends
# and netback itself.
ip link del br0
check bridge-deleted not ip link show br0
xl network-detach a 0 >>"$LAB_LOGDIR/xl-network-detach.log" 2>&1
xl network-detach b 0 >>"$LAB_LOGDIR/xl-network-detach.log" 2>&1
check netback-unloaded sh -c "for i in \$(seq 50); do rmmod xen_netback 2>/dev/null && break; sleep 0.2; done; ! grep -q '^xen_netback ' /proc/modules"
lsmod >"$LAB_LOGDIR/underlay-lsmod-after.log"
check underlay-is-down not g a "ping -c 1 -W 2 ${VIP[b]}"
sleep 3
rx1=$(cc_stat b "${CC_IF[b]}" "peer${A}_rx_bytes")
log "b rx from a: $rx0 before the underlay went down, $rx1 after"
if [ "$rx1" -gt "$rx0" ]; then pass colorcom-flows-underlay-down; else fail colorcom-flows-underlay-down "b rx bytes from a stuck at $rx0"; fi
G_TIMEOUT=90 g a 'while pidof iperf3 >/dev/null; do sleep 1; done; cat /tmp/iperf.json' >"$LAB_LOGDIR/underlay-iperf.json"
mbps=$(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$LAB_LOGDIR/underlay-iperf.json" 2>/dev/null)
result underlay_down_tcp_mbps "${mbps:-0}"
if [ "${mbps:-0}" -gt 0 ] 2>/dev/null; then pass iperf-across-underlay-down; else fail iperf-across-underlay-down "no iperf3 result"; fi
lab_transfer sha256-64MiB-after a b "${IP[b]}" $((64 * 1024 * 1024)) >/dev/null
G_TIMEOUT=60 g a 'while pidof ping >/dev/null; do sleep 1; done; cat /tmp/ping-cc.txt' >"$LAB_LOGDIR/underlay-ping.log"
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_LOGDIR/underlay-ping.log")
result underlay_down_colorcom_ping_loss_pct "${loss:-100}"
if [ -n "$loss" ] && awk -v l="$loss" 'BEGIN {exit !(l <= 2)}'; then pass colorcom-ping-no-loss; else fail colorcom-ping-no-loss "ping over colorcom lost ${loss:-all}% across the underlay going down"; fi
check link-never-dropped not g a "dmesg | grep -q 'link to domain $B down'"
check still-one-link cc_wait_links a "${CC_IF[a]}" 1 5
check colorcom-ping-after g b "ping -c 2 -W 10 ${IP[a]}"
check no-proto-errors g b "ethtool -S ${CC_IF[b]} | grep -q '^ *proto_errors: 0'"
true
