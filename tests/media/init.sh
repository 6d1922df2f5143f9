#!/bin/sh
# /init of `cargo xtask run` (the media workload): mount, bring up lo and eth0 as init.sh
# does, start the media server in the background (Debian's nginx with the RTMP module, or a
# ZLMediaKit MediaServer packed at /opt/zlm by `--media-server DIR`), then a busybox shell.
# The host forwards its ports to RTSP 554, RTMP 1935 and HTTP 80 and prints the URLs.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM="${TERM:-linux}"
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
cd /
if [ -x /opt/zlm/MediaServer ]; then
    echo "rill-media: starting ZLMediaKit: cd /opt/zlm && ./MediaServer -c /opt/zlm/config.ini"
    (cd /opt/zlm && exec ./MediaServer -c /opt/zlm/config.ini) </dev/null >/tmp/mediaserver.log 2>&1 &
    log=/tmp/mediaserver.log
else
    mkdir -p /tmp/nginx /tmp/hls /var/www
    echo "rill nginx is serving" >/var/www/index.html
    echo "rill-media: starting nginx (RTMP on 1935, HLS from /tmp/hls on http://.../hls/)"
    nginx </dev/null >/tmp/nginx.log 2>&1 &
    log=/tmp/nginx.log
fi
pid=$!
i=0
while [ $i -lt 100 ] && ! netstat -ltn 2>/dev/null | grep -q '[:.]1935 '; do
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
    i=$((i + 1))
done
if netstat -ltn 2>/dev/null | grep -q '[:.]1935 '; then
    echo "rill-media: listening:"
    netstat -ltn | grep LISTEN
else
    echo "rill-media: the media server is not listening on 1935; its log ($log):"
    cat "$log"
fi
echo "rill-media: its log is $log; poweroff -f or Ctrl-A x ends the run"
echo "rill-init: $(uname -s) $(uname -r) on $(hostname), busybox shell (Ctrl-A x quits QEMU)"
exec setsid cttyhack sh -l
