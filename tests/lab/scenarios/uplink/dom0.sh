# uplink: guests a and b have ONLY a colorcom NIC, on network "blue" (no vif).  dom0
# loads the same colorcom.ko; `colorcomctl uplink blue on` gives it the network's
# uplink NIC, ccup-blue, which goes into dom0's bridge br0.  br0's own address,
# 10.9.0.1, is the "outside" host; dnsmasq there hands out the guests' addresses.
#  - DHCP, ping, TCP and a sha256-checked file transfer to and from the outside;
#  - guest-to-guest traffic still does not cross dom0 (no dom0 netdev counter moves,
#    the guests' link counters agree, the uplink link's counters stay put);
#  - ccup-blue down: a<->b keeps going with no loss, the outside is cut; up: back;
#  - uplink off: a<->b untouched (same link, no loss); on again: outside is back;
#  - the any-source rule is the uplink's alone: b forging a source MAC to a is
#    still dropped, and b cannot write the flag into a's half;
#  - network.blue.uplink = off/on in colorcomd.conf (SIGHUP) removes/restores it;
#  - a peer leaving this host (xl save b): a's frames for it take the uplink.
declare -A MAC=([a]=00:16:3e:ee:00:0a [b]=00:16:3e:ee:00:0b)
declare -A IP=([a]=10.9.0.11 [b]=10.9.0.12)
OUT=10.9.0.1
# An explicit bridge MAC (a bridge otherwise takes its lowest port's, here dom0's colorcom
# NIC's, which the guests know as a peer): the outside host's frames then carry a source
# MAC the guests were never told about, and their unicast to it is "unknown".
OUTMAC=02:00:0a:09:00:01
UP=ccup-blue

# g with a longer limit, usable under `check` (which runs its words as a command).
g90() { G_TIMEOUT=90 g "$@"; }

cc_daemon_check colorcomd-starts
lab_guest_start a
lab_guest_start b
if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
A=$(domid a) B=$(domid b)
check guests-have-no-vif sh -c "[ -z \"\$(xenstore-list /local/domain/$A/device/vif 2>/dev/null)\" ] && [ -z \"\$(xenstore-list /local/domain/$B/device/vif 2>/dev/null)\" ]"
check tools-from-guest-image lab_from_guest_image /bin/ccxfer

# --- dom0: the uplink ----------------------------------------------------------------
check module-loads-dom0 cc_dom0_load
check uplink-on colorcomctl uplink blue on
check uplink-iface-appears wait_until 30 ip link show $UP
check uplink-flag-in-xenstore sh -c "[ \"\$(xenstore-read /local/domain/0/backend/colorcom/0/0/uplink)\" = 1 ]"
colorcomctl uplink blue >"$LAB_LOGDIR/uplink-show.log" 2>&1
check uplink-show grep -q "interface $UP" "$LAB_LOGDIR/uplink-show.log"
# dom0 itself must not talk on the bridge (IPv6 off on both), so that every frame on
# ccup-blue is guest traffic.
echo 1 >/proc/sys/net/ipv6/conf/$UP/disable_ipv6
ip link set br0 address $OUTMAC
ip link set $UP master br0 && ip link set $UP up
ip addr add $OUT/24 dev br0
check uplink-in-bridge sh -c "[ \"\$(basename \$(readlink /sys/class/net/$UP/master))\" = br0 ]"

# dnsmasq: DHCP only (port=0: no DNS), fixed addresses per MAC so the checks know them.
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >>/etc/group
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
dnsmasq --keep-in-foreground --port=0 --no-resolv --no-hosts --user=root --group=root \
	--interface=br0 --bind-interfaces --dhcp-range=10.9.0.100,10.9.0.199,255.255.255.0,12h \
	--dhcp-host=${MAC[a]},${IP[a]} --dhcp-host=${MAC[b]},${IP[b]} \
	--dhcp-leasefile=/tmp/dnsmasq.leases --log-dhcp --log-facility="$LAB_LOGDIR/dnsmasq.log" \
	--pid-file=/run/dnsmasq.pid >>"$LAB_LOGDIR/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
sleep 1
check dnsmasq-runs kill -0 $DNSMASQ_PID

# --- guests: driver, NIC, DHCP ---------------------------------------------------------
declare -A IFN
for n in a b; do
	check module-loads-$n cc_load $n
	check attach-$n colorcomctl attach $n network=blue,mac=${MAC[$n]}
	IFN[$n]=$(cc_ifname $n ${MAC[$n]})
	g $n "echo 1 >/proc/sys/net/ipv6/conf/${IFN[$n]:-none}/disable_ipv6; ip link set ${IFN[$n]:-none} up" >/dev/null
