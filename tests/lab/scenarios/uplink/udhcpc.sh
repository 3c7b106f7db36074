#!/bin/sh
# busybox udhcpc's event script (udhcpc -s): the guests of the uplink scenario take
# their address, prefix and default route from dnsmasq in dom0.
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
	echo "$ip" >"/tmp/dhcp-$interface"
	;;
esac
exit 0
