# front-smoke: three PV guests load colorcom.ko; dom0 writes the NIC and cclink
# xenstore nodes by hand, the way colorcomd does (docs/protocol-xenstore.md).
# a and b ping and stream data over their link; c is linked to both and then
# stops consuming (interface down) to show that one full peer does not block
# the others; then links are removed, re-created, a peer dies, the NIC is
# detached and the module unloaded.
# Exercises front/ alone: no colorcomd, no colorcomctl.

MAC_A=00:16:3e:cc:00:0a
MAC_B=00:16:3e:cc:00:0b
MAC_C=00:16:3e:cc:00:0c
NET=lab

# wait_state PATH VALUE [SECONDS]: poll a xenstore key until it reads VALUE.
wait_state() {
	local p=$1 v=$2 i
	for i in $(seq 1 $((${3:-60} * 5))); do
		[ "$(xenstore-read "$p" 2>/dev/null)" = "$v" ] && return 0
		sleep 0.2
	done
	echo "$p is '$(xenstore-read "$p" 2>&1)', wanted '$v'"
	return 1
}

# nic_attach DOMID MAC: what colorcomctl attach + colorcomd do for NIC 0.
nic_attach() {
	local d=$1 mac=$2
	local fe=/local/domain/$d/device/colorcom/0 be=/local/domain/0/backend/colorcom/$d/0
	# Directories first, with their final permissions; keys inherit them.
	xenstore-write "$fe" "" "$be" "" || return 1
	xenstore-chmod "$fe" "n$d" r0 || return 1
	xenstore-chmod "$be" n0 "r$d" || return 1
	# One transaction (xenstore-write with several pairs), state last.
	xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 \
		"$be/frontend" "$fe" "$be/frontend-id" "$d" "$be/mac" "$mac" \
		"$be/network" "$NET" "$be/mtu" "${NIC_MTU:-1500}" "$be/ring-page-order" 6 \
		"$be/online" 1 "$be/state" 1 "$fe/state" 1 || return 1
	# colorcomd: keys valid -> InitWait; the guest then registers ethN.
	xenstore-write "$be/state" 2 || return 1
	wait_state "$fe/state" 4 || return 1
	xenstore-write "$be/state" 4
}

# link_create LO HI: the cclink pair between NIC 0 of LO and NIC 0 of HI (LO < HI).
link_create() {
	local lo=$1 hi=$2 l=$(($2 << 8))
	local fh=/local/domain/$lo/device/cclink/$l bh=/local/domain/$hi/backend/cclink/$lo/$l
	local p
	xenstore-write "$fh" "" || return 1
	xenstore-chmod "$fh" "n$lo" "r$hi" || return 1
	for p in /local/domain/$hi/backend /local/domain/$hi/backend/cclink \
		/local/domain/$hi/backend/cclink/$lo; do
		xenstore-exists "$p" || xenstore-write "$p" "" || return 1
		xenstore-chmod "$p" "n$hi" || return 1
	done
	xenstore-write "$bh" "" || return 1
	xenstore-chmod "$bh" "n$hi" "r$lo" || return 1
	# Every key of both halves but state, then both states in one transaction:
	# each half must see the other complete when it probes.
	xenstore-write "$fh/backend" "$bh" "$fh/backend-id" "$hi" "$fh/nic" 0 \
		"$fh/peer-mac" "$(mac_of "$hi")" "$fh/network" "$NET" "$fh/ring-page-order" 6 \
		"$bh/frontend" "$fh" "$bh/frontend-id" "$lo" "$bh/nic" 0 \
		"$bh/peer-mac" "$(mac_of "$lo")" "$bh/network" "$NET" "$bh/ring-page-order" 6 ||
		return 1
	xenstore-write "$fh/state" 1 "$bh/state" 1
}