done
log "interfaces: a=${IFN[a]} b=${IFN[b]}"
for n in a b; do check links-$n cc_wait_links $n "${IFN[$n]:-none}" 2; done
xenstore-ls -fp /local/domain/0/device >"$LAB_LOGDIR/xs-dom0-device.log" 2>&1
xenstore-ls -fp /local/domain/$A/backend >"$LAB_LOGDIR/xs-a-backend.log" 2>&1
xenstore-ls -fp /local/domain/$A/device >"$LAB_LOGDIR/xs-a-device.log" 2>&1
xenstore-ls -fp /local/domain/$B/backend >"$LAB_LOGDIR/xs-b-backend.log" 2>&1
# The flag sits in each guest's own half of its link to dom0, and nowhere else.
HA0=$(cc_half_of $A 0) HB0=$(cc_half_of $B 0) HD0A=$(cc_half_of 0 $A) HAB=$(cc_half_of $A $B) HBA=$(cc_half_of $B $A)
check peer-uplink-in-guest-halves sh -c "[ \"\$(xenstore-read $HA0/peer-uplink)\" = 1 ] && [ \"\$(xenstore-read $HB0/peer-uplink)\" = 1 ]"
check no-peer-uplink-elsewhere sh -c "! xenstore-read $HD0A/peer-uplink && ! xenstore-read $HAB/peer-uplink && ! xenstore-read $HBA/peer-uplink"
check guest-knows-uplink g a "dmesg | grep -q 'link to domain 0 .*(uplink) connected'"

for n in a b; do
	check dhcp-$n g90 $n "udhcpc -i ${IFN[$n]:-none} -n -q -t 10 -T 3 -s /lab/scenario/udhcpc.sh >/tmp/udhcpc.log 2>&1; rc=\$?; cat /tmp/udhcpc.log; [ \$rc = 0 ] && ip -4 addr show ${IFN[$n]:-none} | grep -q 'inet ${IP[$n]}/24'"
done
check dhcp-leases-in-dom0 sh -c "grep -q '${MAC[a]} ${IP[a]}' /tmp/dnsmasq.leases && grep -q '${MAC[b]} ${IP[b]}' /tmp/dnsmasq.leases"
check default-route-a g a "ip route | grep -q 'default via $OUT'"

# --- the outside ------------------------------------------------------------------------
check ping-outside-a g a "ping -c 3 -W 10 $OUT"
check ping-outside-b g b "ping -c 3 -W 10 $OUT"
check outside-mac-via-uplink g a "ip neigh show $OUT | grep -q 'lladdr $OUTMAC'"
rtt=$(g a "ping -c 10 -i 0.2 $OUT" | sed -n 's,.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*,\1,p')
result uplink_rtt_ms_avg "${rtt:-0}"
iperf3 -s -D -1 -p 5201 >/dev/null 2>&1
sleep 1
json=$(G_TIMEOUT=90 g a "iperf3 -c $OUT -t 5 -J")
mbps=$(printf '%s\n' "$json" | jq -r '.end.sum_received.bits_per_second / 1e6 | floor' 2>/dev/null)
result uplink_tcp_mbps_a_to_outside "${mbps:-0}"
if [ "${mbps:-0}" -gt 0 ] 2>/dev/null; then pass tcp-to-outside; else fail tcp-to-outside "no iperf3 result: $(printf '%s' "$json" | tail -n 3 | tr '\n' ' ' | cut -c1-120)"; fi
secs=$(cc_dom0_transfer sha256-32MiB-a-to-outside a $OUT $((32 * 1024 * 1024)) | tail -n1)
result uplink_32MiB_to_outside_seconds "$secs"
cc_from_dom0_transfer sha256-16MiB-outside-to-b b ${IP[b]} $((16 * 1024 * 1024))
# The rules that got it there: a sent to an unknown MAC through the uplink and accepted
# the outside's source MAC from it.
tu=$(cc_stat a "${IFN[a]}" tx_to_uplink)
log "a: tx_to_uplink $tu"
if [ "${tu:-0}" -gt 100 ]; then pass unknown-unicast-to-uplink; else fail unknown-unicast-to-uplink "a tx_to_uplink ${tu:-0}"; fi
check no-bad-source-from-uplink g a "ethtool -S ${IFN[a]} | grep -q '^ *rx_bad_source: 0'"

