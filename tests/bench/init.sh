#!/bin/sh
# /init of the `cargo xtask bench` images (the same on Rill and on Debian's Linux). Prints
# blocks in the test protocol (xtask/src/markers.rs), unbuffered so that the host can also
# time them by the arrival of their markers:
#   mem     MemTotal/MemFree right after boot, where init.sh would start the shell
#   clock   `sleep 5`: 5 s by the guest's clock, timed by the host (how far the guest's
#           clock, which every in-guest figure uses, is from real time)
#   micro   tests/bench/bench (when the image has it), arguments from /tests/bench/args
#   x264-*  tests/bench/x264.sh (in the ffmpeg image)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Debian's kernel: its virtio drivers are modules, appended to the image by xtask
[ -x /usr/lib/modules/load-virtio ] && /usr/lib/modules/load-virtio
mount -t tmpfs -o mode=1777 tmpfs /tmp
cd /tmp
echo @@@READY
echo "@@@BEGIN mem"
grep -E '^(MemTotal|MemFree):' /proc/meminfo
echo "@@@END mem 0"
# The guest's clock against the host's: the host times this block by its markers.
echo "@@@BEGIN clock"
sleep 5
echo "@@@END clock $?"
if [ -x /tests/bench/bench ]; then
    echo "@@@BEGIN micro"
    # shellcheck disable=SC2046
    /tests/bench/bench $(cat /tests/bench/args 2>/dev/null)
    echo "@@@END micro $?"
fi
if [ -f /tests/bench/x264.sh ]; then
    sh /tests/bench/x264.sh
fi
echo @@@DONE
poweroff -f
