# hostile-meta (issue #14 items 1, 3, 4 and the feature keys of 6): h runs the TEST-ONLY
# hostile build (front/hostile/), v (the victim) and w (a witness) the release build,
# all on network "blue", every guest with 2 vCPUs so that an interrupt's poll and a
# busy-polling reader really run at the same time.
#  1. busy poll: v and w at net.core.busy_read = busy_poll = 1000 us, long iperf3
#     streams both ways: no link ever marked broken, nothing refused, no copy failed,
#     and the busy-poll path really ran (TcpExt BusyPollRxPackets moved).
#  2. offload metadata: h sends, through its honest producer (the link stays valid),
#     every bad combination front/hostile knows; v must count each under its reason
#     and deliver nothing of it, while the two controls with valid metadata are
#     delivered and honest traffic goes on.
#  3. feature keys: with `ethtool -K rx off` in v, a new link to h advertises nothing;
#     h then checksums in software (honest traffic still arrives), and a partial
#     checksum record from h is refused as unadvertised.
#  4. control for 1: a wrong sequence number from h does mark v's link broken, so the
#     "never broken" check of part 1 can fail.
#  5. grant pinning: h keeps every ring of v's mapped and its NIC is re-attached again
#     and again; v refuses new links to h once h pins more than max_pending_per_peer
#     (lowered to 300 pages for the test) of v's released pages, while v <-> w keeps
#     working; when h is destroyed, Xen drops its mappings and v gets every page back.
# The harness adds no-kernel-errors: no WARN, BUG or Oops in any guest or dom0.
LAB_GUEST_MEM=192
LAB_GUEST_VCPUS=2
declare -A MAC=([h]=00:16:3e:d2:00:0e [v]=00:16:3e:d2:00:0a [w]=00:16:3e:d2:00:0b)
declare -A IP=([h]=10.9.0.9 [v]=10.9.0.1 [w]=10.9.0.2)
HOOK=/sys/module/colorcom/parameters/hostile
PARAMS=/sys/module/colorcom/parameters
cc_daemon_check colorcomd-starts
for n in h v w; do lab_guest_start $n; done
for n in h v w; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
if cc_guest_nic h blue ${MAC[h]} ${IP[h]} /lib/colorcom/colorcom-hostile.ko; then pass nic-h; else fail nic-h "no colorcom interface in h"; fi
for n in v w; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
H=$(domid h) V=$(domid v) W=$(domid w)
IV=${CC_IF[v]} IW=${CC_IF[w]} IH=${CC_IF[h]}
VH=$(cc_half_of "$V" "$H") VW=$(cc_half_of "$V" "$W") WV=$(cc_half_of "$W" "$V")
log "domids h=$H v=$V w=$W; v's halves: to h $VH, to w $VW"
check links-v cc_wait_links v "$IV" 2
check links-w cc_wait_links w "$IW" 2
check vcpus-v g v '[ $(grep -c ^processor /proc/cpuinfo) = 2 ]'

# vst NAME: v's ethtool -S value of NAME from the last snap (0 if absent).
snap() { SNAP=$(g v "ethtool -S $IV"); }
vst() { printf '%s\n' "$SNAP" | awk -v k="$1:" '$1 == k {print $2; f = 1} END {if (!f) print 0}'; }
REASONS="rx_bad_source rx_bad_meta rx_bad_csum rx_bad_gso rx_bad_feature rx_too_big rx_link_local rx_copy_errors"
BP="awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if (\$i == \"BusyPollRxPackets\") c = i; h = 1 } else print \$c + 0 }' /proc/net/netstat"
not_broken() { ! xenstore-read "$1/broken" >/dev/null 2>&1; }

# --- 1. busy poll -------------------------------------------------------------------
for n in v w; do g $n "echo 1000 >/proc/sys/net/core/busy_read; echo 1000 >/proc/sys/net/core/busy_poll" >/dev/null; done
bp0=$(g v "$BP")
g h "(ping -i 0.2 -c 300 ${IP[v]} >/dev/null 2>&1 &)" >/dev/null	# v's third link polls too
m1=$(lab_iperf busy-stream-w-to-v w v ${IP[v]} 30 | tail -n1)
m2=$(lab_iperf busy-stream-v-to-w v w ${IP[w]} 15 | tail -n1)
m3=$(lab_iperf busy-stream-w-to-v-4-flows w v ${IP[v]} 10 "-P 4" | tail -n1)
bp1=$(g v "$BP")
result busy1000_w_to_v_mbps "$m1"
result busy1000_v_to_w_mbps "$m2"
result busy1000_w_to_v_p4_mbps "$m3"
result busy1000_v_busypoll_rx_packets "$((bp1 - bp0))"
log "busy_read 1000: w->v $m1, v->w $m2, w->v x4 $m3 Mbit/s; v's BusyPollRxPackets +$((bp1 - bp0))"
if [ $((bp1 - bp0)) -ge 100 ]; then pass busy-poll-path-ran; else fail busy-poll-path-ran "BusyPollRxPackets +$((bp1 - bp0))"; fi
check busy-not-broken-v-to-h not_broken "$VH"
check busy-not-broken-v-to-w not_broken "$VW"
check busy-not-broken-w-to-v not_broken "$WV"
snap
for k in proto_errors $REASONS; do
	if [ "$(vst $k)" = 0 ]; then pass "busy-v-$k-zero"; else fail "busy-v-$k-zero" "$k = $(vst $k)"; fi
