# Busybox scenario for Rill: run with busybox sh in an empty temp dir, PATH
# holding only busybox applets. The output must be deterministic (no pids,
# times, host names or sizes that depend on the file system); mask.sed
# masks anything that might still slip through.
# Applets used: ls cat cp mv rm mkdir rmdir ln find grep egrep fgrep sed awk
# sort uniq wc head tail tr cut tee tar gzip gunzip zcat bzip2 bzcat md5sum
# sha1sum sha256sum sha512sum base64 xxd od hexdump ps kill sleep date env
# xargs seq printf echo test [ expr basename dirname readlink realpath stat
# touch chmod du yes true false timeout nl rev paste diff cmp mktemp which
# id whoami uname tac fold factor truncate dd sh.

section() { echo "== $1"; }
umask 022

section "files"
mkdir -p d/sub/deep
echo hello > d/a.txt
printf 'line1\nline2\nline3\n' > d/b.txt
cp d/a.txt d/c.txt
mv d/c.txt d/sub/moved.txt
ln -s ../a.txt d/sub/link
ln d/b.txt d/hard
ls d
ls -1 d/sub | sort
cat d/sub/link
readlink d/sub/link
basename "$(realpath d/sub/link)"
stat -c '%s %a %F %h' d/b.txt
stat -c '%F' d/sub/link
chmod 751 d/a.txt
stat -c '%a' d/a.txt
TZ=UTC0 touch -t 202001020304.05 d/a.txt
stat -c '%Y' d/a.txt
# "fixed:" lines are exempt from the mask (tests/busybox/mask.sed): these dates and times
# are the same on every machine, and a wrong clock conversion must show.
echo "fixed: $(TZ=UTC0 date -u -d @0 '+%Y-%m-%d %H:%M:%S')"
echo "fixed: $(TZ=UTC0 date -u -d @1700000000 '+%A %d %B %Y %H:%M:%S')"
echo "fixed: $(TZ=UTC0 date -u -d @1700000000 '+%F %T %s')"
echo "fixed: $(TZ=UTC0 date -u -d '2020-02-29 12:34:56' '+%s %j %u')"
[ "$(date +%s)" -gt 1700000000 ] && echo "date plausible"
find d | sort
find d -type f -name '*.txt' | sort
find d -type l
du -s d >/dev/null && echo "du ok"
rm d/hard
rmdir d/sub/deep
rmdir d/sub 2>/dev/null || echo "rmdir non-empty failed"
ls d/sub | wc -l
t=$(mktemp)
[ -f "$t" ] && echo "mktemp made a file"
rm -f "$t"
tdir=$(mktemp -d)
[ -d "$tdir" ] && echo "mktemp -d made a dir"
rmdir "$tdir"
truncate -s 10 d/trunc
stat -c '%s' d/trunc
dd if=/dev/zero of=d/zero bs=512 count=4 2>/dev/null
wc -c < d/zero
cmp d/a.txt d/sub/moved.txt && echo "same content"
echo hullo > d/other
cmp d/a.txt d/other
echo "cmp status $?"

section "text"
printf 'banana\napple\ncherry\napple\nbanana\napple\n' > fruits
sort fruits | uniq -c | sort -rn
sort -u fruits | tr '\n' ' '; echo
wc -l fruits
wc -w < fruits
grep -n an fruits
grep -c apple fruits
grep -v a fruits || echo "grep -v found nothing"
egrep 'ch|ba' fruits | head -n 2
fgrep -x apple fruits | wc -l
sed -n '2,3p' fruits
sed 's/a/A/g; s/^/> /' fruits | tail -n 2
awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' fruits | sort
awk -F: 'BEGIN { OFS="-" } { print $2, $1 }' <<'END'
a:b
c:d
END
echo 'one two three' | awk '{ print NF, $2, length($0) }'
seq 1 10 | awk '{ s += $1 } END { print "sum", s }'
echo 'a,b,c' | cut -d, -f2
echo 'abcdef' | cut -c2-4
echo 'Hello World' | tr 'a-z' 'A-Z'
echo 'hello' | tr -d l
echo 'aaabbb' | tr -s ab
printf 'x\ny\n' | tee teed | wc -l
cat teed
head -c 3 fruits; echo
tail -c 7 fruits
seq 20 | head -n 3 | tr '\n' ' '; echo
seq 20 | tail -n 2
seq 5 -1 1 | tr '\n' ' '; echo
seq -s, 3
printf 'b\na\n' | nl
echo abc | rev
seq 4 > n1
printf 'w\nx\ny\nz\n' > n2
paste n1 n2
paste -s -d+ n1
tac n1 | tr '\n' ' '; echo
echo 'abcdefghij' | fold -w 4
factor 360
printf 'AB\n' | od -An -tx1
printf 'AB\n' | hexdump -C
printf 'AB' | xxd
echo 'rill test' | base64
echo 'cmlsbCB0ZXN0Cg==' | base64 -d
printf 'one\ntwo\n' > f1
printf 'one\nTWO\n' > f2
diff f1 f2 > /dev/null; echo "diff status $?"
diff -u f1 f2 | tail -n +3
diff f1 f1 && echo "no diff"

section "checksums"
printf 'The quick brown fox\n' > q
md5sum q
sha1sum q
sha256sum q
sha512sum q | cut -c1-32
md5sum q > q.md5
md5sum -c q.md5

