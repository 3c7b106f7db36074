# xs-scale: colorcomd's cost per event and the guests' xenstore footprint (issue #17).
# 8 small guests; xenstored starts with --entry-nb 200 (xenstored-args, read by
# dom0-init), tightened at run time before part 2.
#  1. Setup time of one new pair (attach of both NICs to both link halves Connected,
#     polled on the link's two state nodes only) with no other link on the host, then
#     with 71 other links, 3 repetitions each, each set after the guests are idle
#     (settle): median ratio <= 1.3.  colorcomd's CPU
#     and xenstore reads per watch event over each window, from its debug log.
#  2. Quota: the nodes each guest owns (xenstore-ls -p) before and after 8 guests join
#     one network (28 links): they must not grow by more than the new NIC's own dir,
#     and stay under the quota with room that a guest then proves by writing.
#     No guest's xenbus meets ENOSPC until then.  Control in the same boot:
#     colorcomd --guest-owned-links (the layout before) on a second 8-guest network
#     must run the guests out of quota: xenstored refuses their ring keys (ENOSPC in
#     their dmesg) and not every link half connects.
N=8 REPS=3
LAB_GUEST_MEM=128 LAB_BOOT_WAIT=3000	# 8 guests boot at once under TCG: minutes
BENCH_RAW=$LAB_LOGDIR/bench-raw.log
: >"$BENCH_RAW"
CCLOG=$LAB_LOGDIR/colorcomd.log
xenstore-control quota >"$LAB_LOGDIR/xs-quota.log" 2>&1
if grep -Eq '^nodes +: +200 ' "$LAB_LOGDIR/xs-quota.log"; then
	pass xenstored-args-applied
else
	fail xenstored-args-applied "$(tr '\n' ' ' <"$LAB_LOGDIR/xs-quota.log")"
fi
check colorcomd-starts cc_daemon
# check runs its command in a subshell: find the daemon's pid here.
CC_DAEMON_PID=$(pidof colorcomd | awk '{print $1}')
for i in $(seq 1 $N); do lab_guest_start g$i; done
up=0
for i in $(seq 1 $N); do lab_guest_wait g$i && up=$((up + 1)); done
if [ $up = $N ]; then pass guests-up; else fail guests-up "$up of $N guests booted"; exit 1; fi
for i in $(seq 1 $N); do check module-loads-g$i cc_load g$i; done
declare -A D
for i in $(seq 1 $N); do D[$i]=$(domid g$i); done

