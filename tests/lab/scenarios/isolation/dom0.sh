# isolation: a and b on colorcom network "blue", r on "red".
#  - r never gets a channel to a or b;
#  - frames with a forged source MAC are dropped and counted by the receiver;
#  - r writing its own xenstore nodes to claim blue, a's MAC or a link to a is
#    ignored by colorcomd, which logs it;
#  - from inside a guest, another guest's setup nodes cannot be read or written.
LAB_GUEST_MEM=192
DLOG=$LAB_LOGDIR/colorcomd.log
declare -A MAC=([a]=00:16:3e:d0:00:0a [b]=00:16:3e:d0:00:0b [r]=00:16:3e:d0:00:0e)
declare -A IP=([a]=10.6.0.1 [b]=10.6.0.2 [r]=10.6.0.3)
declare -A NET=([a]=blue [b]=blue [r]=red)
cc_daemon_check colorcomd-starts
# r first: the lowest domid, so that the link half it tries to forge below would be a
# front half, under its own device/ dir.
for n in r a b; do lab_guest_start $n; done
for n in r a b; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b r; do
	if cc_guest_nic $n ${NET[$n]} ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
A=$(domid a) B=$(domid b) R=$(domid r)
IA=${CC_IF[a]} IB=${CC_IF[b]} IR=${CC_IF[r]}
check blue-link-up cc_wait_links a "$IA" 1
check ping-a-to-b g a "ping -c 2 -W 10 ${IP[b]}"
# cclink_nodes_with D: cclink nodes in any tree that involve domain D.
cclink_nodes_with() {
	xenstore-ls -f /local/domain 2>/dev/null | grep -E "/local/domain/$1/device/cclink/[0-9]|/local/domain/$1/backend/cclink/[0-9]|/backend/cclink/$1/" | grep -c .
}

# --- 1. red cannot reach blue -------------------------------------------------------
sleep 2
check red-no-link-nodes sh -c "[ \$(xenstore-ls -f /local/domain 2>/dev/null | grep -E '/local/domain/$R/device/cclink/[0-9]|/local/domain/$R/backend/cclink/[0-9]|/backend/cclink/$R/' | grep -c .) = 0 ]"
check red-no-carrier g r "[ \"\$(cat /sys/class/net/$IR/carrier)\" = 0 ]"
check red-links-zero g r "ethtool -S $IR | grep -q '^ *links_connected: 0'"
check red-cannot-ping-a not g r "ping -c 2 -W 2 ${IP[a]}"
check blue-a-one-link g a "ethtool -S $IA | grep -q '^ *links_connected: 1'"