done
check busy-w-clean g w "ethtool -S $IW | awk '\$1 ~ /^(proto_errors|rx_bad_.*|rx_too_big|rx_copy_errors):\$/ && \$2 != 0 {bad = 1; print} END {exit bad}'"
for n in v w; do g $n "echo 0 >/proc/sys/net/core/busy_read; echo 0 >/proc/sys/net/core/busy_poll" >/dev/null; done

# --- 2. offload metadata ------------------------------------------------------------
# meta KIND COUNTER: h sends 5 records of KIND; v's COUNTER must move by exactly 5, and
# (for a refused kind) v's rx_packets from h must not move at all.  SNAP holds v's
# counters from before (each kind's "after" is the next one's "before").
meta() {
	local kind=$1 want=$2 c0 c1 p0 p1 r0 r1
	c0=$(vst "$want") p0=$(vst "peer${H}_rx_packets") r0=$(vst "peer${H}_rx_refused")
	if ! g h "echo 'meta-$kind $V 5' >$HOOK && sleep 1" >/dev/null; then
		fail "meta-$kind" "the hook refused meta-$kind"
		snap
		return
	fi
	snap
	c1=$(vst "$want") p1=$(vst "peer${H}_rx_packets") r1=$(vst "peer${H}_rx_refused")
	log "meta-$kind: v's $want $c0 -> $c1, rx_packets from h $p0 -> $p1, refused $r0 -> $r1"
	if [ "$want" = rx_packets ]; then
		if [ $((p1 - p0)) = 5 ] && [ "$r0" = "$r1" ]; then pass "meta-$kind-delivered"; else fail "meta-$kind-delivered" "rx_packets +$((p1 - p0)), refused +$((r1 - r0))"; fi
	else
		if [ $((c1 - c0)) = 5 ] && [ $((r1 - r0)) = 5 ] && [ "$p0" = "$p1" ]; then pass "meta-$kind-refused-as-$want"; else fail "meta-$kind-refused-as-$want" "$want +$((c1 - c0)), rx_refused from h +$((r1 - r0)), rx_packets +$((p1 - p0))"; fi
	fi
}
g h "ip link set $IH down" >/dev/null	# only the hook's records go h -> v
snap
meta good-csum rx_packets
meta good-gso rx_packets
meta csum-start-eth rx_bad_csum
meta csum-start-vlan rx_bad_csum
meta csum-beyond rx_bad_csum
meta csum-start-huge rx_bad_csum
meta gso-no-csum rx_bad_gso
meta gso-no-csum-dv rx_bad_gso
meta gso-wrong-l3 rx_bad_gso
meta gso-ecn-v6-on-v4 rx_bad_gso
meta gso-size-zero rx_bad_gso
meta gso-size-small rx_bad_gso
meta gso-size-big rx_bad_gso
meta gso-csum-off rx_bad_gso
meta gso-csum-in-ip rx_bad_gso
meta too-big rx_too_big
g h "ip link set $IH up" >/dev/null
snap
if [ "$(vst proto_errors)" = 0 ]; then pass meta-no-link-broken; else fail meta-no-link-broken "proto_errors $(vst proto_errors)"; fi
check meta-h-half-not-broken not_broken "$VH"
check meta-h-link-still-works g v "ping -c 3 -W 10 ${IP[h]}"
check meta-w-link-still-works g v "ping -c 3 -W 10 ${IP[w]}"
lab_transfer meta-honest-transfer-h-to-v h v ${IP[v]} 4194304 >/dev/null

# --- 3. feature keys follow ethtool ---------------------------------------------------
reset_h() {
	colorcomctl detach h 0 >>"$LAB_LOGDIR/hostile-colorcomctl.log" 2>&1 || return 1
	cc_guest_nic h blue ${MAC[h]} ${IP[h]} /lib/colorcom/colorcom-hostile.ko || return 1
	IH=${CC_IF[h]}
	cc_wait_links v "$IV" 2 30 >/dev/null
}
check feature-rx-off g v "ethtool -K $IV rx off"
check feature-relink reset_h
VH=$(cc_half_of "$V" "$H")
check feature-keys-withdrawn sh -c "[ \"\$(xenstore-read $VH/feature-csum)\" = 0 ] && [ \"\$(xenstore-read $VH/feature-gso-tcpv4)\" = 0 ] && [ \"\$(xenstore-read $VH/feature-gso-tcpv6)\" = 0 ]"
check feature-keys-w-unchanged sh -c "[ \"\$(xenstore-read $VW/feature-csum)\" = 1 ]"
lab_transfer feature-honest-transfer-h-to-v h v ${IP[v]} 4194304 >/dev/null
snap; f0=$(vst rx_bad_feature)
check feature-hook g h "echo 'meta-good-csum $V 5' >$HOOK"
sleep 0.5
snap; f1=$(vst rx_bad_feature)
if [ $((f1 - f0)) = 5 ]; then pass feature-unadvertised-csum-refused; else fail feature-unadvertised-csum-refused "rx_bad_feature +$((f1 - f0))"; fi
check feature-rx-on g v "ethtool -K $IV rx on"