# --- guest to guest: not through dom0 -----------------------------------------------------
check ping-a-to-b g a "ping -c 3 -W 10 ${IP[b]}"
check arp-b-direct g a "ip neigh show ${IP[b]} | grep -q 'lladdr ${MAC[b]}'"
mbps=$(lab_iperf iperf3-a-to-b a b ${IP[b]} 5 | tail -n1)
result colorcom_tcp_mbps_a_to_b "$mbps"
sleep 1
S=$(cc_stats_pair a "${IFN[a]}" "peer$B" b "${IFN[b]}" "peer$A")
u0=$(cc_stat a "${IFN[a]}" peer0_tx_packets)
n0=$(dom0_netdev_snapshot)
secs=$(lab_transfer sha256-128MiB-a-to-b a b ${IP[b]} $((128 * 1024 * 1024)) | tail -n1)
n1=$(dom0_netdev_snapshot)
u1=$(cc_stat a "${IFN[a]}" peer0_tx_packets)
sleep 1
E=$(cc_stats_pair a "${IFN[a]}" "peer$B" b "${IFN[b]}" "peer$A")
result colorcom_128MiB_seconds "$secs"
log "dom0 netdevs before: $n0"
log "dom0 netdevs after:  $n1"
log "a's packets to the uplink: $u0 before, $u1 after"
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev counters moved: $n0 -> $n1"; fi
if [ "$u0" = "$u1" ]; then pass uplink-link-idle-during-a-to-b; else fail uplink-link-idle-during-a-to-b "a sent $((u1 - u0)) frames to the uplink during a->b"; fi
log "ethtool a->b before: $S after: $E"
if cc_stats_agree "$S" "$E" $((128 * 1024 * 1024)); then pass ethtool-counters-agree; else fail ethtool-counters-agree "a->b before '$S' after '$E'"; fi

# --- ordinary peers keep the source check ---------------------------------------------------
# b forges a frame to a with the outside's MAC as source: a must drop it (rx_bad_source),
# since only the uplink link may carry foreign sources.  b may write what it likes in its
# own half of the a-b link; a reads only its own, which b cannot write.
bs0=$(cc_stat a "${IFN[a]}" rx_bad_source)
g b "xenstore-write $HBA/peer-uplink 1; xenstore-write $HBA/uplink 1; true" >/dev/null
check b-cannot-flag-a-half not g b "xenstore-write $HAB/peer-uplink 1"
g b "/lib/colorcom/ccraw ${IFN[b]} $OUTMAC ${MAC[a]} 20" >/dev/null
sleep 1
bs1=$(cc_stat a "${IFN[a]}" rx_bad_source)
log "a rx_bad_source: $bs0 -> $bs1"
if [ "$((bs1 - bs0))" -ge 20 ]; then pass forged-source-from-peer-dropped; else fail forged-source-from-peer-dropped "a's rx_bad_source $bs0 -> $bs1 after 20 forged frames from b"; fi

# --- uplink interface down: co-located traffic keeps going, the outside does not --------
g a "(ping -i 0.2 -c 100 ${IP[b]} >/tmp/ping-down.txt 2>&1 &)" >/dev/null
sleep 2
ip link set $UP down
check outside-cut-when-uplink-down not g a "ping -c 2 -W 2 $OUT"
# a floods broadcasts meanwhile: they reach b and the uplink ring, which nobody drains
# now, so that ring fills and a's backlog for dom0 overflows and drops.  None of that
# may touch a<->b.
d0=$(cc_stat a "${IFN[a]}" peer0_tx_dropped)
g a "/lib/colorcom/ccraw ${IFN[a]} ${MAC[a]} ff:ff:ff:ff:ff:ff 6000 60 200" >/dev/null
sleep 2
d1=$(cc_stat a "${IFN[a]}" peer0_tx_dropped)
log "a's drops towards the downed uplink: $d0 -> $d1"
if [ "$d1" -gt "$d0" ]; then pass uplink-ring-fills-when-down; else fail uplink-ring-fills-when-down "a's peer0_tx_dropped stayed $d0 while dom0 did not drain"; fi
ip link set $UP up
check outside-back-after-uplink-up wait_until 40 g a "ping -c 1 -W 2 $OUT"
G_TIMEOUT=60 g a 'while pidof ping >/dev/null; do sleep 1; done; cat /tmp/ping-down.txt' >"$LAB_LOGDIR/ping-uplink-down.log"
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_LOGDIR/ping-uplink-down.log")
result uplink_down_a_to_b_loss_pct "${loss:-100}"
if [ "$loss" = 0 ]; then pass a-to-b-no-loss-uplink-down; else fail a-to-b-no-loss-uplink-down "a->b ping lost ${loss:-all}% while ccup-blue was down"; fi

