# three-guests: a, b, c on network "blue", d on "red" (same IP subnet on purpose:
# only the colorcom network may separate them).
LAB_GUEST_MEM=192
check colorcomd-starts cc_daemon
for n in a b c d; do lab_guest_start $n; done
ok=1
for n in a b c d; do lab_guest_wait $n || ok=0; done
if [ $ok = 1 ]; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi

declare -A MAC=([a]=00:16:3e:cc:01:0a [b]=00:16:3e:cc:01:0b [c]=00:16:3e:cc:01:0c [d]=00:16:3e:cc:01:0d)
declare -A IP=([a]=10.1.0.1 [b]=10.1.0.2 [c]=10.1.0.3 [d]=10.1.0.4)
declare -A NET=([a]=blue [b]=blue [c]=blue [d]=red)
declare -A IF
for n in a b c d; do
	check module-loads-$n cc_load $n
	check attach-$n colorcomctl attach $n network=${NET[$n]},mac=${MAC[$n]}
done
for n in a b c d; do
	IF[$n]=$(cc_ifname $n ${MAC[$n]})
	g $n "ip addr add ${IP[$n]}/24 dev ${IF[$n]} && ip link set ${IF[$n]} up"
done
for n in a b c; do check carrier-$n cc_wait_carrier $n "${IF[$n]:-none}"; done
# d is alone on red: it must never get a link, so its carrier stays down.
sleep 3
check no-carrier-d g d "[ \"\$(cat /sys/class/net/${IF[d]}/carrier)\" = 0 ]"

for s in a b c; do
	for t in a b c; do
		[ $s = $t ] && continue
		check ping-$s-to-$t g $s "ping -c 2 -W 10 ${IP[$t]}"
	done
done

# Broadcast: ARP requests from a (busybox arping sends them to ff:ff:ff:ff:ff:ff)
# must arrive at both b and c over their links from a.
A=$(domid a)
rb0=$(cc_stat b "${IF[b]}" "peer${A}_rx_packets"); rc0=$(cc_stat c "${IF[c]}" "peer${A}_rx_packets")
g a "arping -c 5 -w 6 -I ${IF[a]} 10.1.0.99" >/dev/null
rb1=$(cc_stat b "${IF[b]}" "peer${A}_rx_packets"); rc1=$(cc_stat c "${IF[c]}" "peer${A}_rx_packets")
log "broadcast: b rx from a $rb0->$rb1, c rx from a $rc0->$rc1"
if [ $((rb1 - rb0)) -ge 5 ] && [ $((rc1 - rc0)) -ge 5 ]; then
	pass broadcast-reaches-b-and-c
else
	fail broadcast-reaches-b-and-c "b got $((rb1 - rb0)), c got $((rc1 - rc0)) of 5 broadcasts"
fi

# Isolation: d (red) reaches nobody and receives nothing.
for t in a b c; do
	check d-cannot-reach-$t not g d "ping -c 2 -W 2 ${IP[$t]}"
done
g a "ping -c 2 -W 2 ${IP[d]}" >/dev/null
drx=$(g d "cat /sys/class/net/${IF[d]}/statistics/rx_packets")
if [ "$drx" = 0 ]; then pass d-receives-nothing; else fail d-receives-nothing "d received $drx frames"; fi
D=$(domid d)
links=$(xenstore-ls -f /local/domain 2>/dev/null | grep -c -E "/local/domain/$D/device/cclink/|/local/domain/$D/backend/cclink/|/backend/cclink/$D/")
if [ "$links" = 0 ]; then pass no-link-to-d; else fail no-link-to-d "$links cclink nodes involve d"; fi
xenstore-ls -fp /local/domain >"$LAB_LOGDIR/xenstore.log" 2>&1
