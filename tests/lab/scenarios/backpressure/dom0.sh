# backpressure (issue #17 items 4 and 7): a, b on the release build, c on the TEST-ONLY
# hostile build (front/hostile/), all on network "blue", whose MTU colorcomd.conf sets.
#   MTU: every NIC gets the network's MTU; a guest can lower it, never raise it; RX
#     takes frames up to the network MTU (even below a lowered ethN MTU) and drops and
#     counts one above it (c sends both); colorcomctl and colorcomd refuse another MTU.
#   Backpressure: c stops consuming (its ethN down: NAPI off).  a sends c raw frames:
#     c's ring fills, a stops c's TX queue and fq_codel above it holds the backlog
#     (tc -s qdisc), while a -> b keeps its rate.  After tx_stall_ms a drops c's
#     backlog and counts it, the qdisc drains, nothing stays held; c recovers when up.
LAB_GUEST_MEM=192
NETMTU=4000
declare -A MAC=([a]=00:16:3e:b9:00:0a [b]=00:16:3e:b9:00:0b [c]=00:16:3e:b9:00:0c)
declare -A IP=([a]=10.7.0.1 [b]=10.7.0.2 [c]=10.7.0.3)
XS=/local/domain BE=/local/domain/0/backend/colorcom
mkdir -p /etc/colorcom
printf 'network.blue.mtu = %s\n' $NETMTU >/etc/colorcom/colorcomd.conf
cc_daemon_check colorcomd-starts
for n in a b c; do lab_guest_start $n; done
for n in a b c; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
if cc_guest_nic c blue ${MAC[c]} ${IP[c]} /lib/colorcom/colorcom-hostile.ko; then pass nic-c; else fail nic-c "no colorcom interface in c"; fi
A=$(domid a) B=$(domid b) C=$(domid c)
IA=${CC_IF[a]} IB=${CC_IF[b]} IC=${CC_IF[c]}
for n in a b c; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 2; done
astat() { cc_stat a "$IA" "$1"; }

# --- MTU ------------------------------------------------------------------------------
check mtu-key-is-network-mtu sh -c "[ \"\$(xenstore-read $BE/$A/0/mtu)\" = $NETMTU ]"
check mtu-a-is-network-mtu g a "[ \"\$(cat /sys/class/net/$IA/mtu)\" = $NETMTU ]"
check mtu-cannot-raise not g a "ip link set $IA mtu $((NETMTU + 1))"
check mtu-big-ping-b-to-a g b "ping -c 2 -W 10 -s $((NETMTU - 28)) ${IP[a]}"
check mtu-can-lower g a "ip link set $IA mtu 1400 && [ \"\$(cat /sys/class/net/$IA/mtu)\" = 1400 ]"
# b still sends a network-MTU frame; a takes it although its own MTU is lower.
tb0=$(astat rx_too_big)
check mtu-lowered-still-receives-network-mtu g b "ping -c 2 -W 10 -s $((NETMTU - 28)) ${IP[a]}"
HOOK=/sys/module/colorcom/parameters/hostile
p0=$(astat "peer${C}_rx_packets"); t0=$(astat rx_too_big)
check mtu-hook-at-mtu g c "echo 'meta-at-mtu $A 5' >$HOOK && sleep 1"
p1=$(astat "peer${C}_rx_packets"); t1=$(astat rx_too_big)
check mtu-hook-too-big g c "echo 'meta-too-big $A 5' >$HOOK && sleep 1"
p2=$(astat "peer${C}_rx_packets"); t2=$(astat rx_too_big)
log "mtu: a's rx_too_big $tb0 -> $t0 (b's pings) -> $t1 (at-mtu) -> $t2 (too-big); rx from c $p0 -> $p1 -> $p2"
# control: c's frames of exactly the network MTU arrive (a's own MTU is 1400 now)
if [ $((p1 - p0)) -ge 5 ] && [ "$t1" = "$tb0" ]; then pass mtu-rx-at-network-mtu-delivered; else fail mtu-rx-at-network-mtu-delivered "rx from c +$((p1 - p0)), rx_too_big $tb0 -> $t1"; fi
if [ $((t2 - t1)) = 5 ] && [ $((p2 - p1)) -lt 5 ]; then pass mtu-rx-above-network-mtu-dropped-counted; else fail mtu-rx-above-network-mtu-dropped-counted "rx_too_big +$((t2 - t1)), rx from c +$((p2 - p1))"; fi
check mtu-back-to-network g a "ip link set $IA mtu $NETMTU"
check mtu-colorcomctl-refuses not colorcomctl attach c network=blue,mtu=1500
# A NIC written behind colorcomctl's back with another MTU: colorcomd refuses it.
fe=$XS/$C/device/colorcom/3 be=$BE/$C/3
xenstore-write "$fe" "" "$be" ""
xenstore-chmod "$fe" "n$C" r0
xenstore-chmod "$be" n0 "r$C"
xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 \
	"$be/frontend" "$fe" "$be/frontend-id" "$C" "$be/mac" 00:16:3e:b9:00:3c \
	"$be/network" blue "$be/mtu" 1500 "$be/online" 1 "$be/state" 1
