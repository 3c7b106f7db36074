#!/bin/sh
# pktgen.sh start IFACE DST-MAC DST-IP | stop IFACE (in a guest): pktgen floods IFACE
# with 60-octet UDP frames (a new skb each: colorcom queues skbs, so it refuses
# pktgen's clone_skb; the same for netfront, for a fair sender) until stopped; stop prints
# pktgen's own result line for IFACE.
P=/proc/net/pktgen
case $1 in
start)
	[ -d $P ] || insmod /lib/modules/pktgen.ko || exit 1
	echo rem_device_all >$P/kpktgend_0 || exit 1
	echo "add_device $2" >$P/kpktgend_0 || exit 1
	for c in "count 0" "clone_skb 0" "pkt_size 60" "delay 0" "dst $4" "dst_mac $3"; do
		echo "$c" >$P/$2 || exit 1
	done
	(echo start >$P/pgctrl 2>/dev/null &)
	;;
stop)
	echo stop >$P/pgctrl
	sleep 1
	grep -A1 '^Result' $P/$2 | tr '\n' ' '
	echo
	;;
*)
	exit 2
	;;
esac