lab_guest_start a
lab_guest_start b
lab_guest_start c
if lab_guest_wait a && lab_guest_wait b && lab_guest_wait c; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
A=$(domid a)
B=$(domid b)
C=$(domid c)
if [ "$A" -lt "$B" ]; then LO=$A HI=$B; else LO=$B HI=$A; fi
mac_of() {
	case $1 in
	"$A") echo $MAC_A ;;
	"$B") echo $MAC_B ;;
	*) echo $MAC_C ;;
	esac
}
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }
max() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }
front_half() { echo "/local/domain/$(min "$1" "$2")/device/cclink/$(($(max "$1" "$2") << 8))"; }
back_half() {
	local lo hi
	lo=$(min "$1" "$2") hi=$(max "$1" "$2")
	echo "/local/domain/$hi/backend/cclink/$lo/$((hi << 8))"
}
# link_remove X Y: what colorcomd does when one of the NICs leaves.
link_remove() { xenstore-rm "$(front_half "$1" "$2")"; xenstore-rm "$(back_half "$1" "$2")"; }
L=$((HI << 8))
FH=/local/domain/$LO/device/cclink/$L
BH=/local/domain/$HI/backend/cclink/$LO/$L

# a runs the TEST-ONLY hostile build: it alone has the test_bad_seq hook used below.
check insmod-a g a 'insmod /lib/colorcom/colorcom-hostile.ko'
check insmod-b g b 'insmod /lib/colorcom/colorcom.ko'
check insmod-c g c 'insmod /lib/colorcom/colorcom.ko'

check nic-a-connected nic_attach "$A" $MAC_A
check nic-b-connected nic_attach "$B" $MAC_B
check nic-c-connected nic_attach "$C" $MAC_C
ccif='for n in $(ls /sys/class/net); do ethtool -i $n 2>/dev/null | grep -q "^driver: colorcom" && echo $n; done'
IFA=$(g a "$ccif" | head -n1)
IFB=$(g b "$ccif" | head -n1)
IFC=$(g c "$ccif" | head -n1)
log "colorcom interfaces: a=$IFA b=$IFB c=$IFC"
check nic-a-netdev test -n "$IFA"
check nic-b-netdev test -n "$IFB"
check nic-a-mac g a "ip link show $IFA | grep -q $MAC_A"
# carrier is only readable while the device is up
g a "ip link set $IFA up"
check nic-a-no-carrier g a "test \$(cat /sys/class/net/$IFA/carrier) = 0"

check link-create link_create "$LO" "$HI"
check link-front-connected wait_state "$FH/state" 4
check link-back-connected wait_state "$BH/state" 4
xenstore-ls -fp /local/domain/$LO/device/cclink >>"$LAB_LOGDIR/front-smoke-xs.log" 2>&1
xenstore-ls -fp /local/domain/$HI/backend/cclink >>"$LAB_LOGDIR/front-smoke-xs.log" 2>&1
check link-no-error sh -c "! xenstore-exists $FH/broken && ! xenstore-exists $BH/broken"

g a "ip addr add 10.9.0.1/24 dev $IFA && ip link set $IFA up"
g b "ip addr add 10.9.0.2/24 dev $IFB && ip link set $IFB up"
check carrier-a g a "sleep 1; test \$(cat /sys/class/net/$IFA/carrier) = 1"
check ping-a-to-b g a 'ping -c 3 -W 10 10.9.0.2'
check ping-b-to-a g b 'ping -c 3 -W 10 10.9.0.1'
# 6000-byte ICMP over MTU 1500: IP fragments, several records per ping.
check ping-fragmented g a 'ping -c 2 -W 10 -s 6000 10.9.0.2'
rtt=$(g a 'ping -c 20 -i 0.2 10.9.0.2' | sed -n 's,.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*,\1,p')
result colorcom_rtt_ms_avg "${rtt:-0}"
# lateeoi accounting of the back half (only binds made with a xenbus device keep it):
# spurious EOIs would make Xen delay the event channel.
evstat='for d in /sys/bus/xen-backend/devices/cclink-*; do echo $d $(cat $d/xenbus/events) events $(cat $d/xenbus/spurious_events) spurious $(cat $d/xenbus/jiffies_eoi_delayed) jiffies_delayed; done'
if [ "$A" = "$HI" ]; then EVG=a; else EVG=b; fi
g $EVG "$evstat" >>"$LAB_LOGDIR/front-smoke-eoi.log" 2>&1

