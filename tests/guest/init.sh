#!/bin/sh
# Default /init of `cargo xtask run` and `cargo xtask bench boot`: mount the usual file
# systems and start an interactive busybox shell on the console. Works unchanged on Rill and
# on Debian's Linux kernel. The banner line is what `bench boot` waits for before the prompt.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM="${TERM:-linux}"
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Debian's kernel: its virtio drivers are modules, appended to the image by xtask
[ -x /usr/lib/modules/load-virtio ] && /usr/lib/modules/load-virtio
mount -t tmpfs -o mode=1777 tmpfs /tmp
# The network, the same on both kernels: lo, and eth0 on QEMU user networking (the host
# is 10.0.2.2). Before Rill had netlink these commands failed quietly.
ip link set lo up 2>/dev/null
if ip link set eth0 up 2>/dev/null; then
    ip addr add 10.0.2.15/24 dev eth0 2>/dev/null
    ip route add default via 10.0.2.2 2>/dev/null
fi
[ -r /etc/hostname ] && hostname -F /etc/hostname
cd /
echo "rill-init: $(uname -s) $(uname -r) on $(hostname), busybox shell (Ctrl-A x quits QEMU)"
exec setsid cttyhack sh -l
