# peer-destroy: a, b, c on colorcom network "blue".  b is destroyed (xl destroy) in the
# middle of an iperf3 stream a -> b while a also streams to c.  a must keep running,
# close its channel to b within 5 s, keep carrying a -> c, and leave no dying domain;
# a new b (new domid) must get a channel to a again.
LAB_GUEST_MEM=192
declare -A MAC=([a]=00:16:3e:cd:00:0a [b]=00:16:3e:cd:00:0b [c]=00:16:3e:cd:00:0c)
declare -A IP=([a]=10.2.0.1 [b]=10.2.0.2 [c]=10.2.0.3)
cc_daemon_check colorcomd-starts
for n in a b c; do lab_guest_start $n; done
for n in a b c; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
for n in a b c; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
IA=${CC_IF[a]}
check links-a cc_wait_links a "$IA" 2
check ping-a-to-b g a "ping -c 2 -W 10 ${IP[b]}"
check ping-a-to-c g a "ping -c 2 -W 10 ${IP[c]}"
A=$(domid a) B=$(domid b) C=$(domid c)
HALF=$(cc_half_of "$A" "$B")
log "domids a=$A b=$B c=$C; a's half to b: $HALF"

# a -> b and a -> c: iperf3 for 60 s each, both running when b dies; a -> c must
# still be running when it is sampled after the destroy (a 30 s stream had ended by
# then in a slow boot, and c's flat counter said nothing about the destroy).
g b 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
g c 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
sleep 1
g a "iperf3 -c ${IP[b]} -t 60 -J >/tmp/iperf-b.json 2>&1 & echo \$! >/tmp/iperf-b.pid" >/dev/null
g a "iperf3 -c ${IP[c]} -t 60 -J >/tmp/iperf-c.json 2>&1 & echo \$! >/tmp/iperf-c.pid" >/dev/null
sleep 6
rxb0=$(cc_stat b "${CC_IF[b]}" "peer${A}_rx_bytes")
if [ "${rxb0:-0}" -gt 1000000 ]; then pass iperf-running-before-destroy; else fail iperf-running-before-destroy "b received only ${rxb0} bytes from a"; fi
rxc0=$(cc_stat c "${CC_IF[c]}" "peer${A}_rx_bytes")
sleep 1
rxc00=$(cc_stat c "${CC_IF[c]}" "peer${A}_rx_bytes")
if [ "$rxc00" -gt "$rxc0" ]; then pass a-to-c-flows-before-destroy; else fail a-to-c-flows-before-destroy "c rx bytes from a stuck at $rxc0"; fi
# diag: the state of both ends of the a -> c channel (kept for the logs)
diag() {
	{
		echo "== $1"
		g a "ethtool -S $IA; cat /proc/interrupts | grep -i -e cc -e eth; netstat -tn; cat /tmp/iperf-c.json | tail -n 5"
		g c "ethtool -S ${CC_IF[c]}; cat /proc/interrupts | grep -i -e cc -e eth; netstat -tn"
	} >>"$LAB_LOGDIR/peer-destroy-diag.log" 2>&1
}
diag before-destroy

t0=$(now_s)
xl destroy b
tdestroy=$(since_s "$t0")
if wait_until 15 cc_half_closed "$HALF"; then
	tclose=$(since_s "$t0")
else
	tclose=99
fi
result peer_destroy_xl_destroy_s "$tdestroy"
result peer_destroy_channel_closed_s "$tclose"
log "xl destroy took ${tdestroy}s; a's half to b closed after ${tclose}s"
if awk -v t="$tclose" 'BEGIN {exit !(t <= 5)}'; then pass channel-to-b-closes-within-5s; else fail channel-to-b-closes-within-5s "a's half $HALF still '$(xenstore-read "$HALF/state" 2>&1)' after ${tclose}s"; fi
if wait_until 10 xl_no_dying; then
	pass no-dying-domain-within-10s
	result peer_destroy_no_dying_s "$(since_s "$t0")"
else
	fail no-dying-domain-within-10s "$(xl list | tr '\n' ' ')"
fi
check survivor-a-alive g a 'true'
check a-one-link-left cc_wait_links a "$IA" 1 10
check a-carrier-still-up g a "[ \$(cat /sys/class/net/$IA/carrier) = 1 ]"
# The a -> c stream went on while b died: bytes kept arriving, before and after.
rxc1=$(cc_stat c "${CC_IF[c]}" "peer${A}_rx_bytes")
sleep 3
rxc2=$(cc_stat c "${CC_IF[c]}" "peer${A}_rx_bytes")
check a-to-c-stream-still-running-when-sampled g a 'kill -0 $(cat /tmp/iperf-c.pid)'
log "c rx from a: $rxc0 before the destroy, $rxc1 after, $rxc2 3 s later"
result peer_destroy_a_to_c_bytes_3s_after "$((rxc2 - rxc1))"
diag after-destroy
if [ "$rxc1" -gt "$rxc0" ] && [ $((rxc2 - rxc1)) -gt 1000000 ]; then pass a-to-c-flows-across-destroy; else fail a-to-c-flows-across-destroy "c rx bytes from a: $rxc0 -> $rxc1 -> $rxc2"; fi
g a 'kill $(cat /tmp/iperf-b.pid); true' >/dev/null
G_TIMEOUT=90 g a 'while kill -0 $(cat /tmp/iperf-c.pid) 2>/dev/null; do sleep 1; done; cat /tmp/iperf-c.json' >"$LAB_LOGDIR/peer-destroy-iperf-c.json"
mbps=$(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$LAB_LOGDIR/peer-destroy-iperf-c.json" 2>/dev/null)
result peer_destroy_a_to_c_tcp_mbps "${mbps:-0}"
if [ "${mbps:-0}" -gt 0 ] 2>/dev/null; then pass iperf-a-to-c-completes; else fail iperf-a-to-c-completes "no iperf3 result a -> c"; fi
lab_transfer sha256-16MiB-a-to-c-after a c "${IP[c]}" $((16 * 1024 * 1024)) 5002 >/dev/null
check a-to-b-unreachable not g a "ping -c 1 -W 2 ${IP[b]}"

# A new b: new domid, same MAC and network; the daemon links it to a and c again.
lab_guest_again b || { fail recreate-b "b did not boot again"; exit 1; }
B2=$(domid b)
log "b re-created as domain $B2"
if cc_guest_nic b blue ${MAC[b]} ${IP[b]}; then pass recreate-b-nic; else fail recreate-b-nic "no colorcom interface"; fi
check recreate-a-links cc_wait_links a "$IA" 2
check recreate-b-links cc_wait_links b "${CC_IF[b]}" 2
check recreate-half-connected wait_until 10 sh -c "[ \"\$(xenstore-read $(cc_half_of "$A" "$B2")/state)\" = 4 ]"
check recreate-ping-a-to-b g a "ping -c 3 -W 10 ${IP[b]}"
lab_transfer recreate-sha256-b-to-a b a "${IP[a]}" $((16 * 1024 * 1024)) 5003 >/dev/null
check no-stale-half-to-old-b sh -c "! xenstore-exists $HALF || [ \"$HALF\" = \"$(cc_half_of "$A" "$B2")\" ]"
g a "ethtool -S $IA; dmesg | grep -iE 'colorcom|cclink|link to'" >"$LAB_LOGDIR/peer-destroy-a.log" 2>&1
check daemon-alive kill -0 "$CC_DAEMON_PID"
true
