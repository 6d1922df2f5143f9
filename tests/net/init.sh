#!/bin/sh
# /init of the network scenario boots (xtask/src/netscen.rs): mount, bring up lo and eth0 as
# init.sh does, then run the scenario named in /tests/net/which (SCEN=a|b|c|d|bench). The host
# drives it through "@@@NET <event> ..." lines on the console and answers on the console's
# input (one word per line). Same on Rill and on Debian's Linux.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=linux
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -x /usr/lib/modules/load-virtio ] && /usr/lib/modules/load-virtio
mount -t tmpfs -o mode=1777 tmpfs /tmp
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
[ -r /etc/hostname ] && hostname -F /etc/hostname
SCEN=none
. /tests/net/which
cd /tmp
echo "@@@NET up $SCEN $(uname -s) $(uname -r)"
sh /tests/net/lib.sh "$SCEN"
echo "@@@NET end $?"
poweroff -f
sleep 5
