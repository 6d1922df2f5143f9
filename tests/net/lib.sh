#!/bin/sh
# The guest side of the network scenarios and of `cargo xtask bench net`; see
# xtask/src/netscen.rs for the host side and what each checks. Every wait is bounded.
SCEN=$1

say() { echo "@@@NET $*"; }

# listening PORT: a TCP socket listens on PORT (IPv4 or IPv6), as netstat shows it
listening() { netstat -ltn 2>/dev/null | grep -q "[:.]$1 "; }

# wait_listen PORT SECONDS
wait_listen() {
    i=0
    while ! listening "$1"; do
        i=$((i + 1))
        [ $i -gt $(($2 * 5)) ] && return 1
        sleep 0.2
    done
}

# wait_iperf: the iperf3 server (`iperf3 -s --forceflush >/tmp/iperf3.log`) is idle and
# listening. It closes its listener after each test and opens it again, printing "Server
# listening" each time, and "Accepted connection" once per test: a client started in
# between is reset (through slirp the host's client sees "control socket has closed
# unexpectedly"), so the next test waits for more of the first than of the second.
wait_iperf() {
    i=0
    while [ "$(grep -c 'Server listening' /tmp/iperf3.log)" -le \
        "$(grep -c 'Accepted connection' /tmp/iperf3.log)" ]; do
        i=$((i + 1))
        [ $i -gt 300 ] && return 1
        sleep 0.2
    done
}

# the host's next word on the console (bounded)
host_says() {
    read -r -t "${1:-600}" word || word=timeout
    echo "$word"
}

start_nginx() {
    mkdir -p /tmp/nginx /var/www
    echo "rill nginx is serving" >/var/www/index.html
    nginx >/tmp/nginx.log 2>&1 &
    nginx_pid=$!
    if ! wait_listen 1935 60 || ! wait_listen 80 30; then
        say fail nginx is not listening on 1935 and 80
        cat /tmp/nginx.log
        return 1
    fi
}

stop_nginx() {
    kill "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
    grep -E '\[(emerg|alert|crit)\]' /tmp/nginx.log
}

# A: ffmpeg as an RTSP server (listen mode) remuxing to HLS, served by busybox httpd.
scen_a() {
    mkdir -p /tmp/www/live
    httpd -p 80 -h /tmp/www
    ffmpeg -hide_banner -nostdin -loglevel warning -rtsp_flags listen \
        -i rtsp://0.0.0.0:8554/live/test -c copy \
        -bsf:v 'setts=pts=if(eq(PTS\,NOPTS)\,DTS\,PTS)' \
        -f hls -hls_time 2 -hls_list_size 5 -hls_flags delete_segments \
        /tmp/www/live/test.m3u8 >/tmp/ffmpeg.log 2>&1 &
    pid=$!
    if ! wait_listen 8554 120 || ! wait_listen 80 10; then
        say fail ffmpeg or httpd never listened
        cat /tmp/ffmpeg.log
        return 1
    fi
    say listening
    # ffmpeg ends when the host's push ends (bounded by the host, which kills the guest)
    wait $pid
    rc=$?
    cat /tmp/ffmpeg.log
    say ffmpeg-exit $rc $(ls /tmp/www/live | wc -l) files
    [ "$(host_says)" = quit ] || say fail no quit from the host
    return $rc
}

# B: nginx-rtmp; the host pushes and plays.
scen_b() {
    start_nginx || return 1
    say listening
    w=$(host_says)
    [ "$w" = quit ] || say fail host said "$w"
    kill -0 "$nginx_pid" 2>/dev/null || { say fail nginx died; cat /tmp/nginx.log; return 1; }
    stop_nginx
    return 0
}

