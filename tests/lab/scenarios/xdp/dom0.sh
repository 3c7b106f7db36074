# xdp (issue #17 item 6): native XDP in colorcom.ko.  a and b each have a colorcom NIC
# on network "blue", whose MTU (4000) is above what one XDP page holds, and a vif on
# br0 (xen-netfront, the comparison).  Programs: tests/lab/helpers/ccxdp.c.
#   attach: refused at MTU 4000 with the reason in the extack; accepted at 1500; the
#     MTU cannot rise above the page limit while a program is attached.
#   screening first: a forged source MAC is refused before XDP (rx_bad_source, not
#     xdp_pass); the control, the same frames with a's own MAC, reach the program.
#   pass: ping works, xdp_pass counts; TCP from a (TSO records) works, each record
#     segmented in software before the program; a 3900-octet frame (allowed by the network MTU,
#     too big for a page) is dropped and counted (xdp_unsupported); without a program
#     the same ping goes through (control).
#   drop: ping fails, b's xdp_drop counts the echoes, b's rx_packets stays, a's
#     tx_packets moves; removing the program restores traffic.
#   XDP_TX: b answers pings for 10.7.0.99, an address it does not have (a's neighbour
#     entry points it at b), only while the echo program runs (control: before).
#   XDP_REDIRECT + ndo_xdp_xmit: the reply redirected to b's own colorcom device.
#   Drop rate: pktgen in a floods b for 10 s over colorcom, then over the vif, with
#     the drop program on b's receiving device; packets/s from b's counters.
LAB_GUEST_MEM=256
NETMTU=4000
declare -A MAC=([a]=00:16:3e:d0:00:0a [b]=00:16:3e:d0:00:0b)
declare -A VMAC=([a]=00:16:3e:d1:00:0a [b]=00:16:3e:d1:00:0b)
declare -A IP=([a]=10.7.0.1 [b]=10.7.0.2)
declare -A VIP=([a]=10.8.0.1 [b]=10.8.0.2)
FAKE=10.7.0.99
X=/lib/colorcom/xdp
S=/lab/scenario
mkdir -p /etc/colorcom
printf 'network.blue.mtu = %s\n' $NETMTU >/etc/colorcom/colorcomd.conf
cc_daemon_check colorcomd-starts
for n in a b; do lab_guest_start $n "vif = [\"bridge=br0,mac=${VMAC[$n]}\"]"; done
for n in a b; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
IA=${CC_IF[a]} IB=${CC_IF[b]}
VA=$(cc_ifname a ${VMAC[a]}) VB=$(cc_ifname b ${VMAC[b]})
log "interfaces: a colorcom=$IA vif=$VA, b colorcom=$IB vif=$VB"
g a "ip addr add ${VIP[a]}/24 dev $VA && ip link set $VA up"
g b "ip addr add ${VIP[b]}/24 dev $VB && ip link set $VB up"
for n in a b; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 1; done
check ping-colorcom g a "ping -c 2 -W 10 ${IP[b]}"
check ping-vif g a "ping -c 2 -W 10 ${VIP[b]}"
# iproute2's libbpf loader wants a bpffs for its working dir.
g b "mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf" >/dev/null 2>&1
astat() { cc_stat a "$IA" "$1"; }
bstat() { cc_stat b "$IB" "$1"; }
xdp_on() { g b "/sbin/ip ${3:-} link set dev $1 xdp obj $X/$2.o sec xdp 2>&1"; }

# --- attach policy ----------------------------------------------------------------------
out=$(xdp_on "$IB" pass; echo "rc=$?")
log "attach at mtu $NETMTU: $out"
if echo "$out" | grep -q 'rc=[1-9]' && echo "$out" | grep -q 'MTU too large for XDP'; then
	pass attach-refused-above-page-mtu
else
	fail attach-refused-above-page-mtu "$(echo "$out" | tr '\n' ' ')"