# --- 4. control: the "never broken" check can fail ------------------------------------
snap; pe0=$(vst proto_errors)
g h "echo $V >$PARAMS/test_bad_seq; ping -c 1 -W 2 ${IP[v]}" >/dev/null
if wait_until 20 xenstore-read "$VH/broken"; then pass control-bad-seq-marks-broken; else fail control-bad-seq-marks-broken "no broken key in $VH"; fi
snap
if [ $(($(vst proto_errors) - pe0)) = 1 ]; then pass control-bad-seq-counted; else fail control-bad-seq-counted "proto_errors $pe0 -> $(vst proto_errors)"; fi
check control-broken-not-busy-half not_broken "$VW"

# --- 5. grant pinning: per-peer cap on released pages ------------------------------
check pin-cap-set g v "echo 300 >$PARAMS/max_pending_per_peer"
check pin-keep-maps g h "echo 'keep-maps $V' >$HOOK"
gp0=$(g v "cat $PARAMS/grants_pending") rf0=$(g v "cat $PARAMS/links_refused_pending")
maxp=0
for i in 1 2 3 4 5; do
	colorcomctl detach h 0 >>"$LAB_LOGDIR/hostile-colorcomctl.log" 2>&1
	colorcomctl attach h "network=blue,mac=${MAC[h]}" >>"$LAB_LOGDIR/hostile-colorcomctl.log" 2>&1
	sleep 3
	gp=$(g v "cat $PARAMS/grants_pending")
	[ "$gp" -gt "$maxp" ] && maxp=$gp
	log "pin round $i: v's grants_pending $gp, links_refused_pending $(g v "cat $PARAMS/links_refused_pending")"
done
rf1=$(g v "cat $PARAMS/links_refused_pending")
result pin_v_grants_pending_max "$maxp"
result pin_v_links_refused "$((rf1 - rf0))"
# Control: the attack really pins (without a cap it would grow by 65 pages a round).
if [ "$maxp" -ge 195 ]; then pass pin-attack-pins-pages; else fail pin-attack-pins-pages "grants_pending peaked at $maxp"; fi
if [ "$maxp" -le 300 ]; then pass pin-bounded-by-cap; else fail pin-bounded-by-cap "grants_pending peaked at $maxp > 300"; fi
if [ $((rf1 - rf0)) -ge 1 ]; then pass pin-links-refused; else fail pin-links-refused "links_refused_pending $rf0 -> $rf1"; fi
check pin-refusal-logged g v "dmesg | grep -q 'new link refused'"
check pin-w-link-still-works g v "ping -c 3 -W 10 ${IP[w]}"
lab_transfer pin-honest-transfer-w-to-v w v ${IP[v]} 4194304 >/dev/null
# Xen drops a destroyed domain's mappings: every pinned page comes back.
G_TIMEOUT=20 g h dmesg >"$LAB_LOGDIR/guest-h-dmesg.log" 2>&1
check hostile-no-warn not grep -qE 'Oops|BUG:|WARNING:|Call Trace' "$LAB_LOGDIR/guest-h-dmesg.log"
xl destroy h >>"$LAB_LOGDIR/xl-destroy.log" 2>&1
gpz() { [ "$(g v "cat $PARAMS/grants_pending")" = 0 ]; }
if wait_until 60 gpz; then pass pin-pages-back-after-destroy; else fail pin-pages-back-after-destroy "grants_pending $(g v "cat $PARAMS/grants_pending")"; fi

check victim-no-warn not g v "dmesg | grep -qE 'Oops|BUG:|WARNING:|Call Trace|bad partial csum'"
check witness-no-warn not g w "dmesg | grep -qE 'Oops|BUG:|WARNING:|Call Trace'"
check dom0-no-warn not sh -c "dmesg | grep -qE 'Oops|BUG:|WARNING:|Call Trace'"
g v "ethtool -S $IV; dmesg | grep -iE 'colorcom|cclink|link to|broke|refused'" >"$LAB_LOGDIR/hostile-meta-v.log" 2>&1
check daemon-alive kill -0 "$CC_DAEMON_PID"
true
