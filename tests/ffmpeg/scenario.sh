#!/bin/sh
# The ffmpeg scenario, run inside the guest (Rill or Debian's Linux) by tests/ffmpeg/init.sh:
# generate a 2 s clip (testsrc2 320x240 at 25 fps + a 440 Hz sine), transcode it with libx264
# (2 threads) and AAC to MP4, remux the MP4 with -c copy to MPEG-TS, then print both outputs
# base64-encoded between "FILE-BEGIN name size" and "FILE-END name" lines. The host decodes
# them, checks them with its own ffprobe, and compares them byte for byte with the outputs of
# this same script run on the host with the same ffmpeg (xtask/src/scenario.rs), so every
# option that changes the output bytes (thread counts included) is fixed here. Works in the
# current directory (test-init.sh gives each test a fresh one in /tmp).
step() {
    name=$1
    shift
    echo "ffmpeg-scenario: $name"
    if ! ffmpeg -nostdin -hide_banner -loglevel error -y "$@" 2>"$name.err"; then
        echo "ffmpeg-scenario: $name FAILED"
        tail -n 20 "$name.err"
        exit 1
    fi
}
step generate \
    -f lavfi -i testsrc2=size=320x240:rate=25:duration=2 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=2 \
    -c:v rawvideo -pix_fmt yuv420p -c:a pcm_s16le clip.nut
step transcode -i clip.nut \
    -c:v libx264 -preset ultrafast -threads 2 -crf 30 -pix_fmt yuv420p \
    -c:a aac -b:a 64k -movflags +faststart out.mp4
step remux -i out.mp4 -c copy -f mpegts out.ts
for f in out.mp4 out.ts; do
    echo "FILE-BEGIN $f $(wc -c <"$f")"
    base64 "$f"
    echo "FILE-END $f"
done
echo "ffmpeg-scenario: done"
