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

secs=$(lab_transfer sha256-64MiB-a-to-b a b 10.0.0.2 $((64 * 1024 * 1024)) | tail -n1)
result netback_64MiB_seconds "$secs"