# C: in-guest pushes into nginx-rtmp over 127.0.0.1 and [::1], HLS checked in the guest.
scen_c() {
    start_nginx || return 1
    rc=0
    for v in 4 6; do
        if [ $v = 4 ]; then host=127.0.0.1; else host='[::1]'; fi
        if ! timeout 300 ffmpeg -hide_banner -nostdin -loglevel warning \
            -f lavfi -i testsrc2=size=160x120:rate=25 -t 5 \
            -c:v libx264 -preset ultrafast -g 25 -f flv "rtmp://$host:1935/live/c$v"; then
            say fail push over $host failed
            rc=1
            continue
        fi
        # the last fragment is written when the publisher leaves: wait for it (bounded)
        i=0
        while [ "$(ls /tmp/hls 2>/dev/null | grep -c "^c$v-[0-9]*\.ts\$")" -lt 2 ] && [ $i -lt 50 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        n=$(ls /tmp/hls 2>/dev/null | grep -c "^c$v-[0-9]*\.ts\$")
        got=$(wget -q -O - "http://$host/hls/c$v.m3u8" 2>&1 | grep -c "^c$v-[0-9]*\.ts\$")
        size=$(wget -q -O - "http://$host/hls/c$v-0.ts" 2>/dev/null | wc -c)
        echo "over $host: $n segments in /tmp/hls, $got listed over HTTP, c$v-0.ts $size bytes"
        if [ "$n" -ge 2 ] && [ "$got" -ge 1 ] && [ "$size" -gt 0 ]; then
            say c-ok v$v segments $n listed $got
        else
            say fail v$v: $n segments, $got listed, $size bytes
            ls -l /tmp/hls
            rc=1
        fi
    done
    stop_nginx
    return $rc
}

# the "receiver" bitrate of an iperf3 -f m client run, in Mbit/s
iperf_mbits() { sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' | tail -n 1; }

# D: iperf3 server; the host runs host->guest and guest->host (-R); then loopback.
scen_d() {
    iperf3 -s --forceflush >/tmp/iperf3.log 2>&1 &
    pid=$!
    wait_listen 5201 60 || { say fail iperf3 not listening; cat /tmp/iperf3.log; return 1; }
    say listening
    w=$(host_says)
    while [ "$w" = relisten ]; do
        wait_iperf
        say relistened $?
        w=$(host_says)
    done
    [ "$w" = loopback ] || { say fail host said "$w"; kill $pid; return 1; }
    secs=$(cat /tests/net/iperf-secs 2>/dev/null || echo 3)
    wait_iperf
    timeout 120 iperf3 -c 127.0.0.1 -t "$secs" -f m >/tmp/lo.log 2>&1
    rc=$?
    cat /tmp/lo.log
    say loopback $rc "$(iperf_mbits </tmp/lo.log)" Mbit/s
    w=$(host_says)
    kill $pid
    wait $pid 2>/dev/null
    return $rc
}

# The guest side of `cargo xtask bench net`: nginx-rtmp, an ffmpeg RTSP listener and an
# iperf3 server; then it does what the host asks, one word at a time.
start_rtsp() {
    mkdir -p /tmp/www/live
    ffmpeg -hide_banner -nostdin -loglevel warning -rtsp_flags listen \
        -i rtsp://0.0.0.0:8554/live/test -c copy \
        -bsf:v 'setts=pts=if(eq(PTS\,NOPTS)\,DTS\,PTS)' \
        -f hls -hls_time 2 -hls_list_size 5 -hls_flags delete_segments \
        /tmp/www/live/test.m3u8 >/tmp/ffmpeg.log 2>&1 &
    rtsp_pid=$!
    wait_listen 8554 120
}

scen_bench() {
    start_nginx || return 1
    iperf3 -s --forceflush >/tmp/iperf3.log 2>&1 &
    ipid=$!
    wait_listen 5201 60 || { say fail iperf3 not listening; return 1; }
    start_rtsp || { say fail the ffmpeg RTSP listener is not listening; return 1; }
    secs=$(cat /tests/net/iperf-secs 2>/dev/null || echo 3)
    say listening
    while :; do
        w=$(host_says)
        case "$w" in
        relisten)
            wait_iperf
            say relistened $? ;;
        rtsp-wait)
            wait $rtsp_pid
            say rtsp-exit $?
            start_rtsp
            say rtsp-ready $? ;;
        loopback)
            wait_iperf
            timeout 120 iperf3 -c 127.0.0.1 -t "$secs" -f m >/tmp/lo.log 2>&1
            rc=$?
            cat /tmp/lo.log
            say loopback $rc "$(iperf_mbits </tmp/lo.log)" Mbit/s ;;
        netbench)
            /tests/bench/netbench connect "$secs"
            /tests/bench/netbench udp "$secs"
            say netbench-done $? ;;
        *)
            break ;;
        esac
    done
    kill $ipid
    stop_nginx
    return 0
}

case "$SCEN" in
a) scen_a ;;
b) scen_b ;;
c) scen_c ;;
d) scen_d ;;
bench) scen_bench ;;
*) say fail unknown scenario "$SCEN"; exit 1 ;;
esac