# TCP with TSO/checksum offload carried as ring metadata, end-to-end sha256.
secs=$(lab_transfer sha256-16MiB-a-to-b a b 10.9.0.2 $((16 * 1024 * 1024)) | tail -n1)
result colorcom_16MiB_seconds "$secs"
secs=$(lab_transfer sha256-16MiB-b-to-a b a 10.9.0.1 $((16 * 1024 * 1024)) 5002 | tail -n1)
mbps=$(lab_iperf iperf3-a-to-b a b 10.9.0.2 5 | tail -n1)
result colorcom_tcp_mbps_a_to_b "$mbps"

# Flow control: c is linked to a and b, then stops consuming (down: its NAPI
# is off).  a floods c with 60000-byte pings (41 fragments each) while
# streaming to b: c's ring and backlog fill and drop, b's traffic is untouched.
check link-ac-create link_create "$(min "$A" "$C")" "$(max "$A" "$C")"
check link-bc-create link_create "$(min "$B" "$C")" "$(max "$B" "$C")"
check link-ac-connected wait_state "$(front_half "$A" "$C")/state" 4
check link-bc-connected wait_state "$(front_half "$B" "$C")/state" 4
g c "ip addr add 10.9.0.3/24 dev $IFC && ip link set $IFC up"
check ping-a-to-c g a 'ping -c 2 -W 10 10.9.0.3'
check ping-b-to-c g b 'ping -c 2 -W 10 10.9.0.3'
g c "ip link set $IFC down"
g a "ip neigh replace 10.9.0.3 lladdr $MAC_C dev $IFA nud permanent"
# Several pingers: each socket's send buffer alone is held back by the frames
# parked in c's backlog (TSQ-like), so it takes a few to overflow the backlog.
g a 'for i in 1 2 3 4 5 6; do (ping -q -s 60000 -c 20 10.9.0.3 >/dev/null 2>&1 &); done'
sleep 5
lab_transfer sha256-16MiB-a-to-b-while-c-full a b 10.9.0.2 $((16 * 1024 * 1024)) 5003 >/dev/null
g a "ethtool -S $IFA" >"$LAB_LOGDIR/front-smoke-ethtool-a-flow.log" 2>&1
check full-peer-ring-full g a "ethtool -S $IFA | grep -E '^ *peer$C(\\.[0-9]+)?_ring_full: [1-9]'"
check full-peer-dropped g a "ethtool -S $IFA | grep -E '^ *peer$C(\\.[0-9]+)?_tx_dropped: [1-9]'"
check other-peer-not-dropped g a "ethtool -S $IFA | grep -E '^ *peer$B(\\.[0-9]+)?_tx_dropped: 0'"
# c comes back: its poll frees the ring, the wake-up drains a's backlog.
g c "ip link set $IFC up"
check full-peer-recovers g a 'ping -c 3 -W 10 10.9.0.3'
# Down/up on a with live links.
g a "ip link set $IFA down; ip link set $IFA up"
check down-up-ping g a 'ping -c 3 -W 10 10.9.0.2'
# Jumbo frames (RX into page frags) and IPv6 multicast (flooded to every link).
g a "ip link set $IFA mtu 9000"
g b "ip link set $IFB mtu 9000"
check jumbo-ping g a 'ping -c 2 -W 10 -s 8900 10.9.0.2'
g a "ip link set $IFA mtu 1500"
g b "ip link set $IFB mtu 1500"
check ipv6-all-nodes g a "ping -6 -c 2 -W 10 -I $IFA ff02::1 2>/dev/null || ping6 -c 2 -W 10 -I $IFA ff02::1"
# Hostile peer: a sends c one record with a wrong sequence number (test hook).
# c must mark that link broken, say so in its half, count it, and keep its
# link to b working.
g a 'echo '"$C"' >/sys/module/colorcom/parameters/test_bad_seq'
g a 'ping -c 1 -W 2 10.9.0.3' >/dev/null
CHALF=$(back_half "$A" "$C"); [ "$C" -lt "$A" ] && CHALF=$(front_half "$A" "$C")
check broken-key-written sh -c "for i in \$(seq 50); do xenstore-read $CHALF/broken && exit 0; sleep 0.2; done; exit 1"
check broken-counted g c "ethtool -S $IFC | grep -E '^ *peer$A(\\.[0-9]+)?_proto_errors: 1'"
check broken-other-link-ok g c 'ping -c 2 -W 10 10.9.0.2'
g c 'dmesg | grep -iE "colorcom|cclink|eth[0-9]"' >"$LAB_LOGDIR/front-smoke-dmesg-c.log" 2>&1

