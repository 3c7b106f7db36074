# lib.sh - helpers for scenario scripts; sourced in dom0 before dom0.sh runs (bash).
#
#   pass NAME | fail NAME REASON | check NAME CMD...   one check line each
#   result KEY VALUE                                     a measured value (results.txt)
#   lab_guest NAME [XL-CONFIG-LINE...]                   create a PV guest, wait for its agent
#   lab_guest_start NAME [LINE...] / lab_guest_wait NAME  the same, split (start several at once)
#   g NAME 'shell command'                               run in the guest; prints output, returns rc
#                                                        (G_TIMEOUT seconds, default 120)
#   domid NAME, dom_cpu NAME                             domid; CPU seconds used so far
#   dom0_netdev_bytes                                    sum of rx+tx bytes of every dom0 netdev
#   lab_collect_guests                                   dmesg of every guest into /var/log/lab/
LAB_CONSOLE=/dev/hvc0
# Set when the host ran tests/lab/run with LAB_QUICK=1 (make test): fewer rounds.
LAB_QUICK=; [ -e /lab/quick ] && LAB_QUICK=1
LAB_LOGDIR=/var/log/lab
mkdir -p "$LAB_LOGDIR"

say() { echo "@@CC $*" >"$LAB_CONSOLE"; echo "@@CC $*"; }
pass() { say "PASS $1"; }
fail() { say "FAIL $1: ${2:-failed}"; }
result() { say "RESULT $1 $2"; }
log() { echo "lab[$(cut -d' ' -f1 /proc/uptime)]: $*"; }
# note: progress of a long scenario, on the console as it happens (the host ignores
# NOTE lines) and in the scenario log.
note() { say "NOTE $*" >/dev/null; log "$*"; }
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(printf '%s' "$out" | tail -n1 | cut -c1-200)"
	fi
}

