# pvh-stress: does a PVH guest's late per-CPU page fault (docs/lab.md, PVH) depend on
# what shares its physical CPU?  Three PVH guests without colorcom each run a fork/exec
# loop (fork, exec and exit of busybox `true`, optionally a pause: kernel entries from
# user mode, where the fault strikes)
# for the folder's stress-s seconds (600); dom0 is pinned to pCPU 0.  Placement, from the folder's
# `placement` file (default below), one "NAME CPUS" a line:
#   s1 1   alone on pCPU 1: only Xen's idle vCPU ever replaces it there
#   s2 0   shares pCPU 0 with dom0 (PV) and s3
#   s3 0   shares pCPU 0 with dom0 (PV) and s2
# A death is a "BUG:" / "Kernel panic" / "Oops" line on its console or the domain
# leaving the running states (noted on the serial log at once); the seconds each guest
# lasted are recorded, and the loop's iteration count of each survivor.
# Not in the suite: an experiment.
EXTRA=$(cat /lab/scenario/guest-extra 2>/dev/null)
STRESS_S=$(cat /lab/scenario/stress-s 2>/dev/null || echo 600)
# gap-us: a pause between forks (default 0, flat out).  Under QEMU with its fix
# (tests/lab/qemu) two flat-out boots hit their time limit with no death noted: three
# loops that never die leave dom0 (the harness) too little of the one host thread.  A
# pause (untried) should let such a run finish.
GAP_US=$(cat /lab/scenario/gap-us 2>/dev/null || echo 0)
PAUSE=; [ "$GAP_US" -gt 0 ] && PAUSE="usleep $GAP_US;"
PLACE=$(cat /lab/scenario/placement 2>/dev/null || printf 's1 1\ns2 0\ns3 0\n')
declare -A CPUS T0 DEAD ITER
while read -r n c; do [ -n "$n" ] && CPUS[$n]=$c; done <<<"$PLACE"
N=$(printf '%s\n' "${!CPUS[@]}" | sort | tr '\n' ' ')
{
	echo "qemu-accel: $(cat /lab/scenario/qemu-accel 2>/dev/null || echo tcg)"
	echo "xen: $(xl info | sed -n 's/^xen_commandline *: *//p')"
	echo "guest-extra: $EXTRA"
	echo "placement: $(printf '%s=%s ' $(for n in $N; do echo "$n ${CPUS[$n]}"; done))"
	xl info | grep -E '^(nr_cpus|xen_version)'
} >"$LAB_LOGDIR/pvh-stress-config.log"
xl vcpu-pin Domain-0 all 0 >/dev/null 2>&1
# dom0 shares pCPU 0 with two busy guests: without a larger weight the harness itself
# (xl, the console agent) starves and the boot runs into its time limit.
xl sched-credit -d Domain-0 -w 2048 >/dev/null 2>&1
for n in $N; do
	LAB_GUEST_TYPE=pvh LAB_GUEST_MEM=128 LAB_GUEST_EXTRA=$EXTRA \
		lab_guest_start $n 'on_reboot = "destroy"' "cpus = \"${CPUS[$n]}\"" || fail "$n-created"
done
for n in $N; do
	lab_guest_wait $n || { fail "$n-up"; continue; }
	pass "$n-up"
done
xl vcpu-list >"$LAB_LOGDIR/vcpu-list.log" 2>&1
check dom0-pinned sh -c "xl vcpu-list Domain-0 | awk 'NR > 1 && \$7 != \"0\" {bad = 1} END {exit bad}'"
for n in $N; do
	G_TIMEOUT=300 g $n "rm -f /tmp/iter; (i=0; while :; do /bin/true; $PAUSE i=\$((i + 1)); [ \$((i % 100)) = 0 ] && echo \$i >/tmp/iter; done >/dev/null 2>&1 &)" >/dev/null
	T0[$n]=$EPOCHSECONDS
done
# died NAME: a kernel error on its console, or the domain no longer running (one
# `xl list` a round, in $XL: xl is slow in a busy lab).
died() {
	local st
	grep -aqE 'BUG:|Kernel panic|Oops' "/var/log/xen/console/guest-$1.log" 2>/dev/null && return 0
	st=$(printf '%s\n' "$XL" | awk -v n="$1" '$1 == n {print $5}')
	[ -z "$st" ] || [[ $st == *[cds]* ]]
}
t0=$EPOCHSECONDS
while [ $((EPOCHSECONDS - t0)) -lt "$STRESS_S" ]; do
	XL=$(xl list 2>/dev/null)
	left=0
	for n in $N; do
		[ -n "${DEAD[$n]:-}" ] && continue
		if died $n; then
			DEAD[$n]=$((EPOCHSECONDS - T0[$n])); note "$n died ${DEAD[$n]} s into the loop"
		else
			left=$((left + 1))
		fi
	done
	[ $left = 0 ] && break
	sleep 10
done
note "loop over after $((EPOCHSECONDS - t0)) s"
for n in $N; do
	[ -n "${DEAD[$n]:-}" ] && continue
	ITER[$n]=$(G_TIMEOUT=90 g $n 'cat /tmp/iter' 2>/dev/null | tail -n1)
done
xl vcpu-list >>"$LAB_LOGDIR/vcpu-list.log" 2>&1
xl dmesg >"$LAB_LOGDIR/xl-dmesg.log" 2>&1
for n in $N; do
	result "cpus_$n" "${CPUS[$n]}"
	[ -z "${ITER[$n]:-}" ] || result "iterations_$n" "${ITER[$n]}"
	grep -aE -A3 'BUG:|Kernel panic|Oops|RIP:' "/var/log/xen/console/guest-$n.log" >"$LAB_LOGDIR/death-$n.log" 2>/dev/null
	if [ -n "${DEAD[$n]:-}" ]; then
		result "died_after_s_$n" "${DEAD[$n]}"
		fail "$n-survives" "died ${DEAD[$n]} s into the loop ($(grep -am1 -E 'BUG:|Kernel panic|Oops' "/var/log/xen/console/guest-$n.log" | tr -d '\r'))"
	else
		pass "$n-survives"
	fi
done