now() { cut -d' ' -f1 /proc/uptime; }
mac() { printf '00:16:3e:5c:%02x:%02x' "$1" "$2"; }	# DEVID GUEST
# owned DOMID: xenstore nodes whose owner (first permission) is DOMID.
owned() {
	xenstore-ls -fp / 2>/dev/null | awk -v d="$1" '
		{ p = $NF; if (p !~ /^\([nrwb][0-9]+/) next
		  sub(/^\([nrwb]/, "", p); sub(/[,)].*/, "", p); if (p == d) c++ }
		END { print c + 0 }'
}
# owned_all: owned DOMID for every guest, from one dump of the store.
owned_all() {
	local ids="" i
	for i in $(seq 1 $N); do ids="$ids ${D[$i]}"; done
	xenstore-ls -fp / 2>/dev/null | awk -v ids="$ids" '
		{ p = $NF; if (p !~ /^\([nrwb][0-9]+/) next
		  sub(/^\([nrwb]/, "", p); sub(/[,)].*/, "", p); c[p]++ }
		END { n = split(ids, d, " "); for (i = 1; i <= n; i++) printf "%d ", c[d[i]] }'
}
# halves_up K: link halves in state 4 whose link joins two devid-K NICs.
halves_up() {
	xenstore-ls -f /local/domain 2>/dev/null | awk -v k=$(($1 * 17)) '
		$1 ~ /\/(device|backend)\/cclink\/.*\/state$/ && $3 == "\"4\"" {
			n = split($1, p, "/"); if (p[n - 1] % 256 == k) c++ }
		END { print c + 0 }'
}
wait_halves() {	# K WANT SECONDS
	local t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$3" ]; do
		[ "$(halves_up "$1")" -ge "$2" ] && return 0
		sleep 3	# each poll dumps the store: do not compete with the daemon
	done
	return 1
}
attach_net() {	# NET DEVID GUEST...
	local net=$1 k=$2 i
	shift 2
	for i in "$@"; do
		colorcomctl attach g$i "network=$net,mac=$(mac "$k" "$i"),devid=$k" >>"$LAB_LOGDIR/attach.log" 2>&1 ||
			fail "attach-g$i-$net" "colorcomctl attach failed (attach.log)"
	done
}
# window_cost FROM_LINE: over colorcomd.log from that line, "events passes
# cpu_us reads incremental_reads_max" (watch events, passes, their CPU, reads).
window_cost() {
	tail -n +"$1" "$CCLOG" | awk '
		/ watch .* fired / { ev++ }
		/ pass (full|incremental): / { ps++; for (i = 1; i <= NF; i++) {
			if ($(i + 1) == "us") cpu += $i
			if ($(i + 1) == "xenstore") { rd += $i; if ($0 ~ /incremental/ && $i > mx) mx = $i } } }
		END { printf "%d %d %d %d %d\n", ev, ps, cpu, rd, mx }'
}
dstat() { awk '{print $14 + $15}' "/proc/${CC_DAEMON_PID:-none}/stat" 2>/dev/null || echo 0; }	# utime+stime ticks
# full_pass_now: SIGHUP makes colorcomd re-scan everything; wait for that pass, so
# that a repetition starts 60 s before the next periodic one (which also waits for
# a quiet second), and measures the setup, not the periodic re-scan.
full_pass_now() {
	local n0 i
	n0=$(grep -c ' pass full: ' "$CCLOG")
	kill -HUP "$CC_DAEMON_PID"
	for i in $(seq 100); do
		[ "$(grep -c ' pass full: ' "$CCLOG")" -gt "$n0" ] && return 0
		sleep 0.3
	done
}
# pair_setup TAG REP DEVID: attach g1 and g2 on a fresh network, time until both
# halves of their link are Connected, then detach them and wait until it is gone.
pair_setup() {
	local tag=$1 r=$2 k=$3 a=${D[1]} b=${D[2]} lid fp bp t0 t1 from c0 c1 s
	[ "$a" -gt "$b" ] && { a=${D[2]}; b=${D[1]}; }
	lid=$(( (b << 8) | (k << 4) | k ))
	fp=/local/domain/$a/device/cclink/$lid/state bp=/local/domain/$b/backend/cclink/$a/$lid/state
	full_pass_now
	from=$(($(wc -l <"$CCLOG") + 1)) c0=$(dstat)
	t0=$(now)
	attach_net "p${tag}_$r" "$k" 1 2
	t1=""
	while awk -v a="$t0" -v b="$(now)" 'BEGIN {exit !(b - a < 120)}'; do
		[ "$(xenstore-read "$fp" 2>/dev/null)" = 4 ] && [ "$(xenstore-read "$bp" 2>/dev/null)" = 4 ] &&
			{ t1=$(now); break; }
		sleep 0.05
	done
	c1=$(dstat)
	if [ -z "$t1" ]; then
		fail "pair-setup-$tag-$r" "link 0x$(printf %x $lid) not Connected on both halves after 120 s"
		return 1
	fi
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
	set -- $(window_cost "$from")
	pass "pair-setup-$tag-$r"
	log "pair with $tag other links, rep $r: ${s}s; $1 watch events, $2 passes, $3 us cpu, $4 reads (incremental max $5); daemon ticks $((c1 - c0))"
	bench_rec colorcom "links$tag" "$r" setup_s "$s"
	bench_rec colorcom "links$tag" "$r" events "$1"
	bench_rec colorcom "links$tag" "$r" passes "$2"
	bench_rec colorcom "links$tag" "$r" cpu_us "$3"
	bench_rec colorcom "links$tag" "$r" reads "$4"
	bench_rec colorcom "links$tag" "$r" max_reads_per_pass "$5"
	bench_rec colorcom "links$tag" "$r" cpu_ticks "$((c1 - c0))"
	echo "$s $1 $3 $5" >>"$LAB_LOGDIR/pairs-$tag.log"
	colorcomctl detach g1 "$k" >>"$LAB_LOGDIR/attach.log" 2>&1
	colorcomctl detach g2 "$k" >>"$LAB_LOGDIR/attach.log" 2>&1
	for s in $(seq 60); do
		xenstore-read "$fp" >/dev/null 2>&1 || xenstore-read "$bp" >/dev/null 2>&1 || break
		sleep 0.5
	done
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] + 0}'; }
guests_cpu() { xl list 2>/dev/null | awk 'NR > 2 {c += $6} END {printf "%.1f", c}'; }
# settle TAG: wait (at most 150 s) for a 10 s window in which the 8 guests use less
# than 1 s of CPU together, so that both sets of repetitions start from an idle host
# (the first boot's no-link set ran while the guests were still busy after boot).
settle() {
	local a b d i
	a=$(guests_cpu)
	for i in $(seq 15); do
		sleep 10
		b=$(guests_cpu)
		d=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", b - a}')
		awk -v d="$d" 'BEGIN {exit !(d < 1)}' && break
		a=$b
	done
	log "settle before the $1 set: guests used ${d}s of CPU in the last 10 s (after $((i * 10)) s)"
}
# enospc NAME: the guest's xenbus errors with ENOSPC (28: xenstored's entry quota)
# for a colorcom NIC or link, from its dmesg ("cclink-L: 28 writing ring keys").
enospc() { g "$1" "dmesg | grep -E '(cclink|colorcom).*: 28 ' | wc -l" | tail -n1; }

log "owned nodes per guest at start: $(owned_all)"
# ---- 1. setup of one pair: no other link, then 71 ------------------------------------
settle 0
for r in $(seq 1 $REPS); do pair_setup 0 "$r" $((3 + r)); done
attach_net b1 1 $(seq 1 $N)
attach_net b2 2 $(seq 1 $N)
attach_net b3 3 $(seq 3 $N)
others=$(( N * (N - 1) + (N - 2) * (N - 3) ))	# halves: 2 * (28 + 28 + 15)
t0=$SECONDS
ok=1
for k in 1 2; do wait_halves $k $((N * (N - 1))) 400 || ok=0; done
wait_halves 3 $(((N - 2) * (N - 3))) 200 || ok=0
if [ $ok = 1 ]; then
	pass other-71-links-up
	log "71 other links Connected in $((SECONDS - t0)) s"
else
	fail other-71-links-up "$(halves_up 1) + $(halves_up 2) + $(halves_up 3) of $((others + N * (N - 1))) halves"
fi
settle 71
for r in $(seq 1 $REPS); do pair_setup 71 "$r" $((6 + r)); done
m0=$(cut -d' ' -f1 "$LAB_LOGDIR/pairs-0.log" 2>/dev/null | median)
m71=$(cut -d' ' -f1 "$LAB_LOGDIR/pairs-71.log" 2>/dev/null | median)
ratio=$(awk -v a="$m0" -v b="$m71" 'BEGIN {if (a > 0) printf "%.2f", b / a; else print "inf"}')
log "setup median: ${m0}s with no other link, ${m71}s with 71: ratio $ratio"
bench_rec colorcom setup ratio ratio_71_to_0 "$ratio"
if awk -v r="$ratio" 'BEGIN {exit !(r != "inf" && r <= 1.3)}'; then
	pass setup-ratio-71-vs-0
else
	fail setup-ratio-71-vs-0 "median ${m71}s with 71 links / ${m0}s with none = $ratio > 1.3"
fi
# The xenstore reads of one incremental pass must not grow with the links.
x0=$(cut -d' ' -f4 "$LAB_LOGDIR/pairs-0.log" 2>/dev/null | median)
x71=$(cut -d' ' -f4 "$LAB_LOGDIR/pairs-71.log" 2>/dev/null | median)
e0=$(awk '{e += $2; c += $3} END {if (e) printf "%d", c / e}' "$LAB_LOGDIR/pairs-0.log" 2>/dev/null)
e71=$(awk '{e += $2; c += $3} END {if (e) printf "%d", c / e}' "$LAB_LOGDIR/pairs-71.log" 2>/dev/null)
log "daemon per event: ${e0:-?} us cpu with no other link, ${e71:-?} us with 71; largest incremental pass ${x0} reads vs ${x71}"
bench_rec colorcom setup cpu cpu_us_per_event_0 "${e0:-0}"
bench_rec colorcom setup cpu cpu_us_per_event_71 "${e71:-0}"
if [ -n "$x71" ] && [ "$x71" -gt 0 ] && [ "$x71" -le $((x0 * 3 / 2 + 2)) ]; then
	pass reads-per-pass-flat
else
	fail reads-per-pass-flat "largest incremental pass read ${x71:-?} nodes with 71 links, ${x0:-?} with none"
fi

# ---- 2. the guests' xenstore quota -------------------------------------------------------
before=$(owned_all)
max=$(for v in $before; do echo "$v"; done | sort -n | tail -n1)
Q=$((max + 40))
if xenstore-control quota set nodes $Q >>"$LAB_LOGDIR/xs-quota.log" 2>&1 &&
	xenstore-control quota 2>&1 | tee -a "$LAB_LOGDIR/xs-quota.log" | grep -Eq "^nodes +: +$Q "; then
	pass quota-tightened
else
	fail quota-tightened "xenstore-control quota set nodes $Q did not take; quota stays 200"
	Q=200
fi
log "owned nodes per guest before network q: $before; entry quota now $Q"
bench_rec colorcom quota 1 entry_quota "$Q"
attach_net q 10 $(seq 1 $N)
if wait_halves 10 $((N * (N - 1))) 400; then
	pass new-layout-8-guests-connected
else
	fail new-layout-8-guests-connected "$(halves_up 10) of $((N * (N - 1))) halves Connected"
fi
after=$(owned_all)
log "owned nodes per guest after network q (28 more links, 7 more peers each): $after"
grow=0 top=0 i=1
set -- $before
for v in $after; do
	d=$((v - $1)); [ $d -gt $grow ] && grow=$d; [ "$v" -gt $top ] && top=$v
	bench_rec colorcom quota "g$i" owned_new_layout "$v"
	shift; i=$((i + 1))
done
bench_rec colorcom quota 1 owned_growth_per_guest "$grow"
# The new NIC's frontend dir is the guest's (4 nodes); the links add none.
if [ $grow -le 6 ]; then pass owned-flat-with-peers; else fail owned-flat-with-peers "a guest gained $grow nodes with 7 peers"; fi
if [ $((Q - top)) -ge 25 ]; then pass quota-room; else fail quota-room "only $((Q - top)) entries left under $Q"; fi
# A guest proves the room: it writes nodes of its own until xenstored refuses.
room=$(G_TIMEOUT=300 g g1 'i=0; while [ $i -lt 200 ] && xenstore-write data/ccroom/$i x 2>/dev/null; do i=$((i + 1)); done; xenstore-rm data/ccroom 2>/dev/null; echo $i' | tail -n1)
log "g1 could create $room more nodes (quota $Q, it owned $(echo $after | cut -d' ' -f1))"
bench_rec colorcom quota 1 g1_room_written "${room:-0}"
if [ "${room:-0}" -ge 20 ] && [ "${room:-0}" -lt 200 ]; then
	pass quota-enforced-with-room
else
	fail quota-enforced-with-room "g1 wrote ${room:-?} nodes (want 20..199: room, then a refusal)"
fi
for i in $(seq 1 $N); do xenstore-control quota "${D[$i]}" >>"$LAB_LOGDIR/xs-quota.log" 2>&1; done
# No guest was refused an entry so far (the control below must be).
refused=""
for i in $(seq 1 $N); do v=$(enospc g$i); refused="$refused ${v:-?}"; done	# ?: no answer fails
log "ENOSPC lines in the guests' dmesg before the control:$refused"
if [ -z "$(echo $refused | tr -d '0 ')" ]; then
	pass new-layout-no-enospc
else
	fail new-layout-no-enospc "guests' xenbus errors with ENOSPC:$refused"
fi

# Control: the same 8 guests on network qc, links created the old way (guest-owned).
kill "$CC_DAEMON_PID"
for i in $(seq 50); do kill -0 "$CC_DAEMON_PID" 2>/dev/null || break; sleep 0.2; done
if pidof colorcomd >/dev/null; then
	fail control-daemon-swapped "colorcomd $(pidof colorcomd) still running"
fi
colorcomd -f -v --guest-owned-links >>"$CCLOG" 2>&1 &
CC_DAEMON_PID=$!
sleep 1
check control-daemon-runs kill -0 "$CC_DAEMON_PID"
attach_net qc 11 $(seq 1 $N)
wait_halves 11 $((N * (N - 1))) 150
got=$(halves_up 11)
ctl=$(owned_all)
log "control (--guest-owned-links): $got of $((N * (N - 1))) halves Connected; owned nodes: $ctl (quota $Q)"
bench_rec colorcom quota control halves_connected "$got"
# A guest's ring keys are one transaction, refused whole: its count stays short of
# the quota, so the proof is xenstored's refusal (ENOSPC) in the guests' xenbus.
refused="" full=0
for i in $(seq 1 $N); do
	v=$(enospc g$i); refused="$refused ${v:-?}"
	[ "${v:-0}" -gt 0 ] && full=$((full + 1))
done
log "control: ENOSPC lines in the guests' dmesg:$refused ($full of $N guests refused)"
bench_rec colorcom quota control guests_refused "$full"
if [ "$got" -lt $((N * (N - 1))) ] && [ $full -gt 0 ]; then
	pass control-old-layout-runs-out
else
	fail control-old-layout-runs-out "$got halves Connected, $full guests refused (ENOSPC): the old layout should not fit"
fi
for i in 1 $N; do g g$i 'dmesg | grep -i colorcom | tail -n 20' >"$LAB_LOGDIR/g$i-colorcom-dmesg.log" 2>&1; done
xenstore-control quota >>"$LAB_LOGDIR/xs-quota.log" 2>&1
for i in $(seq 1 $N); do xenstore-control quota "${D[$i]}" >>"$LAB_LOGDIR/xs-quota.log" 2>&1; done
# bench-raw.log and pairs-*.log reach the host with every other file of $LAB_LOGDIR.