# c leaves: its two links go, a keeps its link to b.
link_remove "$A" "$C"
link_remove "$B" "$C"
check c-links-gone-carrier-off g c "for i in \$(seq 50); do [ \$(cat /sys/class/net/$IFC/carrier) = 0 ] && exit 0; sleep 0.2; done; exit 1"
check a-still-linked g a "ethtool -S $IFA | grep -q '^ *links_connected: 1' && ping -c 2 -W 10 10.9.0.2"

g $EVG "$evstat" >>"$LAB_LOGDIR/front-smoke-eoi.log" 2>&1
check ethtool-i g a "ethtool -i $IFA | grep -q 'bus-info: device/colorcom/0'"
check ethtool-S-peer g a "ethtool -S $IFA | grep -E 'peer$B(\\.[0-9]+)?_rx_packets: [1-9]'"
check ethtool-k-tso g a "ethtool -k $IFA | grep -q 'tcp-segmentation-offload: on'"
check ethtool-g g a "ethtool -g $IFA"
g a "ethtool -S $IFA; ethtool -g $IFA; ethtool -k $IFA | head -20" >"$LAB_LOGDIR/front-smoke-ethtool-a.log" 2>&1
g b "ethtool -S $IFB" >"$LAB_LOGDIR/front-smoke-ethtool-b.log" 2>&1
check no-proto-errors g a "ethtool -S $IFA | grep -q '^ *proto_errors: 0'"

# Link removal, as colorcomd does when a NIC leaves: both halves deleted.
xenstore-rm "$FH"
xenstore-rm "$BH"
check link-gone-carrier-off g a "for i in \$(seq 50); do [ \$(cat /sys/class/net/$IFA/carrier) = 0 ] && exit 0; sleep 0.2; done; exit 1"
check link-gone-stats-kept g a "ethtool -S $IFA | grep -E '^ *rx_packets: [1-9]'"
check link-gone-no-peer-block g a "! ethtool -S $IFA | grep -q '^ *peer'"

# The same link again (new devices on the same paths), then peer death:
# b is destroyed with the link up; a must unmap at once so b does not stay a
# zombie domain, and its link half must go Closed.
check relink-create link_create "$LO" "$HI"
check relink-front-connected wait_state "$FH/state" 4
check relink-back-connected wait_state "$BH/state" 4
check relink-ping g a 'ping -c 3 -W 10 10.9.0.2'
if [ "$A" = "$LO" ]; then MINE=$FH; else MINE=$BH; fi
g b 'dmesg | grep -iE "colorcom|cclink|eth[0-9]"' >"$LAB_LOGDIR/front-smoke-dmesg-b.log" 2>&1
xl destroy b
check peer-death-half-closed wait_state "$MINE/state" 6 30
check peer-death-carrier-off g a "for i in \$(seq 50); do [ \$(cat /sys/class/net/$IFA/carrier) = 0 ] && exit 0; sleep 0.2; done; exit 1"
no_zombie() {
	local i
	for i in $(seq 1 100); do
		xl list | grep -q -e '(null)' -e '^b ' || return 0
		sleep 0.2
	done
	xl list
	return 1
}
check peer-death-no-zombie no_zombie
check peer-death-a-alive g a 'true'
xenstore-rm "$MINE"

# NIC detach: online=0, back Closing; the guest unregisters ethN and goes Closed.
xenstore-write /local/domain/0/backend/colorcom/$A/0/online 0 \
	/local/domain/0/backend/colorcom/$A/0/state 5
check nic-a-closed wait_state /local/domain/$A/device/colorcom/0/state 6
check nic-a-netdev-gone g a "! test -e /sys/class/net/$IFA"
# A bound xenbus device holds a module reference: the dirs go first.
for d in $A $B; do
	xenstore-rm /local/domain/$d/device/colorcom/0
	xenstore-rm /local/domain/0/backend/colorcom/$d/0
done
check rmmod-a g a 'sleep 1; rmmod colorcom'
g a 'dmesg | grep -iE "colorcom|cclink|eth[0-9]"' >"$LAB_LOGDIR/front-smoke-dmesg-a.log" 2>&1
check guest-a-alive sh -c "xl list a >/dev/null"