check mtu-colorcomd-refuses wait_until 15 sh -c "[ \"\$(xenstore-read $be/state)\" = 6 ]"
check mtu-colorcomd-says-why sh -c "xenstore-read $be/error | grep -qx \"mtu 1500 is not network blue's mtu $NETMTU\""
colorcomctl detach c 3 >/dev/null 2>&1
check links-a-still-2 cc_wait_links a "$IA" 2

# --- backpressure -----------------------------------------------------------------------
# iproute2's tc (busybox has a tc applet too, without -s).
TC=/sbin/tc
# qparse: tc -s qdisc output on stdin -> "CHILDREN_WITH_BACKLOG MAX_PKTS MAX_BYTES" over
# the fq_codel children.
qparse() {
	tee -a "$LAB_LOGDIR/backpressure-tc.log" | awk '
		$1 == "qdisc" {k = $2} k == "fq_codel" && $1 == "backlog" {
			b = $2 + 0; p = $3 + 0
			if ($2 ~ /Kb$/) b *= 1024; else if ($2 ~ /Mb$/) b *= 1048576
			if (p > 0) n++
			if (p > mp) {mp = p; mb = b}
		} END {print n + 0, mp + 0, mb + 0}'
}
qstat() { g "$1" "$TC -s qdisc show dev $2" | qparse; }
check tc-in-guest g a "$TC -s qdisc show dev $IA | grep -q '^qdisc mq 0: root'"
check tc-fq-codel-children g a "[ \$($TC qdisc show dev $IA | grep -c 'qdisc fq_codel') -ge 2 ]"
q0=$(qstat a "$IA")
log "qdisc before: $q0"
if [ "${q0%% *}" = 0 ]; then pass qdisc-empty-before; else fail qdisc-empty-before "$q0"; fi

base=$(lab_iperf iperf-a-to-b-baseline a b ${IP[b]} 5 | tail -n1)
result backpressure_baseline_mbps "$base"

