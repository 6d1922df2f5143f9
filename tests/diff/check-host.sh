#!/bin/sh
# Verify the differential tests on host Linux: each tests/diff/*.c is built
# static and dynamic (-O1 -Wall -lpthread -lrt, plus "// cflags: ..." from its
# first 3 lines), each build runs twice in a fresh empty cwd with stdin
# /dev/null (the second in a new pid namespace with Docker's default capabilities where possible, like a CI
# container), and all four runs must give identical output and exit status 0.
# Usage: tests/diff/check-host.sh [name.c ...]   (default: all)
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/rill-diff-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
pass=0
in_ns=0
unshare -pf --mount-proc true 2>/dev/null && command -v setpriv >/dev/null && in_ns=1
# ... and with the capabilities a Docker container keeps by default (tests that need more
# say SKIP there, see caps.h)
caps=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service
caps=$caps,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap
printf '#!/bin/sh\nexec unshare -pf --mount-proc setpriv --bounding-set=%s sh -c '"'"'"$0"; exit $?'"'"' "$1"\n' "$caps" >"$work/in-ns"
chmod +x "$work/in-ns"
if [ $# -eq 0 ]; then set -- "$here"/*.c; fi
for src in "$@"; do
    case $src in /*) ;; *) src="$here/$(basename "$src")" ;; esac
    name=$(basename "$src" .c)
    extra=$(head -n 3 "$src" | sed -n 's@^// cflags:@@p')
    ok=1
    for kind in static dynamic; do
        flag=
        [ $kind = static ] && flag=-static
        # shellcheck disable=SC2086
        if ! gcc -O1 -Wall $flag $extra -o "$work/$name.$kind" "$src" -lpthread -lrt \
            >"$work/$name.$kind.cc" 2>&1; then
            echo "FAIL $name: $kind build failed"; cat "$work/$name.$kind.cc"; ok=0; continue
        fi
        if grep -q warning "$work/$name.$kind.cc"; then
            echo "WARN $name ($kind):"; grep warning "$work/$name.$kind.cc" | head -5
        fi
        for run in 1 2; do
            d=$(mktemp -d /tmp/rill-diff-cwd.XXXXXX)
            # run 2 goes into a new pid namespace when we may make one: CI runs in
            # a container whose session leader is invisible (getsid(0) == 0)
            ns=
            # (a shell stays pid 1 there, the test is its child, /proc is the
            # namespace's own)
            [ $run = 2 ] && [ $in_ns = 1 ] && ns="$work/in-ns"
            # shellcheck disable=SC2086
            (cd "$d" && timeout 30 $ns "$work/$name.$kind" </dev/null >"$work/$name.$kind.$run.out" 2>&1)
            rc=$?
            rm -rf "$d"
            if [ $rc = 77 ] && head -n 1 "$work/$name.$kind.$run.out" | grep -q '^SKIP:'; then
                # needs a privilege this run lacks (caps.h): nothing to compare
                echo "skip $name: $kind run $run: $(head -n 1 "$work/$name.$kind.$run.out")"
                rm -f "$work/$name.$kind.$run.out"
                continue
            fi
            echo "exit: $rc" >>"$work/$name.$kind.$run.out"
            if [ $rc -ne 0 ]; then echo "FAIL $name: $kind run $run exit $rc"; ok=0; fi
        done
    done
    base=
    for o in "$work/$name.static.1.out" "$work/$name.static.2.out" "$work/$name.dynamic.1.out" "$work/$name.dynamic.2.out"; do
        [ -z "$base" ] && [ -f "$o" ] && base=$o
    done
    for o in "$work/$name.static.2.out" "$work/$name.dynamic.1.out" "$work/$name.dynamic.2.out"; do
        if [ -f "$base" ] && [ -f "$o" ] && ! cmp -s "$base" "$o"; then
            echo "FAIL $name: output differs ($(basename "$o"))"
            diff "$base" "$o" | head -20
            ok=0
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    if [ "${VERBOSE:-0}" = 1 ] && [ -f "$base" ]; then echo "== $name"; cat "$base"; fi
done
echo "diff host check: $pass passed, $fail failed"
[ $fail -eq 0 ]
