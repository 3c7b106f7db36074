# netback-baseline: two PV guests on dom0's bridge br0 through the standard
# vif / netfront / netback path.  The reference every colorcom figure is compared to.
lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:00:00:0a"]'
lab_guest_start b 'vif = ["bridge=br0,mac=00:16:3e:00:00:0b"]'
if lab_guest_wait a && lab_guest_wait b; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi

g a 'ip addr add 10.0.0.1/24 dev eth0 && ip link set eth0 up'
g b 'ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up'
check ping-a-to-b g a 'ping -c 3 -W 10 10.0.0.2'
check ping-b-to-a g b 'ping -c 3 -W 10 10.0.0.1'
rtt=$(g a 'ping -c 20 -i 0.2 10.0.0.2' | sed -n 's,.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*,\1,p')
result netback_rtt_ms_avg "${rtt:-0}"

mbps=$(lab_iperf iperf3-a-to-b a b 10.0.0.2 5 | tail -n1)
result netback_tcp_mbps_a_to_b "$mbps"
mbps=$(lab_iperf iperf3-b-to-a b a 10.0.0.1 5 | tail -n1)
result netback_tcp_mbps_b_to_a "$mbps"

c0=$(dom_cpu Domain-0); k0=$(dom0_busy_s); ca0=$(dom_cpu a); cb0=$(dom_cpu b)
secs=$(lab_transfer sha256-256MiB-a-to-b a b 10.0.0.2 $((256 * 1024 * 1024)) | tail -n1)
c1=$(dom_cpu Domain-0); k1=$(dom0_busy_s); ca1=$(dom_cpu a); cb1=$(dom_cpu b)
result netback_256MiB_seconds "$secs"
# The dom0 CPU measure of two-guests, applied to the path that does cross dom0: it must
# see netback's work, or two-guests' dom0-cpu-barely-moves could not fail.  Same 256 MiB
# as two-guests: dom0_extra_small's fixed 1 s of slack swallowed netback's extra 1.9 s
# for 64 MiB on a fast build host (3 s transfer).
read -r db dbk < <(lab_burn_control "$secs" a b)
d0=$(sub "$c0" "$c1") dk=$(sub "$k0" "$k1")
dg=$(awk -v a="$ca0" -v b="$ca1" -v c="$cb0" -v d="$cb1" 'BEGIN {printf "%.1f", (b - a) + (d - c)}')
result netback_transfer_dom0_cpu_s "$d0"
result netback_transfer_dom0_busy_s "$dk"
result netback_transfer_guests_cpu_s "$dg"
result netback_control_burn_dom0_cpu_s "$db"
result netback_control_burn_dom0_busy_s "$dbk"
log "netback transfer ${secs}s: dom0 xl cpu +${d0}s (own code +${dk}s), guests +${dg}s; burn: +${db}s (+${dbk}s)"
if ! dom0_extra_small "$d0" "$db" "$dk" "$dbk" "$dg"; then
	pass dom0-cpu-measure-sees-netback
else
	fail dom0-cpu-measure-sees-netback "netback's transfer cost dom0 ${d0}s (${dk}s) against ${db}s (${dbk}s) for the burn, guests ${dg}s: the two-guests check could not tell"
fi