domid() { xl domid "$1" 2>/dev/null; }
dom_cpu() { xl list "$1" 2>/dev/null | awk 'NR==2 {print $6}'; }
# dom0_busy_s: seconds dom0's own code ran (user+nice+system+irq+softirq in /proc/stat;
# idle, iowait and steal left out).  Netback's work shows here as system+softirq.
dom0_busy_s() { awk '$1 == "cpu" {printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / 100}' /proc/stat; }
# lab_guest_burn SECS NAME...: keep every named guest's vCPU busy for SECS seconds with
# no I/O at all.  The control for dom0 CPU: under TCG every switch into dom0 costs
# dom0 more while guests are busy, network or not, so dom0 CPU during a transfer is
# judged against dom0 CPU during a burn of the same length, not against an idle dom0.
lab_guest_burn() {
	local s=$1 n last
	shift
	for n; do last=$n; done
	for n; do
		[ "$n" = "$last" ] || g "$n" "(timeout $s sh -c 'while :; do :; done') >/dev/null 2>&1 &" >/dev/null
	done
	G_TIMEOUT=$((s + 60)) g "$last" "timeout $s sh -c 'while :; do :; done'; true" >/dev/null
}
# dom0_extra_small XL XL_BURN OWN OWN_BURN GUESTS: dom0's extra CPU over a same-length guest
# burn is small next to what the guests spent, by Xen's accounting (XL) and by dom0's own
# code (OWN).  "Small" is at most a quarter of the guests' CPU plus 1 s of sampling slack:
# colorcom measured 0.09-0.14, netback 0.40-0.65 (docs/lab.md); two-guests requires it,
# netback-baseline requires that netback fails it.
dom0_extra_small() {
	awk -v d="$1" -v b="$2" -v k="$3" -v bk="$4" -v g="$5" \
		'BEGIN {exit !(d - b <= 0.25 * g + 1 && k - bk <= 0.25 * g + 1)}'
}
# lab_burn_control SECS NAME...: the control of dom0_extra_small: the named guests spin
# for SECS seconds (at least 5) with no I/O; prints dom0's "xl own" CPU seconds used meanwhile.
lab_burn_control() {
	local s=$1 b0 b1 k0 k1
	shift
	[ "${s:-0}" -ge 5 ] 2>/dev/null || s=5
	b0=$(dom_cpu Domain-0); k0=$(dom0_busy_s)
	lab_guest_burn "$s" "$@"
	b1=$(dom_cpu Domain-0); k1=$(dom0_busy_s)
	echo "$(sub "$b0" "$b1") $(sub "$k0" "$k1")"
}
# sub A B: B - A to one decimal.
sub() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
dom0_netdev_bytes() {
	local d t=0
	for d in /sys/class/net/*; do
		t=$((t + $(cat "$d/statistics/rx_bytes") + $(cat "$d/statistics/tx_bytes")))
	done
	echo "$t"
}
# dom0_netdev_snapshot: "name:rx_packets/tx_packets ..." for every dom0 netdev.
dom0_netdev_snapshot() {
	local d out=""
	for d in /sys/class/net/*; do
		out="$out $(basename "$d"):$(cat "$d/statistics/rx_packets")/$(cat "$d/statistics/tx_packets")"
	done
	echo "${out# }"
}

lab_guest_start() {
	local name=$1
	shift
	{
		echo "name = \"$name\""
		echo "type = \"${LAB_GUEST_TYPE:-pv}\""
		echo "kernel = \"/lab/guest/vmlinuz\""
		echo "ramdisk = \"/lab/guest/initrd.gz\""
		echo "extra = \"console=hvc0 quiet loglevel=4 cc_name=$name${LAB_GUEST_EXTRA:+ $LAB_GUEST_EXTRA}\""
		local mem=${LAB_GUEST_MEM:-256} min
		# A debug guest kernel (LAB_GUEST_KERNEL) needs room for lockdep's tables.
		min=$(cat /lab/guest-mem-min 2>/dev/null || echo 0)
		[ "$mem" -ge "$min" ] || mem=$min
		echo "memory = $mem"
		echo "vcpus = ${LAB_GUEST_VCPUS:-1}"
		echo "on_crash = \"preserve\""
		local l
		for l in "$@"; do echo "$l"; done
	} >"/etc/xen/$name.cfg"
	log "xl create $name"
	xl create "/etc/xen/$name.cfg" >>"$LAB_LOGDIR/xl-create-$name.log" 2>&1 || {
		cat "$LAB_LOGDIR/xl-create-$name.log"
		return 1
	}
}
lab_guest_wait() {
	local name=$1 i
	for i in $(seq 1 ${LAB_BOOT_WAIT:-600}); do
		grep -aq "@@CCG READY" "/var/log/xen/console/guest-$name.log" 2>/dev/null && {
			log "$name is up (domid $(domid "$name"))"
			return 0
		}
		sleep 0.2
	done
	log "$name did not come up"
	return 1
}
lab_guest() {
	lab_guest_start "$@" && lab_guest_wait "$1"
}

g() {
	local name=$1 id dom tty logf rc line part= inside= out=() lfd sfd deadline nap=0.05 i=0
	shift
	id="${BASHPID}x$RANDOM$RANDOM"
	dom=$(domid "$name") || { echo "g: no guest $name"; return 125; }
	tty=$(xenstore-read "/local/domain/$dom/console/tty") || { echo "g: no console for $name"; return 125; }
	logf=/var/log/xen/console/guest-$name.log
	exec {lfd}<"$logf" || { echo "g: no console log for $name"; return 125; }
	# The wait forks nothing: scenarios measure dom0's CPU, and under TCG every fork of
	# a PV dom0 is expensive, so a poll loop of grep/date/sleep processes was most of
	# what dom0 did during a transfer.  Read the console log incrementally from an open
	# descriptor, and sleep with `read -t` on a pipe that nobody writes.
	while IFS= read -r line <&"$lfd"; do :; done	# skip what came before our command
	exec {sfd}<> <(:)
	printf '@@CMD %s %s\n' "$id" "$*" >"$tty"
	deadline=$((EPOCHSECONDS + ${G_TIMEOUT:-120}))
	while :; do
		while :; do
			if IFS= read -r line <&"$lfd"; then
				line=$part$line part=
			else
				part+=$line	# a partial last line: the rest comes later
				break
			fi
			line=${line//$'\r'/}
			if [ -z "$inside" ]; then
				[ "$line" = "@@OUT $id" ] && inside=1
			elif [[ $line == "@@DONE $id "* ]]; then
				rc=${line#"@@DONE $id "} rc=${rc%% *}
				[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
				exec {lfd}<&- {sfd}<&-
				return "$rc"
			else
				out+=("$line")
			fi
		done
		[ "$EPOCHSECONDS" -le "$deadline" ] || break
		i=$((i + 1))
		[ $i -gt 40 ] && nap=0.5
		read -r -t "$nap" -u "$sfd" line
	done
	exec {lfd}<&- {sfd}<&-
	echo "g: $name: timed out after ${G_TIMEOUT:-120}s: $*"
	return 124
}

lab_collect_guests() {
	local n
	for n in $(xl list 2>/dev/null | awk 'NR>2 {print $1}'); do
		G_TIMEOUT=6 g "$n" dmesg >"$LAB_LOGDIR/guest-$n-dmesg.log" 2>&1
	done
	xl list >"$LAB_LOGDIR/xl-list-final.log" 2>&1
}

# lab_transfer CHECK FROM TO TO_IP BYTES [PORT]: stream BYTES random bytes FROM -> TO
# over TCP and check the sha256 on arrival (ccxfer source/sink: neither side stores
# the file, both hash the stream).  Prints the sender's seconds on stdout.
lab_transfer() {
	local name=$1 from=$2 to=$3 ip=$4 bytes=$5 port=${6:-5001} tx rx t0 t1
	g "$to" "rm -f /tmp/rx.sum; (ccxfer sink $port >/tmp/rx.tmp 2>&1 && mv /tmp/rx.tmp /tmp/rx.sum) >/dev/null 2>&1 &" >/dev/null
	t0=$(date +%s)
	tx=$(G_TIMEOUT=900 g "$from" "ccxfer source $ip $port $bytes")
	t1=$(date +%s)
	rx=$(G_TIMEOUT=120 g "$to" 'for i in $(seq 100); do [ -f /tmp/rx.sum ] && break; sleep 1; done; cat /tmp/rx.sum')
	log "$name: sent '$tx' received '$rx' in $((t1 - t0))s"
	if [ "${tx% *}" = "${rx% *}" ] && [ "${tx#* }" = "$bytes" ] && [ "${rx#* }" = "$bytes" ] && [ ${#tx} -gt 64 ]; then
		pass "$name"
	else
		fail "$name" "sent '${tx:0:20}...' received '${rx:0:20}...' (sha256 bytes)"
	fi
	echo $((t1 - t0))
}

# lab_iperf CHECK CLIENT SERVER SERVER_IP [SECONDS] [EXTRA-ARGS]: iperf3 TCP, JSON parsed
# in dom0; prints the receiver's Mbit/s on stdout and records a check.
lab_iperf() {
	local name=$1 cli=$2 srv=$3 ip=$4 secs=${5:-5} extra=${6:-} json mbps
	g "$srv" 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
	sleep 1
	json=$(G_TIMEOUT=$((secs + 60)) g "$cli" "iperf3 -c $ip -t $secs -J $extra")
	mbps=$(printf '%s\n' "$json" | jq -r '.end.sum_received.bits_per_second / 1e6 | floor' 2>/dev/null)
	if [ -n "$mbps" ] && [ "$mbps" != null ] && [ "$mbps" -gt 0 ] 2>/dev/null; then
		pass "$name"
		echo "$mbps"
	else
		fail "$name" "no throughput in iperf3 JSON: $(printf '%s' "$json" | jq -r '.error // empty' 2>/dev/null | head -c 120)"
		echo 0
	fi
}

# --- colorcom helpers ---------------------------------------------------------------
# cc_daemon: start colorcomd in dom0 (log in /var/log/lab/colorcomd.log).
cc_daemon() {
	colorcomd -f -v >>"$LAB_LOGDIR/colorcomd.log" 2>&1 &
	CC_DAEMON_PID=$!
	sleep 0.5
	kill -0 "$CC_DAEMON_PID" 2>/dev/null
}
# cc_load NAME: insmod colorcom.ko in a guest.
cc_load() { g "$1" 'insmod /lib/colorcom/colorcom.ko'; }
# cc_ifname NAME MAC: the guest interface that has MAC.
cc_ifname() { g "$1" "for d in /sys/class/net/*; do [ \"\$(cat \$d/address)\" = $2 ] && basename \$d; done" | head -n1; }
# cc_wait_carrier NAME IFACE [SECONDS]: wait until the interface has carrier.
cc_wait_carrier() {
	g "$1" "for i in \$(seq $((${3:-60} * 2))); do [ \"\$(cat /sys/class/net/$2/carrier 2>/dev/null)\" = 1 ] && exit 0; sleep 0.5; done; exit 1"
}
# cc_stat NAME IFACE KEY: one ethtool -S value (0 if absent).
cc_stat() {
	local v
	v=$(g "$1" "ethtool -S $2" | awk -v k="$3:" '$1 == k {print $2}')
	echo "${v:-0}"
}
# not CMD...: succeeds when CMD fails (for checks that something must NOT work).
not() { ! "$@"; }
# cc_stats_pair A IFA PREFIXA B IFB PREFIXB: "a_tx_bytes a_tx_pkts b_rx_bytes b_rx_pkts
# a_tx_bytes' a_tx_pkts'" with a sampled before and after b (see cc_stats_agree).
cc_stats_pair() {
	local x y z
	x=$(g "$1" "ethtool -S $2" | awk -v p="$3" '$1 == p"_tx_bytes:" {b=$2} $1 == p"_tx_packets:" {n=$2} END {print b+0, n+0}')
	y=$(g "$4" "ethtool -S $5" | awk -v p="$6" '$1 == p"_rx_bytes:" {b=$2} $1 == p"_rx_packets:" {n=$2} END {print b+0, n+0}')
	z=$(g "$1" "ethtool -S $2" | awk -v p="$3" '$1 == p"_tx_bytes:" {b=$2} $1 == p"_tx_packets:" {n=$2} END {print b+0, n+0}')
	echo "$x $y $z"
}
# cc_stats_agree BEFORE AFTER MINBYTES: the receiver's counters lie between the two
# sender samples at both ends, and at least MINBYTES went across in between.
cc_stats_agree() {
	awk -v s="$1" -v e="$2" -v m="$3" 'BEGIN {
		split(s, a, " "); split(e, b, " ")
		ok = b[3] - a[3] >= m
		for (i = 0; i < 2; i++) {
			if (!(a[1+i] <= a[3+i] && a[3+i] <= a[5+i])) ok = 0
			if (!(b[1+i] <= b[3+i] && b[3+i] <= b[5+i])) ok = 0
		}
		exit !ok }'
}

# --- fault scenarios (peer-destroy, daemon-crash, underlay-down, isolation, hostile-peer,
# churn) --------------------------------------------------------------------------------
# now_s: dom0 wall clock, seconds with microseconds (bash's EPOCHREALTIME).
now_s() { echo "$EPOCHREALTIME"; }
# since_s T0: seconds since now_s printed T0, to 0.01.
since_s() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}'; }
# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds (reason on timeout).
wait_until() {
	local t=$1 end
	shift
	end=$(awk -v n="$EPOCHREALTIME" -v t="$t" 'BEGIN {printf "%d", n + t}')
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "${EPOCHREALTIME%.*}" -ge "$end" ] && break
		sleep 0.2
	done
	echo "timed out after ${t}s: $*"
	return 1
}
# cc_guest_nic NAME NETWORK MAC IP [MODULE]: load the driver (default the release
# build), attach NIC 0 on NETWORK, give the interface IP/24 and bring it up.
# Sets CC_IF[NAME].  Not for `check` (its subshell would lose CC_IF).
declare -gA CC_IF
cc_guest_nic() {
	local n=$1 net=$2 mac=$3 ip=$4 mod=${5:-/lib/colorcom/colorcom.ko} i
	g "$n" "lsmod | grep -q '^colorcom' || insmod $mod" || return 1
	colorcomctl attach "$n" "network=$net,mac=$mac" >/dev/null || return 1
	CC_IF[$n]=
	for i in $(seq 1 50); do
		CC_IF[$n]=$(cc_ifname "$n" "$mac")
		[ -n "${CC_IF[$n]}" ] && break
		sleep 0.2
	done
	[ -n "${CC_IF[$n]}" ] || { echo "no interface with $mac in $n"; return 1; }
	g "$n" "ip addr add $ip/24 dev ${CC_IF[$n]} && ip link set ${CC_IF[$n]} up"
}
# cc_links NAME IFACE: the NIC's links_connected counter.
cc_links() { cc_stat "$1" "$2" links_connected; }
# cc_wait_links NAME IFACE N [SECONDS]: wait (in the guest) until exactly N links are up.
cc_wait_links() {
	G_TIMEOUT=$((${4:-60} + 30)) g "$1" "for i in \$(seq $((${4:-60} * 5))); do ethtool -S $2 | grep -q '^ *links_connected: $3\$' && exit 0; sleep 0.2; done; ethtool -S $2 | grep links_connected; exit 1"
}
# links_are NAME N: the guest's NIC has exactly N connected links.
links_are() { [ "$(cc_links "$1" "${CC_IF[$1]}")" = "$2" ]; }
# pinger_start FROM TAG IP: ping every 0.2 s in the background until pinger_stop.
pinger_start() { g "$1" "rm -f /tmp/ping.$2; (ping -i 0.2 $3 >/tmp/ping.$2 2>&1 &)" >/dev/null; }
# pinger_stop FROM TAG: stop it; prints "received lost_inside max_gap_s" where lost_inside
# counts sequence numbers missing between the first and the last reply (an echo still
# in flight when ping stops is not a loss) and max_gap_s the longest time without reply.
pinger_stop() {
	g "$1" "killall -INT ping >/dev/null 2>&1; sleep 1; cat /tmp/ping.$2" |
		sed -n 's/.*seq=\([0-9]*\).*/\1/p' | sort -n -u |
		awk 'NR == 1 {first = $1} NR > 1 && $1 - prev > gap {gap = $1 - prev} {prev = $1; n++}
		     END {if (!n) {print "0 0 0"; exit} printf "%d %d %.1f\n", n, prev - first + 1 - n, (gap ? gap : 1) * 0.2}'
}
# no_loss CHECK "received lost gap": the uninvolved pair lost nothing.
no_loss() {
	set -- "$1" $2
	if [ "${2:-0}" -gt 10 ] && [ "$3" = 0 ]; then pass "$1"; else fail "$1" "received $2, lost $3 (gap ${4}s)"; fi
}
# iperf_survived JSON MIN_INTERVALS: an iperf3 run (its --json output file) that spanned
# a save, restore or migration ended without error, ran at least MIN_INTERVALS intervals
# and still moved data in its last one.
iperf_survived() {
	jq -e --argjson n "$2" '(.error == null) and (.intervals | length) >= $n and (.intervals[-1].sum.bytes > 0) and .end.sum_received.bytes > 0' "$1" >/dev/null ||
		{ echo "iperf3: error $(jq -c '.error' "$1" 2>&1 | head -c 80), intervals $(jq -c '[.intervals[].sum.bytes]' "$1" 2>&1 | head -c 100)"; return 1; }
}
# xl_no_dying: no domain in `xl list` is dying or nameless (a zombie keeps its memory
# while someone still maps its pages).
xl_no_dying() { ! xl list | awk 'NR > 1 && ($1 == "(null)" || $5 ~ /d/) {bad = 1} END {exit !bad}'; }
# cc_half_of A B [NICA NICB]: the xenstore dir of A's half of the link between A and B.
cc_half_of() {
	local a=$1 b=$2 na=${3:-0} nb=${4:-0}
	if [ "$a" -lt "$b" ]; then
		echo "/local/domain/$a/device/cclink/$(((b << 8) | (na << 4) | nb))"
	else
		echo "/local/domain/$a/backend/cclink/$b/$(((a << 8) | (nb << 4) | na))"
	fi
}
# cc_half_closed PATH: the half is gone or says Closed (6).
cc_half_closed() { local s; s=$(xenstore-read "$1/state" 2>/dev/null) || return 0; [ "$s" = 6 ]; }
# cc_bg_transfer TAG CHECK FROM TO TO_IP BYTES [PORT]: lab_transfer in the background;
# its check line is printed when it ends.  cc_bg_wait TAG waits for it and sets
# CC_BG_SECS (call it directly, not in $(...): only this shell can wait for it).
cc_bg_transfer() {
	local tag=$1
	shift
	lab_transfer "$@" >"/tmp/bg-$tag.out" 2>&1 &
	eval "CC_BG_$tag=\$!"
}
cc_bg_wait() {
	local pid
	eval "pid=\$CC_BG_$1"
	wait "$pid"
	CC_BG_SECS=$(tail -n1 "/tmp/bg-$1.out")
}

