# hostile-flap: a guest that flaps (issue #14 items 1, 5, 6, 7, the daemon's side).
#   v, w  honest guests (release driver) with a ping stream between them throughout;
#   h     the flapper: no driver; dom0 plays its frontend, as a hostile kernel could:
#         every ~1.5 s it deletes its own cclink halves and flips its NIC frontend
#         state 4 -> 3 -> 4 (colorcomd only sees xenstore, so this is the same to it);
#   x     attaches its NIC while h flaps: its attach must complete in bounded time.
# Phase A: relink-backoff = 60 (the default): the links to h are re-created a few
# times (exponential back-off per NIC and per pair), not at h's rate.  Phase B, the
# same boot, the control: relink-backoff = 0 (SIGHUP): the same flapping re-creates
# them at h's rate, so the bound of phase A is shown to trip.  Then item 5: a link
# whose half goes Closed (a failed probe) is removed and re-created on its own.
LAB_GUEST_MEM=192
XS=/local/domain
BE=/local/domain/0/backend/colorcom
DLOG=$LAB_LOGDIR/colorcomd.log
CONF=/tmp/colorcomd.conf
PHASE_S=60
# Links of one pair re-created within PHASE_S seconds with the back-off doubling
# from 1 s: at most 2 + log2(PHASE_S) + 1 (a NIC's first flap is free) = 9.
BOUND=9
declare -A MAC=([v]=00:16:3e:f1:00:01 [w]=00:16:3e:f1:00:02 [h]=00:16:3e:f1:00:03 [x]=00:16:3e:f1:00:04)
declare -A IP=([v]=10.9.0.1 [w]=10.9.0.2 [x]=10.9.0.4)

echo "relink-backoff = 60" >"$CONF"
colorcomd -f -v -c "$CONF" >>"$DLOG" 2>&1 &
DPID=$!
sleep 0.5
if kill -0 "$DPID" 2>/dev/null; then pass colorcomd-starts; else fail colorcomd-starts "$(tail -n1 "$DLOG")"; exit 1; fi
daemon_alive() { kill -0 "$DPID" 2>/dev/null; }

for n in v w h x; do lab_guest_start $n; done
for n in v w h x; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
V=$(domid v) W=$(domid w) H=$(domid h) X=$(domid x)
log "domids v=$V w=$W h=$H x=$X"
for n in v w; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
check module-loads-x cc_load x
IV=${CC_IF[v]} IW=${CC_IF[w]}
check links-v-w cc_wait_links v "$IV" 1

# h: attached by the admin, frontend played by dom0.
HF=$XS/$H/device/colorcom/0
check attach-h colorcomctl attach h network=blue,mac=${MAC[h]}
check h-initwait wait_until 10 sh -c "[ \"\$(xenstore-read $BE/$H/0/state)\" = 2 ]"
xenstore-write $HF/state 4
check h-linked wait_until 10 xenstore-exists "$(cc_half_of "$V" "$H")/state"
# Item 6: the parents of a backend half are dom0's (B may read them); the half is B's.
hi=$V; lo=$H; [ "$H" -gt "$V" ] && { hi=$H; lo=$V; }
perms() { xenstore-ls -fp "$(dirname "$1")" 2>/dev/null | grep -F "$1 = " | head -n1 | sed 's/.*(\([^()]*\))$/\1/'; }
check parents-dom0-owned sh -c "[ \"$(perms $XS/$hi/backend/cclink)\" = n0,r$hi ] && [ \"$(perms $XS/$hi/backend/cclink/$lo)\" = n0,r$hi ]"
check half-guest-owned sh -c "[ \"$(perms "$(cc_half_of "$hi" "$lo")")\" = n$hi,r$lo ]"

# created_since LINE PEER: link creations between h and PEER logged after line LINE.
created_since() {
	tail -n +"$(($1 + 1))" "$DLOG" | grep -cE "link ($H<->$2|$2<->$H) on blue created"
}
# flap SECONDS: h deletes its halves of the links to v and w and flips its NIC
# state, as fast as dom0 can (a process takes ~0.5 s to start under TCG: four per
# round, and the pauses without a process).
nap() { read -rt "$1" -u "$NAP_FD" || :; }
flap() {
	local end=$(( ${EPOCHREALTIME%.*} + $1 )) n=0 hv hw
	hv=$(cc_half_of "$H" "$V") hw=$(cc_half_of "$H" "$W")
	exec {NAP_FD}<> <(:)
	while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
		xenstore-rm "$hv" 2>/dev/null
		xenstore-rm "$hw" 2>/dev/null
		xenstore-write $HF/state 3
		nap 0.3
		xenstore-write $HF/state 4
		nap 0.5
		n=$((n + 1))
	done
	echo "$n"
}
# phase NAME: h flaps for PHASE_S s in the background while v pings w.
# phase_end NAME LINE: wait for it; count the re-creations logged after LINE (P_*).
phase() {
	g v "(ping -i 0.5 -c $((PHASE_S * 2)) -W 5 ${IP[w]} >/tmp/ping-$1.txt 2>&1 &)" >/dev/null
	flap "$PHASE_S" >/tmp/flaps-$1 &
	FLAP_PID=$!
}
phase_end() {
	local name=$1 l0=$2 p
	wait "$FLAP_PID"
	P_FLAPS=$(cat /tmp/flaps-$name)
	P_V=$(created_since "$l0" "$V") P_W=$(created_since "$l0" "$W")
	result flap_${name}_flaps "$P_FLAPS"
	result flap_${name}_relinks_h_v "$P_V"
	result flap_${name}_relinks_h_w "$P_W"
	log "phase $name: h flapped $P_FLAPS times; links h-v created $P_V times, h-w $P_W times"
	G_TIMEOUT=90 g v "while pidof ping >/dev/null; do sleep 1; done; cat /tmp/ping-$name.txt" >"$LAB_LOGDIR/flap-ping-$name.log"
	p=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$LAB_LOGDIR/flap-ping-$name.log")
	result flap_${name}_v_w_ping_loss_pct "${p:-100}"
	# Honest traffic continues: the v-w stream loses (almost) nothing.
	if [ -n "$p" ] && awk -v p="$p" 'BEGIN {exit !(p <= 5)}'; then pass $name-v-w-stream-continues; else fail $name-v-w-stream-continues "v -> w ping loss ${p:-?}%"; fi
}

