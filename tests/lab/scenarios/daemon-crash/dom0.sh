# daemon-crash: colorcomd is killed with SIGKILL in the middle of a 256 MiB a -> b
# transfer.  The transfer must finish intact (the data path never needs dom0); a
# restarted daemon must rebuild its view from xenstore without writing to the live
# link; a guest started after the restart must get channels to everyone on its network.
LAB_GUEST_MEM=192
DLOG=$LAB_LOGDIR/colorcomd.log
declare -A MAC=([a]=00:16:3e:ce:00:0a [b]=00:16:3e:ce:00:0b [c]=00:16:3e:ce:00:0c)
declare -A IP=([a]=10.3.0.1 [b]=10.3.0.2 [c]=10.3.0.3)
# links_dump: every cclink node of every domain, with permissions (restart diff).
links_dump() {
	local d
	for d in $(xenstore-list /local/domain); do
		xenstore-ls -fp /local/domain/$d/device/cclink 2>/dev/null
		xenstore-ls -fp /local/domain/$d/backend/cclink 2>/dev/null
	done
}
cc_daemon_check colorcomd-starts
D1=$CC_DAEMON_PID
lab_guest_start a
lab_guest_start b
for n in a b; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
check link-up cc_wait_links a "${CC_IF[a]}" 1
A=$(domid a) B=$(domid b)
HA=$(cc_half_of "$A" "$B") HB=$(cc_half_of "$B" "$A")
check ping-a-to-b g a "ping -c 2 -W 10 ${IP[b]}"

cc_bg_transfer big sha256-256MiB-across-kill a b "${IP[b]}" $((256 * 1024 * 1024))
sleep 4
if kill -0 "$CC_BG_big" 2>/dev/null; then pass killed-mid-transfer; else fail killed-mid-transfer "the transfer ended before the kill"; fi
rx0=$(cc_stat b "${CC_IF[b]}" "peer${A}_rx_bytes")
before=$(links_dump | md5sum)
links_dump >"$LAB_LOGDIR/daemon-crash-links-before.log"
[ -n "$D1" ] && kill -9 "$D1"
wait "$D1" 2>/dev/null
if [ -n "$D1" ] && ! kill -0 "$D1" 2>/dev/null && [ -z "$(pidof colorcomd)" ]; then pass daemon-killed; else fail daemon-killed "colorcomd '$D1' still running (pidof: $(pidof colorcomd))"; fi
log "colorcomd $D1 killed after b had $rx0 bytes"
sleep 4
rx1=$(cc_stat b "${CC_IF[b]}" "peer${A}_rx_bytes")
if [ "$rx1" -gt "$rx0" ]; then pass transfer-flows-without-daemon; else fail transfer-flows-without-daemon "b rx from a stuck at $rx0"; fi
echo "---- restart ----" >>"$DLOG"
cc_daemon_check colorcomd-restarts
sleep 4
after=$(links_dump | md5sum)
links_dump >"$LAB_LOGDIR/daemon-crash-links-after.log"
if [ "$before" = "$after" ]; then pass restart-leaves-live-link-alone; else fail restart-leaves-live-link-alone "cclink nodes changed across the restart (see daemon-crash-links-*.log)"; fi
# The restarted daemon wrote nothing about the live link: no removal, no creation.
check restart-no-link-actions not sh -c "sed -n '/^---- restart ----/,\$p' $DLOG | grep -E 'link .*(created|removed)|nic [0-9]+/[0-9]+ '"
check restart-link-still-connected sh -c "[ \"\$(xenstore-read $HA/state)\" = 4 ] && [ \"\$(xenstore-read $HB/state)\" = 4 ]"
cc_bg_wait big
cat /tmp/bg-big.out
result daemon_crash_256MiB_s "$CC_BG_SECS"
# (the check line sha256-256MiB-across-kill came from lab_transfer)
check no-proto-errors g b "ethtool -S ${CC_IF[b]} | grep -q '^ *proto_errors: 0'"

# A guest born after the restart: the new daemon must link it to a and b.
lab_guest c || { fail guest-c-up "c did not boot"; exit 1; }
if cc_guest_nic c blue ${MAC[c]} ${IP[c]}; then pass nic-c; else fail nic-c "no colorcom interface in c"; fi
check c-gets-two-links cc_wait_links c "${CC_IF[c]}" 2
check a-gets-link-to-c cc_wait_links a "${CC_IF[a]}" 2
check b-gets-link-to-c cc_wait_links b "${CC_IF[b]}" 2
check ping-c-to-a g c "ping -c 2 -W 10 ${IP[a]}"
check ping-c-to-b g c "ping -c 2 -W 10 ${IP[b]}"
check ping-a-to-b-still g a "ping -c 2 -W 10 ${IP[b]}"
check daemon-alive kill -0 "$CC_DAEMON_PID"
check one-daemon sh -c "[ \"\$(pidof colorcomd)\" = $CC_DAEMON_PID ]"
check daemon-no-failed-actions not grep -q "failed (" "$DLOG"
true
