#!/bin/sh
# /init of the `cargo xtask test` image. Protocol parsed by xtask/src/markers.rs:
#   @@@READY, then per test "@@@BEGIN <name>", its output, "@@@END <name> <status>",
#   then @@@DONE and a power-off. Each program runs in a fresh empty directory with stdin
#   /dev/null and a time limit; its output goes to a file first so it is not interleaved.
#   While it runs, "@@@ALIVE <name>" every HEARTBEAT seconds tells the host the guest still
#   lives, so the host's no-output watchdog (120 s) does not cut longer per-test limits short.
# Process layout (mirrored by the host runs): pid 1 mounts, then runs this script again as
# stage 2 in a new session (so tests run in a normal session, their parent is not pid 1) and
# powers off when it returns; each test leads its own process group (newpgrp) in that session.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=linux
umask 022
if [ "$RILL_TEST_STAGE" != 2 ]; then
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
    RILL_TEST_STAGE=2 setsid /bin/sh "$0"
    rc=$?
    [ $rc = 0 ] || echo "test-init: stage 2 exited with status $rc"
    poweroff -f
    # poweroff returned: make the failure visible instead of letting init exit silently.
    echo "test-init: poweroff -f failed"
    sleep 5
    exit 1
fi
unset RILL_TEST_STAGE
DIFF_TIMEOUT=30 SCENARIO_TIMEOUT=120 FUZZ_TIMEOUT=300 STRESS_TIMEOUT=600
BENCH_SMOKE_TIMEOUT=120 FFMPEG_TIMEOUT=400 HEARTBEAT=20 FUZZ_SEED=
[ -r /tests/timeouts ] && . /tests/timeouts
cd /
echo @@@READY

# After a crash or hang the host boots again with /tests/resume-after naming the test that
# never finished: every test up to and including it is skipped.
skip_until=$(cat /tests/resume-after 2>/dev/null)

# run_test NAME SECONDS PROGRAM [ARGS...]; returns 1 when the test was skipped.
run_test() {
    name=$1 secs=$2
    shift 2
    if [ -n "$skip_until" ]; then
        [ "$name" = "$skip_until" ] && skip_until=
        return 1
    fi
    dir=$(mktemp -d)
    out=$(mktemp)
    echo "@@@BEGIN $name"
    (
        trap 'kill $nap 2>/dev/null; exit 0' TERM
        while :; do
            sleep "$HEARTBEAT" &
            nap=$!
            wait $nap
            echo "@@@ALIVE $name"
        done
    ) </dev/null &
    heartbeat=$!
    (cd "$dir" && exec timeout -k 5 "$secs" /tests/bin/newpgrp "$@" </dev/null >"$out" 2>&1)
    rc=$?
    kill "$heartbeat"
    wait "$heartbeat" 2>/dev/null
    cat "$out"
    # A marker must start its own line.
    if [ -s "$out" ] && [ -n "$(tail -c 1 "$out")" ]; then echo; fi
    echo "@@@END $name $rc"
    cd /
    rm -rf "$dir" "$out"
    return 0
}

for t in /tests/diff/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    run_test "${t##*/}" "$DIFF_TIMEOUT" "$t"
done

# Stress programs check themselves (PASS/FAIL lines, exit status).
for t in /tests/stress/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    run_test "${t##*/}" "$STRESS_TIMEOUT" "$t"
done

if [ -x /tests/bench/bench ]; then
    run_test bench-smoke "$BENCH_SMOKE_TIMEOUT" /tests/bench/bench --quick
fi

# Only in the ffmpeg image (a boot of its own).
if [ -f /tests/ffmpeg/scenario.sh ]; then
    run_test ffmpeg-scenario "$FFMPEG_TIMEOUT" sh /tests/ffmpeg/scenario.sh
fi

if [ -f /tests/busybox/scenario.sh ]; then
    run_test busybox-scenario "$SCENARIO_TIMEOUT" sh /tests/busybox/scenario.sh
fi

memfree() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# processes that are not zombies (a zombie is on its way out: its parent reaps it)
nprocs() {
    n=0
    for p in /proc/[0-9]*; do
        read -r line <"$p/stat" 2>/dev/null || continue
        case ${line##*) } in Z*) ;; *) n=$((n + 1)) ;; esac
    done
    echo $n
}
if [ -x /tests/fuzz/fuzz ]; then
    root_before=$(ls / | wc -l)
    procs_before=$(nprocs)
    mem_before=$(memfree)
    if run_test fuzz "$FUZZ_TIMEOUT" /tests/fuzz/fuzz $FUZZ_SEED; then
        # After the fuzzer: the system still works. A few differential tests again (the host
        # compares them with their first run's expectation), then the shell, the root
        # directory and the memory the fuzzer's processes held.
        for t in $(cat /tests/after-fuzz 2>/dev/null); do
            run_test "$t@after-fuzz" "$DIFF_TIMEOUT" "/tests/diff/$t"
        done
        echo "@@@BEGIN alive"
        echo alive
        echo "root entries: before $root_before after $(ls / | wc -l)"
        # (the heartbeat of the test before the fuzzer may still have been leaving: wait,
        # bounded, for the count to come down)
        i=0
        while [ "$(nprocs)" -gt "$procs_before" ] && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        echo "processes: before $procs_before after $(nprocs)"
        echo "memfree kB: before $mem_before after $(memfree)"
        echo "@@@END alive 0"
    fi
fi

echo @@@DONE
