#!/bin/sh
# rate.sh IFACE colorcom|netfront SECS (in a guest): packets/s that the XDP drop
# program on IFACE dropped over SECS, timed by the guest's own clock.  colorcom counts
# them as xdp_drop (ethtool -S); xen-netfront counts a non-PASS verdict as rx_errors.
# Prints: packets/s, packets dropped, seconds, and how far IFACE's rx_packets moved
# meanwhile (the dropped frames must not reach the stack).
n() {
	if [ "$2" = colorcom ]; then
		ethtool -S "$1" | awk '$1 == "xdp_drop:" {print $2}'
	else
		cat /sys/class/net/"$1"/statistics/rx_errors
	fi
}
p() { cat /sys/class/net/"$1"/statistics/rx_packets; }
a=$(n "$1" "$2"); ra=$(p "$1"); t=$(cut -d' ' -f1 /proc/uptime)
sleep "$3"
b=$(n "$1" "$2"); rb=$(p "$1"); u=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$a" -v b="$b" -v t="$t" -v u="$u" -v r=$((rb - ra)) \
	'BEGIN {printf "%d %d %.2f %d\n", (b - a) / (u - t), b - a, u - t, r}'