# --- benchmark helpers (scenarios bench, bench-scale: make bench) ---------------------
# lab_pair_both_paths MAC_A MAC_B: guests a and b, each with a vif on br0 (netback,
# 10.0.0.1 and .2 on eth0) and a colorcom NIC on "blue" with the given MACs (10.1.0.1
# and .2), driver loaded, carrier up; sets IA and IB to the colorcom interfaces.  The
# checks are guests-up, module-loads-*, attach-*, carrier-*; exits the scenario if a
# guest does not boot.  (Scenarios bench, showcase, profile: both paths in one boot.)
lab_pair_both_paths() {
	local pa pb
	# Both creations at once: under TCG each xl create (vif hotplug scripts
	# included) takes tens of seconds.
	lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:00:00:0a"]' & pa=$!
	lab_guest_start b 'vif = ["bridge=br0,mac=00:16:3e:00:00:0b"]' & pb=$!
	wait $pa $pb
	if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
	check module-loads-a cc_load a
	check module-loads-b cc_load b
	check attach-a colorcomctl attach a network=blue,mac=$1
	check attach-b colorcomctl attach b network=blue,mac=$2
	IA=$(cc_ifname a "$1") IB=$(cc_ifname b "$2")
	g a "ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up && ip addr add 10.1.0.1/24 dev $IA && ip link set $IA up"
	g b "ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up && ip addr add 10.1.0.2/24 dev $IB && ip link set $IB up"
	check carrier-a cc_wait_carrier a "${IA:-none}"
	check carrier-b cc_wait_carrier b "${IB:-none}"
}
# bench_snap GUEST...: "uptime dom0_xl_cpu dom0_busy guests_cpu" (guests_cpu = the named
# guests' CPU seconds summed), from one xl list, so sampling costs dom0 the same around
# every test on either path.
bench_snap() {
	local up busy
	up=$(cut -d' ' -f1 /proc/uptime)
	busy=$(dom0_busy_s)
	xl list 2>/dev/null | awk -v up="$up" -v busy="$busy" -v names="$*" '
		NR > 1 { c[$1] = $6 }
		END { n = split(names, a, " "); s = 0; for (i = 1; i <= n; i++) s += c[a[i]]
		      printf "%s %s %s %.1f\n", up, c["Domain-0"], busy, s }'
}
# bench_delta SNAP0 SNAP1: "wall_s dom0_cpu_s dom0_busy_s guests_cpu_s" between two snaps.
bench_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.2f %.2f %.2f %.2f\n", y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4] }'
}
# bench_rec PATH TEST REP KEY VALUE: one raw measurement line into $BENCH_RAW (dumped
# with the logs; bench/lab_report aggregates it on the host).
bench_rec() { echo "$*" >>"${BENCH_RAW:-$LAB_LOGDIR/bench-raw.log}"; }
# bench_rec_cost PATH TEST REP DELTA: the four bench_delta fields as four records.
# (No bash-only syntax in this file: dom0's /init sources it with busybox sh.)
bench_rec_cost() {
	local p=$1 t=$2 r=$3
	set -- $4
	bench_rec "$p" "$t" "$r" wall_s "$1"
	bench_rec "$p" "$t" "$r" dom0_cpu_s "$2"
	bench_rec "$p" "$t" "$r" dom0_busy_s "$3"
	bench_rec "$p" "$t" "$r" guests_cpu_s "$4"
}
# bench_iperf CLIENT SERVER_IP SECS [ARGS]: one iperf3 -J run (no interval reports, so
# the JSON stays small on the console); prints "mbps rx_pps tx_pps" (pps assume 64-octet
# UDP payloads and mean nothing for TCP), "0 0 0" when iperf3 failed.
bench_iperf() {
	local cli=$1 ip=$2 secs=$3 extra=${4:-} json
	json=$(G_TIMEOUT=$((secs + 60)) g "$cli" "iperf3 -c $ip -t $secs -i 0 -J $extra")
	printf '%s\n' "$json" | jq -r '
		[ (.end.sum_received.bits_per_second / 1e6),
		  (.end.sum_received.bytes / 64 / .end.sum_received.seconds),
		  ((.end.sum_sent.packets // 0) / .end.sum_sent.seconds) ]
		| map(. * 10 | floor / 10) | map(tostring) | join(" ")' 2>/dev/null | grep . || echo "0 0 0"
}
# lab_guest_again NAME [LINE...]: create a guest whose name was used before (the old
# one is gone): its old console log is set aside first, so waiting for the agent
# does not find the previous incarnation's READY line.
lab_guest_again() {
	local f=/var/log/xen/console/guest-$1.log i=1
	if [ -f "$f" ]; then
		while [ -e "/var/log/xen/console/guest-$1.prev$i.log" ]; do i=$((i + 1)); done
		mv "$f" "/var/log/xen/console/guest-$1.prev$i.log"
	fi
	lab_guest "$@"
}
# cc_daemon_check CHECK: cc_daemon as a check, run in this shell so that
# CC_DAEMON_PID survives (`check` runs its command in a subshell).
cc_daemon_check() {
	if cc_daemon; then pass "$1"; else fail "$1" "colorcomd exited: $(tail -n1 "$LAB_LOGDIR/colorcomd.log")"; fi
}

# --- uplink helpers (scenario uplink) ---------------------------------------------------
# lab_from_guest_image PATH...: copy files out of the guest initramfs into dom0 at the
# same paths (dom0 runs the same kernel, so the guests' colorcom.ko loads there too, and
# ccxfer's only library, libcrypto, is already in dom0 for iperf3).
lab_from_guest_image() {
	local f rel
	for f; do
		rel=${f#/}
		[ -e "/$rel" ] && continue
		(cd / && zcat /lab/guest/initrd.gz | cpio -i -d "$rel" 2>/dev/null)
		[ -e "/$rel" ] || { echo "$f is not in the guest image"; return 1; }
	done
}
# cc_dom0_load: colorcom.ko in dom0 (the uplink side).
cc_dom0_load() {
	grep -q '^colorcom ' /proc/modules && return 0
	lab_from_guest_image /lib/colorcom/colorcom.ko && insmod /lib/colorcom/colorcom.ko
}
# cc_dom0_transfer CHECK GUEST DOM0_IP BYTES [PORT]: GUEST streams BYTES random bytes to a
# ccxfer sink in dom0 (the "outside" host) and the sha256 of both ends must agree.
# Prints the seconds taken.
cc_dom0_transfer() {
	local name=$1 from=$2 ip=$3 bytes=$4 port=${5:-5002} tx rx t0 t1 pid
	rm -f /tmp/dom0-rx.sum
	ccxfer sink "$port" >/tmp/dom0-rx.sum 2>&1 &
	pid=$!
	sleep 0.5
	t0=$(date +%s)
	tx=$(G_TIMEOUT=600 g "$from" "ccxfer source $ip $port $bytes")
	t1=$(date +%s)
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	kill "$pid" 2>/dev/null
	rx=$(cat /tmp/dom0-rx.sum)
	log "$name: sent '$tx' received '$rx' in $((t1 - t0))s"
	if [ "${tx% *}" = "${rx% *}" ] && [ "${tx#* }" = "$bytes" ] && [ "${rx#* }" = "$bytes" ] && [ ${#tx} -gt 64 ]; then
		pass "$name"
	else
		fail "$name" "sent '${tx:0:20}...' received '${rx:0:20}...' (sha256 bytes)"
	fi
	echo $((t1 - t0))
}
# cc_from_dom0_transfer CHECK GUEST GUEST_IP BYTES [PORT]: the other way: dom0 streams
# BYTES to a ccxfer sink in GUEST; sha256 of both ends must agree.
cc_from_dom0_transfer() {
	local name=$1 to=$2 ip=$3 bytes=$4 port=${5:-5003} tx rx
	g "$to" "rm -f /tmp/rx.sum; (ccxfer sink $port >/tmp/rx.tmp 2>&1 && mv /tmp/rx.tmp /tmp/rx.sum) >/dev/null 2>&1 &" >/dev/null
	sleep 0.5
	tx=$(timeout 600 ccxfer source "$ip" "$port" "$bytes" 2>&1)
	rx=$(G_TIMEOUT=120 g "$to" 'for i in $(seq 100); do [ -f /tmp/rx.sum ] && break; sleep 1; done; cat /tmp/rx.sum')
	log "$name: sent '$tx' received '$rx'"
	if [ "${tx% *}" = "${rx% *}" ] && [ "${tx#* }" = "$bytes" ] && [ "${rx#* }" = "$bytes" ] && [ ${#tx} -gt 64 ]; then
		pass "$name"
	else
		fail "$name" "sent '${tx:0:20}...' received '${rx:0:20}...' (sha256 bytes)"
	fi
}
