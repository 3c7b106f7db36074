# pvh-fault: one PVH boot experiment (docs/lab.md, PVH; not in the suite).  Three PVH
# guests boot side by side; each comes up, dies (Xen's triple-fault dump names the RIP)
# or is still booting at the deadline.  The configuration under test is the folder's
# files: qemu-cpu, qemu-accel, xen-args (tests/lab/run), guest-extra (appended to the
# guests' kernel command line) and guest-cfg (xl config lines, one a line).
# Evidence kept for a guest that does not come up:
#   pvh-rips.log       every 30 s each booting guest's RIP and RFLAGS (xenctx), named
#                      with dom0's kallsyms (same kernel; a PVH guest's text is not
#                      relocated), so a loop shows as the same function for minutes;
#   xl-dmesg-*.log     Xen's log after `xl debug-keys e q` at 300 s and at the end:
#                      the guests' event channels (is VIRQ_TIMER's port pending,
#                      masked?) and vcpu_info's upcall_pend / upcall_mask;
#   hvmctx-NAME.log    xen-hvmctx of a guest still booting at the end (LAPIC IRR/ISR:
#                      is the upcall vector requested but never taken?);
#   guest-crash-rips.log  the RIPs of Xen's crash dumps, named.
# QEMU's -d int can be logged over the boot window by tests/lab/qemu-log-window.
N="f1 f2 f3"
# Guests get what dom0's own limit (/lab/timeout, from the folder's timeout) leaves after
# ~3 min for the evidence and the checks.
DEADLINE=$(($(cat /lab/timeout) - 180)); [ $DEADLINE -ge 120 ] || DEADLINE=120
EXTRA=$(cat /lab/scenario/guest-extra 2>/dev/null)
CFG=('on_reboot = "destroy"')
[ -f /lab/scenario/guest-cfg ] && while IFS= read -r l; do [ -n "$l" ] && CFG+=("$l"); done </lab/scenario/guest-cfg
awk '$2 ~ /^[tT]$/' /proc/kallsyms >/tmp/ksyms
sym() { awk -v r="$1" '$1 <= r && $1 >= at {best = $3; at = $1} END {print best}' /tmp/ksyms; }
rip_syms() {
	local r
	for r in $(xl dmesg | sed -n 's/.*RIP: *[0-9a-f]*:\[<\([0-9a-f]*\)>\].*/\1/p' | sort -u); do
		echo "$r $(sym "$r")"
	done
}
# rips T: one line per booting guest: time, name, RIP, function, RFLAGS (IF is 0x200).
rips() {
	local n d ctx rip fl
	for n in $N; do
		[ -n "${UP[$n]:-}" ] && continue
		d=$(domid "$n") || continue
		ctx=$(xenctx "$d" 0 2>&1)
		rip=$(printf '%s\n' "$ctx" | sed -n 's/^ *rip: *\([0-9a-f]*\).*/\1/p' | head -n1)
		fl=$(printf '%s\n' "$ctx" | sed -n 's/^ *flags: *\([0-9a-f]*\).*/\1/p' | head -n1)
		echo "t=$1 $n rip=$rip $(sym "$rip") flags=$fl"
	done >>"$LAB_LOGDIR/pvh-rips.log"
}
debug_dump() {
	xl debug-keys e >/dev/null 2>&1
	xl debug-keys q >/dev/null 2>&1
	xl dmesg >"$LAB_LOGDIR/xl-dmesg-$1.log" 2>&1
}

check hap-detected sh -c "xl dmesg | grep -q 'Hardware Assisted Paging (HAP) detected'"
{
	echo "qemu-cpu: $(cat /lab/scenario/qemu-cpu 2>/dev/null)"
	echo "qemu-accel: $(cat /lab/scenario/qemu-accel 2>/dev/null || echo tcg)"
	echo "xen: $(xl info | sed -n 's/^xen_commandline *: *//p')"
	echo "guest-extra: $EXTRA"
	echo "guest-cfg: ${CFG[*]}"
} >"$LAB_LOGDIR/pvh-config.log"
note "qemu-log on int"
sleep 3
declare -A UP DEAD T0
# xl create of a PVH guest takes ~10 s here; each guest's time counts from its own.
for n in $N; do
	T0[$n]=$EPOCHSECONDS
	LAB_GUEST_TYPE=pvh LAB_GUEST_EXTRA=$EXTRA lab_guest_start $n "${CFG[@]}"
done
t0=${T0[f1]}
next=$((t0 + 30)) dumped=
while [ $((EPOCHSECONDS - t0)) -lt $DEADLINE ]; do
	left=0
	for n in $N; do
		[ -n "${UP[$n]:-}${DEAD[$n]:-}" ] && continue
		if grep -aq "@@CCG READY" "/var/log/xen/console/guest-$n.log" 2>/dev/null; then
			UP[$n]=$((EPOCHSECONDS - T0[$n])); log "$n up ${UP[$n]} s after its xl create"
		elif ! domid "$n" >/dev/null; then
			DEAD[$n]=$((EPOCHSECONDS - T0[$n])); log "$n died ${DEAD[$n]} s after its xl create"
		else
			left=$((left + 1))
		fi
	done
	[ $left = 0 ] && break
	if [ "$EPOCHSECONDS" -ge $next ]; then
		rips $((EPOCHSECONDS - t0)); next=$((EPOCHSECONDS + 30))
		if [ -z "$dumped" ] && [ $((EPOCHSECONDS - t0)) -ge 300 ]; then debug_dump 300s; dumped=1; fi
	fi
	sleep 1
done
note "qemu-log off"
for n in $N; do
	[ -n "${UP[$n]:-}${DEAD[$n]:-}" ] && continue
	d=$(domid "$n") && xen-hvmctx "$d" >"$LAB_LOGDIR/hvmctx-$n.log" 2>&1
done
rips end
debug_dump end
up=0 dead=0 hung=0
for n in $N; do
	if [ -n "${UP[$n]:-}" ]; then
		up=$((up + 1)); pass "$n-up"; result "boot_s_$n" "${UP[$n]}"
	elif [ -n "${DEAD[$n]:-}" ]; then
		dead=$((dead + 1)); fail "$n-up" "died after ${DEAD[$n]} s"
	else
		hung=$((hung + 1)); fail "$n-up" "still booting after $DEADLINE s"
	fi
done
result pvh_up "$up"
result pvh_died "$dead"
result pvh_hung "$hung"
rip_syms >"$LAB_LOGDIR/guest-crash-rips.log" 2>&1
# A guest that came up: do its timer events arrive (jiffies move across a sleep)?
for n in $N; do
	[ -n "${UP[$n]:-}" ] || continue
	check "$n-ticks" g $n 'a=$(grep -m1 "^jiffies" /proc/timer_list | tr -dc 0-9); sleep 2; b=$(grep -m1 "^jiffies" /proc/timer_list | tr -dc 0-9); [ "$b" -gt "$a" ]'
	g $n "dmesg | grep -iE 'tsc|clocksource|calibrat|lpj|xen:'" >"$LAB_LOGDIR/time-dmesg-$n.log" 2>&1
done