fi
check mtu-lowered g b "ip link set $IB mtu 1500"
mbps=$(lab_iperf tcp-without-xdp a b ${IP[b]} 5 | tail -n1)
result colorcom_tcp_mbps_no_xdp "$mbps"
check attach-pass xdp_on "$IB" pass
check ip-shows-prog g b "/sbin/ip link show $IB | grep -q 'prog/xdp id'"
check mtu-cannot-rise-with-xdp not g b "ip link set $IB mtu 3600"

# --- screening before XDP, pass -------------------------------------------------------------
p0=$(bstat xdp_pass) s0=$(bstat rx_bad_source)
g a "/lib/colorcom/ccraw $IA 02:00:00:00:00:99 ${MAC[b]} 5 60 1000" >/dev/null
sleep 1
p1=$(bstat xdp_pass) s1=$(bstat rx_bad_source)
g a "/lib/colorcom/ccraw $IA ${MAC[a]} ${MAC[b]} 5 60 1000" >/dev/null
sleep 1
p2=$(bstat xdp_pass) s2=$(bstat rx_bad_source)
log "forged: xdp_pass $p0 -> $p1, rx_bad_source $s0 -> $s1; genuine: xdp_pass -> $p2, rx_bad_source -> $s2"
check forged-source-refused-before-xdp test $((s1 - s0)) -eq 5 -a $((p1 - p0)) -lt 5
check control-genuine-source-reaches-xdp test $((p2 - p1)) -ge 5 -a $s2 -eq $s1
p0=$(bstat xdp_pass)
check ping-through-pass g a "ping -c 3 -W 10 ${IP[b]}"
p1=$(bstat xdp_pass)
check xdp-pass-counts test $((p1 - p0)) -ge 3
# TCP from a peer that sends TSO records: each is segmented in software and every
# segment goes through the program, so b's xdp_pass (segments) outgrows a's tx_packets
# (records).
p0=$(bstat xdp_pass) t0=$(astat tx_packets) u0=$(bstat xdp_unsupported) m0=$(bstat rx_bad_meta)
mbps=$(lab_iperf tcp-through-xdp-pass a b ${IP[b]} 5 | tail -n1)
p1=$(bstat xdp_pass) t1=$(astat tx_packets) u1=$(bstat xdp_unsupported) m1=$(bstat rx_bad_meta)
result colorcom_tcp_mbps_xdp_pass "$mbps"
log "tcp under xdp pass: $mbps Mbit/s, b xdp_pass +$((p1 - p0)), a tx_packets +$((t1 - t0)), b xdp_unsupported +$((u1 - u0)), b rx_bad_meta +$((m1 - m0))"
check gso-records-segmented-for-xdp test $((p1 - p0)) -gt $((t1 - t0)) -a $u1 -eq $u0
# A record the segmentation refuses is counted in rx_bad_meta: an honest peer's never are.
check gso-records-none-refused test $((m1 - m0)) -eq 0
u0=$(bstat xdp_unsupported)
check big-frame-not-through-xdp not g a "ping -c 2 -w 6 -s 3900 ${IP[b]}"
u1=$(bstat xdp_unsupported)
check big-frame-counted test $((u1 - u0)) -ge 2

# --- drop -----------------------------------------------------------------------------
check replace-with-drop xdp_on "$IB" drop -force
d0=$(bstat xdp_drop) r0=$(bstat rx_packets) t0=$(astat tx_packets)
check ping-fails-under-drop not g a "ping -c 3 -w 6 ${IP[b]}"
d1=$(bstat xdp_drop) r1=$(bstat rx_packets) t1=$(astat tx_packets)
log "drop: b xdp_drop $d0 -> $d1, b rx_packets $r0 -> $r1, a tx_packets $t0 -> $t1"
check xdp-drop-counts test $((d1 - d0)) -ge 3
check dropped-frames-never-reach-stack test "$r1" = "$r0"
check sender-did-send test $((t1 - t0)) -ge 3
check detach g b "/sbin/ip link set dev $IB xdp off && ! /sbin/ip link show $IB | grep -q prog/xdp"
check control-mtu-rises-without-xdp g b "ip link set $IB mtu 3600 && ip link set $IB mtu 1500"
check control-big-frame-without-xdp g a "ping -c 2 -W 10 -s 3900 ${IP[b]}"
check ping-after-detach g a "ping -c 3 -W 10 ${IP[b]}"