# Long enough for the checks below on a loaded host, where one dom0 -> guest command
# can take seconds.
STALL_MS=30000
g a "echo $STALL_MS >/sys/module/colorcom/parameters/tx_stall_ms" >/dev/null
g a "ip neigh replace ${IP[c]} lladdr ${MAC[c]} dev $IA nud permanent" >/dev/null
g c "ip link set $IC down" >/dev/null
s0=$(astat "peer${C}_tx_queue_stops"); st0=$(astat "peer${C}_tx_stalls"); sd0=$(astat "peer${C}_tx_stall_dropped")
# 4000 full frames: far more than c's 256 KiB ring; the sender blocks on its socket
# buffer while the qdisc holds them, and finishes once the stall timeout frees it.
# Started and sampled in one guest command, 3 s in (guest time, whatever dom0's load).
out=$(g a "rm -f /tmp/raw.out; (/lib/colorcom/ccraw $IA ${MAC[a]} ${MAC[c]} 4000 1514 0 >/tmp/raw.out 2>&1 &); sleep 3; $TC -s qdisc show dev $IA; ethtool -S $IA | grep -E '^ *peer${C}_tx_(queue_stops|stalls):'")
T0=$(now_s)
q1=$(printf '%s\n' "$out" | qparse)
s1=$(printf '%s\n' "$out" | awk -v k="peer${C}_tx_queue_stops:" '$1 == k {print $2}')
st1=$(printf '%s\n' "$out" | awk -v k="peer${C}_tx_stalls:" '$1 == k {print $2}')
log "qdisc while c is stalled (3 s in): $q1; c's queue stops $s0 -> $s1, stalls $st0 -> $st1"
set -- $q1
result backpressure_qdisc_backlog_pkts "$2"
result backpressure_qdisc_backlog_bytes "$3"
if [ "$1" = 1 ] && [ "$2" -ge 10 ]; then pass qdisc-holds-stalled-backlog; else fail qdisc-holds-stalled-backlog "children with backlog $1, max $2 packets"; fi
if [ $((${s1:-0} - s0)) -ge 1 ] && [ "$st1" = "$st0" ]; then pass stalled-queue-stopped; else fail stalled-queue-stopped "queue stops +$((s1 - s0)), stalls $st0 -> $st1"; fi
# a -> b while c's queue is stopped
during=$(lab_iperf iperf-a-to-b-during-stall a b ${IP[b]} 5 | tail -n1)
el=$(since_s "$T0")
result backpressure_during_stall_mbps "$during"
log "a -> b: baseline $base Mbit/s, during c's stall $during Mbit/s (stall age ${el} s)"
if awk -v b="$base" -v d="$during" 'BEGIN {exit !(b > 0 && d >= 0.5 * b)}'; then pass other-peer-keeps-rate; else fail other-peer-keeps-rate "$during Mbit/s against $base"; fi
check other-peer-no-stall g a "ethtool -S $IA | grep -qE '^ *peer${B}_tx_stalls: 0\$' && ethtool -S $IA | grep -qE '^ *peer${B}_tx_stall_dropped: 0\$'"
# the stall timeout: c's backlog is dropped and counted, the qdisc is empty again
stalls_above() { [ "$(astat "peer${C}_tx_stalls")" -gt "$1" ]; }
check stall-timeout-fires wait_until 90 stalls_above "$st0"
T1=$(since_s "$T0")
check sender-unblocked g a "for i in \$(seq 60); do grep -qx 4000 /tmp/raw.out 2>/dev/null && exit 0; sleep 1; done; cat /tmp/raw.out; exit 1"
q2=$(qstat a "$IA")
st2=$(astat "peer${C}_tx_stalls"); sd2=$(astat "peer${C}_tx_stall_dropped"); rf=$(astat "peer${C}_ring_full")
log "stall fired by ${T1} s (tx_stall_ms $STALL_MS); qdisc after: $q2; stalls $st0 -> $st2, stall drops $sd0 -> $sd2, ring_full $rf"
result backpressure_stall_dropped "$((sd2 - sd0))"
if [ "${q2%% *}" = 0 ]; then pass qdisc-drained-after-stall; else fail qdisc-drained-after-stall "$q2"; fi
if [ $((sd2 - sd0)) -ge 100 ]; then pass stall-drops-counted; else fail stall-drops-counted "tx_stall_dropped +$((sd2 - sd0))"; fi
check stall-in-tx-dropped g a "ethtool -S $IA | awk '\$1 == \"peer${C}_tx_dropped:\" {exit !(\$2 >= $((sd2 - sd0)))}'"
# nothing held for c now: a's socket memory for the raw sender is back (the process
# finished), and more frames to c are dropped at once, never queued
g a "(/lib/colorcom/ccraw $IA ${MAC[a]} ${MAC[c]} 500 1514 0 >/tmp/raw2.out 2>&1 &)" >/dev/null
check stalled-sends-drop-at-once g a "for i in \$(seq 30); do grep -qx 500 /tmp/raw2.out 2>/dev/null && exit 0; sleep 1; done; exit 1"
q3=$(qstat a "$IA"); sd3=$(astat "peer${C}_tx_stall_dropped")
if [ "${q3%% *}" = 0 ] && [ $((sd3 - sd2)) -ge 400 ]; then pass stalled-no-backlog; else fail stalled-no-backlog "qdisc $q3, stall drops +$((sd3 - sd2))"; fi
check ping-a-to-b-during-stall g a "ping -c 3 -W 10 ${IP[b]}"
# c consumes again: the link to it works without being re-created
g c "ip link set $IC up" >/dev/null
check stalled-peer-recovers wait_until 30 g a "ping -c 1 -W 3 ${IP[c]}"
check links-a-after cc_wait_links a "$IA" 2
g a "ethtool -S $IA; $TC -s qdisc show dev $IA" >"$LAB_LOGDIR/backpressure-a.log" 2>&1
true