# --- uplink off and on: the guests' own link is never touched ------------------------------
g a "(ping -i 0.2 -c 150 ${IP[b]} >/tmp/ping-off.txt 2>&1 &)" >/dev/null
sleep 2
check uplink-off colorcomctl uplink blue off
check uplink-iface-gone not ip link show $UP
check a-one-link-after-off cc_wait_links a "${IFN[a]}" 1 30
check outside-cut-when-uplink-off not g a "ping -c 2 -W 2 $OUT"
check uplink-on-again colorcomctl uplink blue on
check uplink-iface-again wait_until 30 ip link show $UP
echo 1 >/proc/sys/net/ipv6/conf/$UP/disable_ipv6
ip link set $UP master br0 && ip link set $UP up
check a-two-links-after-on cc_wait_links a "${IFN[a]}" 2 60
check outside-back-after-uplink-on wait_until 40 g a "ping -c 1 -W 2 $OUT"
G_TIMEOUT=60 g a 'while pidof ping >/dev/null; do sleep 1; done; cat /tmp/ping-off.txt' >"$LAB_LOGDIR/ping-uplink-off.log"
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_LOGDIR/ping-uplink-off.log")
result uplink_off_on_a_to_b_loss_pct "${loss:-100}"
if [ "$loss" = 0 ]; then pass a-to-b-no-loss-uplink-off-on; else fail a-to-b-no-loss-uplink-off-on "a->b ping lost ${loss:-all}% across uplink off/on"; fi
check a-b-link-never-dropped not g a "dmesg | grep -q 'link to domain $B down'"
check b-a-link-never-dropped not g b "dmesg | grep -q 'link to domain $A down'"
# udhcpc starts by flushing the address (deconfig): it is back only if DHCP worked.
check dhcp-again-after-on g90 b "udhcpc -i ${IFN[b]:-none} -n -q -t 10 -T 3 -s /lab/scenario/udhcpc.sh >/dev/null 2>&1 && ip -4 addr show ${IFN[b]:-none} | grep -q 'inet ${IP[b]}/24'"
cc_dom0_transfer sha256-8MiB-b-to-outside-after-on b $OUT $((8 * 1024 * 1024)) 5004 >/dev/null

# --- the daemon's configuration: network.blue.uplink = off / on --------------------------
# colorcomd keeps what its file says (read again on SIGHUP), and colorcomctl will not go
# against it.
mkdir -p /etc/colorcom
echo "network.blue.uplink = off" >/etc/colorcom/colorcomd.conf
kill -HUP "$CC_DAEMON_PID"
check conf-off-removes-uplink wait_until 30 not ip link show $UP
check a-one-link-conf-off cc_wait_links a "${IFN[a]}" 1 30
check ctl-refuses-against-conf not colorcomctl uplink blue on
check uplink-still-off not ip link show $UP
echo "network.blue.uplink = on" >/etc/colorcom/colorcomd.conf
kill -HUP "$CC_DAEMON_PID"
check conf-on-brings-uplink wait_until 30 ip link show $UP
echo 1 >/proc/sys/net/ipv6/conf/$UP/disable_ipv6
ip link set $UP master br0 && ip link set $UP up
check a-two-links-conf-on cc_wait_links a "${IFN[a]}" 2 60
check outside-back-after-conf-on wait_until 40 g a "ping -c 1 -W 2 $OUT"
check a-b-link-never-dropped-conf not g a "dmesg | grep -q 'link to domain $B down'"
check colorcomd-still-runs kill -0 "$CC_DAEMON_PID"

# --- a peer that leaves this host ---------------------------------------------------------
# xl migrate to another host, as far as one host can show it (xl save: b is gone from here,
# its links closed at suspend).  a keeps only its uplink link, and its frames for b's MAC,
# unknown now, leave through the uplink, which is how b would be reached on its new host.
check peer-leaves-host xl save b /tmp/b.save
check a-only-uplink-link-after-peer-left cc_wait_links a "${IFN[a]}" 1 60
check a-b-link-closed g a "dmesg | grep -q 'link to domain $B down'"
u0=$(cat /sys/class/net/$UP/statistics/rx_packets)
g a "ping -c 10 -i 0.2 -W 1 ${IP[b]}" >/dev/null
u1=$(cat /sys/class/net/$UP/statistics/rx_packets)
log "ccup-blue rx_packets while a pinged the departed b: $u0 -> $u1"
if [ $((u1 - u0)) -ge 10 ]; then pass frames-for-departed-peer-take-uplink; else fail frames-for-departed-peer-take-uplink "dom0's $UP received $((u1 - u0)) frames while a sent 10 pings to b"; fi

g a "ethtool -S ${IFN[a]}; ip -s link show ${IFN[a]}" >"$LAB_LOGDIR/ethtool-a.log"
{ ethtool -S $UP; ip -s link show $UP; ip -d link show br0; } >"$LAB_LOGDIR/ethtool-dom0-uplink.log" 2>&1
dmesg | grep -i colorcom >"$LAB_LOGDIR/dom0-colorcom-dmesg.log"
kill $DNSMASQ_PID 2>/dev/null
true