# --- 3. r claims things by writing its own xenstore nodes ------------------------------
# (written now, judged at the end: colorcomd watches no guest key but `state`, so it
# sees these on its next pass, at the latest its 60 s tick)
RFE=/local/domain/$R/device/colorcom/0
check r-writes-own-nic-node g r "xenstore-write $RFE/network blue $RFE/mac ${MAC[a]}"
# A front half in r's own tree that would claim a link to a on blue, with a's MAC and
# a made-up grant ref and port (r < a, so r would be the front half of such a link):
# only dom0 can create a cclink dir, so the write itself fails.
L=$((A << 8))
FORGED=/local/domain/$R/device/cclink/$L
check r-cannot-forge-link-half not g r "xenstore-write $FORGED/backend /local/domain/$A/backend/cclink/$R/$L $FORGED/backend-id $A $FORGED/nic 0 $FORGED/peer-mac ${MAC[a]} $FORGED/network blue $FORGED/tx-ring-ref 8 $FORGED/event-channel 5 $FORGED/state 1"
check r-cannot-write-a-tree not g r "xenstore-write /local/domain/$A/backend/cclink/$R/$L/state 1"
check r-cannot-make-own-backend-dir not g r "xenstore-write /local/domain/$R/backend/cclink/x 1"
check r-cannot-write-dom0-backend not g r "xenstore-write /local/domain/0/backend/colorcom/$R/0/network blue"
# --- 2. forged source MAC -------------------------------------------------------------
# Control first: 20 raw frames with a's own source reach b and count as received.
bad0=$(cc_stat b "$IB" rx_bad_source); rx0=$(cc_stat b "$IB" "peer${A}_rx_packets")
check raw-frames-sent g a "/lib/colorcom/ccraw $IA ${MAC[a]} ${MAC[b]} 20"
sleep 1
bad1=$(cc_stat b "$IB" rx_bad_source); rx1=$(cc_stat b "$IB" "peer${A}_rx_packets")
log "genuine source: b rx from a $rx0 -> $rx1, rx_bad_source $bad0 -> $bad1"
if [ $((rx1 - rx0)) -ge 20 ] && [ "$bad1" = "$bad0" ]; then pass genuine-source-accepted; else fail genuine-source-accepted "rx from a +$((rx1 - rx0)), bad source +$((bad1 - bad0))"; fi
# Now a claims to be r, then a made-up host: b must drop and count every frame.
check forged-frames-sent g a "/lib/colorcom/ccraw $IA ${MAC[r]} ${MAC[b]} 20 && /lib/colorcom/ccraw $IA 00:16:3e:d0:de:ad ${MAC[b]} 20"
sleep 1
bad2=$(cc_stat b "$IB" rx_bad_source); rx2=$(cc_stat b "$IB" "peer${A}_rx_packets")
drop2=$(cc_stat b "$IB" "peer${A}_rx_dropped")
log "forged source: b rx from a $rx1 -> $rx2, rx_bad_source $bad1 -> $bad2, peer rx_dropped $drop2"
result isolation_forged_frames_counted "$((bad2 - bad1))"
# (a few genuine frames from a, ARP or IPv6 ND, may arrive meanwhile)
if [ $((bad2 - bad1)) = 40 ] && [ $((rx2 - rx1)) -lt 5 ]; then pass forged-source-dropped-and-counted; else fail forged-source-dropped-and-counted "rx_bad_source +$((bad2 - bad1)) of 40, rx_packets from a +$((rx2 - rx1))"; fi
check forged-source-in-ip-stats g b "[ \$(cat /sys/class/net/$IB/statistics/rx_errors) -ge 40 ]"
check link-survives-forgery g a "ping -c 2 -W 10 ${IP[b]}"

# --- 4. reading other guests' setup nodes from inside a guest ---------------------------
LAB=$(cc_half_of "$A" "$B")
check guest-reads-own-nic g r "[ \"\$(xenstore-read $RFE/state)\" = 4 ]"
check peer-reads-link-half g b "xenstore-read $LAB/tx-ring-ref"
check r-cannot-read-a-nic not g r "xenstore-read /local/domain/$A/device/colorcom/0/state"
check r-cannot-read-a-link-half not g r "xenstore-read $LAB/tx-ring-ref"
check r-cannot-list-a-links not g r "xenstore-list /local/domain/$A/device/cclink"
check r-cannot-read-a-backend not g r "xenstore-read /local/domain/0/backend/colorcom/$A/0/mac"
check b-cannot-read-a-nic not g b "xenstore-read /local/domain/$A/device/colorcom/0/state"
g r "xenstore-read /local/domain/$A/device/colorcom/0/state; xenstore-ls /local/domain/$A" >"$LAB_LOGDIR/isolation-r-reads.log" 2>&1
# --- 3, judged ---------------------------------------------------------------------
check no-forged-half sh -c "! xenstore-exists $FORGED"
check claim-nic-keys-logged wait_until 75 grep -q "ignoring guest-written $RFE/network" "$DLOG"
check claim-mac-logged grep -q "ignoring guest-written $RFE/mac" "$DLOG"
sleep 2
check claims-give-no-link-to-a not sh -c "xenstore-exists /local/domain/$A/backend/cclink/$R"
check claims-red-still-alone g r "ethtool -S $IR | grep -q '^ *links_connected: 0'"
check claims-a-unchanged g a "ethtool -S $IA | grep -q '^ *links_connected: 1' && ping -c 1 -W 10 ${IP[b]}"
check claims-dom0-network-unchanged sh -c "[ \"\$(xenstore-read /local/domain/0/backend/colorcom/$R/0/network)\" = red ]"

check daemon-alive kill -0 "$CC_DAEMON_PID"
true
