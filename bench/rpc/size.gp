# gnuplot bench/rpc/size.gp (run from bench/, by bench/rpc/report): checksum call
# latency against argument size, libccrpc against ONC RPC, from results/rpc-size.dat.
set terminal pngcairo size 900,520 font "sans,11"
set grid
set key top left
set output "results/rpc-size.png"
set title "checksum(buf) call latency against argument size (p50 of 50 calls)\nQEMU TCG lab, one boot for all four"
set logscale x 2
set logscale y 10
set xtics ("64 B" 64, "256 B" 256, "1 KiB" 1024, "4 KiB" 4096, "16 KiB" 16384, "64 KiB" 65536, "256 KiB" 262144, "1 MiB" 1048576)
set xlabel "argument size"
set ylabel "microseconds"
plot "results/rpc-size.dat" using 1:2 with linespoints lw 2 pt 7 title "libccrpc (sleep)", \
     "results/rpc-size.dat" using 1:3 with linespoints lw 2 pt 7 title "libccrpc (200 ms spin)", \
     "results/rpc-size.dat" using 1:4 with linespoints lw 2 pt 5 title "ONC RPC over netfront/netback", \
     "results/rpc-size.dat" using 1:5 with linespoints lw 2 pt 5 title "ONC RPC over colorcom"