# --- XDP_TX, XDP_REDIRECT + ndo_xdp_xmit -------------------------------------------------
g a "/sbin/ip neigh replace $FAKE lladdr ${MAC[b]} dev $IA nud permanent"
check control-fake-ip-unanswered not g a "ping -c 2 -w 4 $FAKE"
check attach-echo xdp_on "$IB" echo
x0=$(bstat xdp_tx) r0=$(bstat rx_packets)
check xdp-tx-answers g a "ping -c 5 -W 10 $FAKE"
x1=$(bstat xdp_tx) r1=$(bstat rx_packets)
log "echo: b xdp_tx $x0 -> $x1, rx_packets $r0 -> $r1"
check xdp-tx-counts test $((x1 - x0)) -ge 5
check xdp-tx-echo-bypasses-stack test $((r1 - r0)) -lt 5
check replace-with-redirect xdp_on "$IB" redirect -force
e0=$(bstat xdp_redirect) m0=$(bstat xdp_xmit)
check xdp-redirect-answers g a "ping -c 5 -W 10 $FAKE"
e1=$(bstat xdp_redirect) m1=$(bstat xdp_xmit)
log "redirect: b xdp_redirect $e0 -> $e1, xdp_xmit $m0 -> $m1"
check xdp-redirect-counts test $((e1 - e0)) -ge 5
check ndo-xdp-xmit-counts test $((m1 - m0)) -ge 5
check detach-again g b "/sbin/ip link set dev $IB xdp off"
check fake-ip-unanswered-after-detach not g a "ping -c 2 -w 4 $FAKE"
check ping-restored g a "ping -c 3 -W 10 ${IP[b]}"
g b "ethtool -S $IB" >"$LAB_LOGDIR/ethtool-b.log" 2>&1

# --- drop rate: colorcom against xen-netfront, same boot ------------------------------------
# netfront last: its attach waits, uninterruptibly, for netback to reconfigure.
# rate KIND SENDER-IF DST-MAC DST-IP RECEIVER-IF: 10 s of pktgen from a, b counts what
# its drop program dropped.  Results: KIND_xdp_drop_pps (b's clock) and
# KIND_pktgen_pps (what a's pktgen says it sent over the whole run).
rate() {
	local r s pps
	g a "sh $S/pktgen.sh start $2 $3 $4" >/dev/null || { fail $1-pktgen-start "pktgen on $2"; return 1; }
	sleep 2
	r=$(G_TIMEOUT=60 g b "sh $S/rate.sh $5 $1 10" | tail -n1)
	s=$(g a "sh $S/pktgen.sh stop $2")
	log "$1 drop rate (pps dropped secs rx_packets+): $r; sender: $s"
	set -- $1 $r
	result $1_xdp_drop_pps "$2"
	pps=$(echo "$s" | grep -o '[0-9]*pps' | head -n1)
	result $1_pktgen_pps "${pps%pps}"
	check $1-drop-rate-measured test "${2:-0}" -gt 0
	# Control: b's stack saw (almost) none of the flood, so the count is the program's.
	check $1-dropped-frames-bypass-stack test "${3:-0}" -gt 0 -a "${5:-999999}" -lt 10
}
check attach-drop-colorcom xdp_on "$IB" drop
rate colorcom "$IA" "${MAC[b]}" "${IP[b]}" "$IB"
g b "/sbin/ip link set dev $IB xdp off"
if G_TIMEOUT=90 g b "timeout 60 /sbin/ip link set dev $VB xdp obj $X/drop.o sec xdp"; then
	pass attach-drop-netfront
	rate netfront "$VA" "${VMAC[b]}" "${VIP[b]}" "$VB"
else
	fail attach-drop-netfront "netfront refused the program"
fi
