# link-local (issue #14 item 6): dom0's uplink NIC ccup-blue is a bridge port, so the
# IEEE 802.1D reserved group addresses (01:80:c2:00:00:0X: STP, PAUSE, LACP, LLDP, ...)
# stop there, both ways.  Guest a has only a colorcom NIC on "blue".
#  - a sends LLDP and STP destinations: ccup-blue drops and counts them
#    (rx_link_local), delivers none; control: an ordinary multicast from a is delivered;
#  - br0 runs STP, so it sends BPDUs out of ccup-blue every 2 s: ccup-blue drops them
#    (tx_link_local) and a's driver never sees one (its rx_link_local stays 0); control:
#    unicast between br0 and a still flows.
MA=00:16:3e:ef:00:0a IA_IP=10.9.0.11 OUT=10.9.0.1 UP=ccup-blue
cc_daemon_check colorcomd-starts
lab_guest a || { fail guest-up "a did not boot"; exit 1; }
pass guest-up
check module-loads-dom0 cc_dom0_load
check uplink-on colorcomctl uplink blue on
check uplink-iface-appears wait_until 30 ip link show $UP
echo 1 >/proc/sys/net/ipv6/conf/$UP/disable_ipv6
ip link set $UP master br0 && ip link set $UP up
ip addr add $OUT/24 dev br0
if cc_guest_nic a blue $MA $IA_IP; then pass nic-a; else fail nic-a "no colorcom interface in a"; fi
IA=${CC_IF[a]}
check links-a cc_wait_links a "$IA" 1
check ping-outside g a "ping -c 3 -W 10 $OUT"
ust() { ethtool -S $UP | awk -v k="$1:" '$1 == k {print $2}'; }

# --- guest -> bridge ------------------------------------------------------------------
l0=$(ust rx_link_local) p0=$(ust rx_packets)
check raw-link-local-sent g a "/lib/colorcom/ccraw $IA $MA 01:80:c2:00:00:0e 20 60 1000 && /lib/colorcom/ccraw $IA $MA 01:80:c2:00:00:00 20 60 1000"
sleep 1
l1=$(ust rx_link_local) p1=$(ust rx_packets)
log "uplink rx_link_local $l0 -> $l1, rx_packets $p0 -> $p1"
if [ $((l1 - l0)) = 40 ]; then pass uplink-drops-link-local-from-guest; else fail uplink-drops-link-local-from-guest "rx_link_local +$((l1 - l0))"; fi
check raw-multicast-sent g a "/lib/colorcom/ccraw $IA $MA 01:00:5e:00:00:fb 20 60 1000"
sleep 1
l2=$(ust rx_link_local) p2=$(ust rx_packets)
log "control: uplink rx_link_local $l1 -> $l2, rx_packets $p1 -> $p2"
if [ $((p2 - p1)) -ge 20 ] && [ "$l1" = "$l2" ]; then pass control-ordinary-multicast-delivered; else fail control-ordinary-multicast-delivered "rx_packets +$((p2 - p1)), rx_link_local +$((l2 - l1))"; fi

# --- bridge -> guest ------------------------------------------------------------------
check unicast-before-stp g a "ping -c 3 -W 10 $OUT"
t0=$(ust tx_link_local)
echo 1 >/sys/class/net/br0/bridge/stp_state
sleep 8
t1=$(ust tx_link_local)
echo 0 >/sys/class/net/br0/bridge/stp_state
log "uplink tx_link_local $t0 -> $t1 with STP on for 8 s"
if [ $((t1 - t0)) -ge 2 ]; then pass uplink-drops-bpdus-to-guests; else fail uplink-drops-bpdus-to-guests "tx_link_local +$((t1 - t0))"; fi
check guest-never-saw-link-local g a "ethtool -S $IA | grep -qE '^ *rx_link_local: 0\$'"
check unicast-after-stp wait_until 40 g a "ping -c 1 -W 2 $OUT"
{ ethtool -S $UP; ip -s link show $UP; } >"$LAB_LOGDIR/ethtool-dom0-uplink.log" 2>&1
check daemon-alive kill -0 "$CC_DAEMON_PID"
true
