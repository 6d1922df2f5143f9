#!/bin/sh
# libx264 transcode benchmark (run by tests/bench/init.sh in the ffmpeg image): generate a
# testsrc2 clip once (raw video in NUT, so reading it costs next to nothing), then encode it
# with libx264 (veryfast) to the null muxer with 1 and with 2 threads. Each encode is one
# block "x264-tN" printing ffmpeg's -benchmark line (rtime: wall time inside the guest), its
# final -progress figures (frame=, fps=) and the SIMD level x264 chose (it follows what CPUID
# and XGETBV say the kernel supports: no AVX without XSAVE).
SIZE=${X264_SIZE:-640x360}
SECONDS_=${X264_SECONDS:-4}
[ -r /tests/bench/x264.conf ] && . /tests/bench/x264.conf
echo "@@@BEGIN x264-input"
ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=$SIZE:rate=25:duration=$SECONDS_" \
    -c:v rawvideo -pix_fmt yuv420p -f nut in.nut
echo "@@@END x264-input $?"
for n in 1 2; do
    echo "@@@BEGIN x264-t$n"
    ffmpeg -nostdin -hide_banner -nostats -benchmark -progress pipe:1 -i in.nut \
        -c:v libx264 -preset veryfast -threads "$n" -f null - >out.txt 2>&1
    rc=$?
    grep -E '^(bench:|frame=|fps=|progress=)|rror|cpu capabilities' out.txt
    echo "@@@END x264-t$n $rc"
done
rm -f in.nut out.txt