# --- phase A: back-off on; x attaches in the middle ----------------------------------
LA=$(wc -l <"$DLOG")
phase backoff
sleep 10
t0=$(now_s)
if cc_guest_nic x blue ${MAC[x]} ${IP[x]} && cc_wait_links x "${CC_IF[x]}" 2 60 >/dev/null; then
	el=$(since_s "$t0")
	result flap_attach_x_during_flapping_s "$el"
	log "x attached and linked to v and w in ${el}s while h flapped"
	if awk -v e="$el" 'BEGIN {exit !(e <= 30)}'; then pass attach-during-flapping-bounded; else fail attach-during-flapping-bounded "took ${el}s"; fi
else
	fail attach-during-flapping-bounded "x not linked to v and w within 60 s"
fi
phase_end backoff "$LA"
A_V=$P_V A_W=$P_W A_FLAPS=$P_FLAPS
if [ "$A_V" -le "$BOUND" ] && [ "$A_W" -le "$BOUND" ]; then pass backoff-relinks-bounded; else fail backoff-relinks-bounded "h-v $A_V, h-w $A_W re-creations in ${PHASE_S}s (bound $BOUND)"; fi
# ... and it did re-create them (the flapping did reach the daemon)
if [ "$A_V" -ge 3 ]; then pass backoff-still-relinks; else fail backoff-still-relinks "h-v created only $A_V times"; fi
check backoff-logged grep -q "nic $H/0: flap [0-9]* in a row, next link in" "$DLOG"
check v-w-link-untouched not grep -qE "link ($V<->$W|$W<->$V) \\(L=[^)]*\\) removed" "$DLOG"
check x-linked-to-w g x "ping -c 2 -W 10 ${IP[w]}"

# --- phase B, the control: back-off off (relink-backoff = 0), the same flapping --------
echo "relink-backoff = 0" >"$CONF"
kill -HUP "$DPID"
check reload-logged wait_until 10 grep -q "reloaded $CONF (relink-backoff 0 s)" "$DLOG"
sleep 2
LB=$(wc -l <"$DLOG")
phase nobackoff
phase_end nobackoff "$LB"
B_V=$P_V B_W=$P_W
if [ "$B_V" -gt "$BOUND" ]; then pass control-check-trips; else fail control-check-trips "without back-off h-v was re-created $B_V times (bound $BOUND): the check could not fail"; fi
echo "relink-backoff = 60" >"$CONF"
kill -HUP "$DPID"
check daemon-alive-after-flapping daemon_alive

# --- item 5: a failed link recovers by itself ------------------------------------------
xenstore-write $HF/state 6	# h stops flapping: its NIC leaves for good
XV=$(cc_half_of "$X" "$V")
check x-v-connected wait_until 20 sh -c "[ \"\$(xenstore-read $XV/state)\" = 4 ]"
l0=$(wc -l <"$DLOG")
t0=$(now_s)
xenstore-write "$XV/state" 6	# as a probe that failed with ENOMEM would leave it
if wait_until 30 sh -c "tail -n +$((l0 + 1)) $DLOG | grep -qE 'link ($X<->$V|$V<->$X) on blue created'" >/dev/null &&
	cc_wait_links x "${CC_IF[x]}" 2 30 >/dev/null; then
	el=$(since_s "$t0")
	result flap_failed_link_recovered_s "$el"
	pass failed-link-recreated
else
	fail failed-link-recreated "x's link to v not back within 30 s"
fi
check failed-link-logged sh -c "tail -n +$((l0 + 1)) $DLOG | grep -q 'Closed; will recreate'"
check failed-link-ping g x "ping -c 2 -W 10 ${IP[v]}"
check daemon-alive daemon_alive
kill "$DPID"