section "archives"
mkdir -p arc/in
echo alpha > arc/in/1
echo beta > arc/in/2
tar cf arc.tar arc
tar tf arc.tar | sort
mkdir out
tar xf arc.tar -C out
cat out/arc/in/1 out/arc/in/2
gzip -c arc.tar > arc.tar.gz
gunzip -c arc.tar.gz | tar tf - | sort | tail -n 1
[ "$(zcat arc.tar.gz | md5sum)" = "$(md5sum < arc.tar)" ] && echo "gzip roundtrip identical"
gzip -c q | gunzip | md5sum
tar czf arc2.tgz arc
tar tzf arc2.tgz | wc -l
gzip fruits
ls fruits*
gunzip fruits.gz
wc -l < fruits
bzip2 -c n1 | bzcat | tr '\n' ' '; echo

section "processes"
id -u
id -g
whoami
uname -s
env -i A=1 B=two env | sort
env -i X=y sh -c 'echo "X is $X"'
which ls >/dev/null && echo "which finds ls"
which nonexistent_cmd_q || echo "which: not found status $?"
true && echo "true ok"
false || echo "false status $?"
yes abc | head -n 2
seq 10 | xargs echo
seq 6 | xargs -n 2 echo pair
printf 'a b\nc\n' | xargs printf '<%s>'; echo
timeout 1 sleep 5
echo "timeout status $?"
timeout 5 true && echo "timeout passthrough ok"
sleep 0.1 && echo "slept"
sleep 10 &
sp=$!
ps -o pid,comm | awk -v p="$sp" '$1 == p { print "ps sees the job" }'  # not its name: exec may not have happened yet
kill -0 "$sp" && echo "kill -0 ok"
kill "$sp"
wait "$sp" 2>/dev/null   # busybox may or may not print "Terminated" here (a race in the shell)
echo "killed sleep status $?"
kill -0 "$sp" 2>/dev/null || echo "gone after kill"

section "shell"
f() { echo "f got $# args: $*"; return 3; }
f a "b c"
echo "f returned $?"
fact() { if [ "$1" -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
echo "fact 6 = $(fact 6)"
i=0
while [ $i -lt 3 ]; do i=$((i + 1)); printf '%s ' "w$i"; done; echo
for x in one two three; do printf '%s,' "$x"; done; echo
until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until done $i"
for w in apple 42 zz -x; do
    case $w in
        a*) echo "$w starts with a" ;;
        [0-9]*) echo "$w is a number" ;;
        -*) echo "$w is an option" ;;
        *) echo "$w is other" ;;
    esac
done
echo "arith: $((7 * 6)) $((17 % 5)) $((1 << 10)) $((-7 / 2)) $(( (3 + 4) * 2 ))"
echo "expr: $(expr 6 \* 7) $(expr length hello) $(expr substr abcdef 2 3)"
expr 1 = 2 || echo "expr false status $?"
test -d d && echo "test -d"
[ -f d/a.txt ] && [ ! -e nope ] && echo "test -f and ! -e"
[ abc = abc ] && [ 3 -lt 10 ] && [ -n "x" ] && [ -z "" ] && echo "test strings and numbers"
v="outer"
( v="inner"; echo "subshell sees $v" )
echo "parent keeps $v"
{ echo grouped1; echo grouped2; } > grouped
cat grouped
echo first > r
echo second >> r
cat r
cat < r | wc -l
ls nonexistent_q 2>&1 | sed 's/^ls: //'
ls nonexistent_q > /dev/null 2> err
sed 's/^ls: //' err
echo "to stderr" >&2 2>/dev/null
sh -c 'echo "stderr line" >&2' 2>&1 | cat
cat <<END
here-doc with expansion: $((2 + 3)) $v
END
cat <<'END'
quoted here-doc keeps $v and $(echo not run)
END
x=$(echo "nested $(echo "sub $(echo inner)")")
echo "$x"
set -- p1 p2 p3
echo "positional: $# $1 $3"
shift
echo "after shift: $*"
s="a:b:c"
old_ifs=$IFS; IFS=:
set -- $s
IFS=$old_ifs
echo "split: $# $2"
echo "param ops: ${s%%:*} ${s#*:} ${#s} ${unset_var:-default}"
( set -e; false; echo "not reached" )
echo "set -e subshell status $?"
( exit 7 ); echo "subshell exit $?"
(sleep 0.1; exit 3) &
bg=$!
wait $bg
echo "background job status $?"
(exit 4) & (exit 5) &
wait
echo "wait all done"
trap 'echo "got USR1"' USR1
kill -USR1 $$
echo "after self signal"
trap - USR1
(trap 'echo "subshell EXIT trap"' EXIT; echo "in subshell")
sh -c 'trap "echo child TERM trap; exit 9" TERM; kill -TERM $$; echo unreachable'
echo "child trap exit $?"
sh -c 'exit 300'
echo "exit 300 -> $?"
sh -c 'kill -9 $$'
echo "killed shell status $?"
echo "pipeline status: $(false | true; echo $?)"
! false && echo "negation ok"
read_test() { while read -r a b; do echo "read a=$a b=$b"; done; }
printf 'x y z\n1 2\n' | read_test
printf '%5s|%-5s|%03d|%x|%c\n' ab cd 7 255 zed
echo -n "no newline"; echo " then newline"
echo 'single $quoted' "double \$quoted"
trap 'echo "EXIT trap ran"' EXIT
echo "end of scenario"
