#!/usr/bin/env bash
# Two builds of `sekisho filter` side by side, whole process, same files, same policy (the
# shipped us-to-jpn with limits large enough for whole ATT&CK releases): runs alternate
# (old, new, old, new, …) so that drift on a shared machine hits both alike; the figures are
# medians, the ratios are of medians (new / old: below 1 the new build is faster). Wall time and
# CPU time (task-clock, from `perf stat`) are both shown: on a loaded machine wall time says
# more about the neighbours than about the build.
# Build the old one elsewhere, e.g. `git archive COMMIT | tar -x -C /tmp/old && cd /tmp/old &&
# cargo build --release`.
# OLD_POLICY: the old build's own shipped policy, when the policy format changed in between
# (the rules as shipped then; default: the same file as the new build).
# Usage: [RUNS=11] [POLICY=policies/us-to-jpn.toml] [OLD_POLICY=...] scripts/bench-compare.sh OLD_BIN NEW_BIN FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 OLD_BIN NEW_BIN FILE..." >&2; exit 2; }
old="$1"; new="$2"; shift 2
runs="${RUNS:-11}"
work="$(mktemp -d)"
policy_src="${POLICY:-policies/us-to-jpn.toml}"
policy="$(dirname "$policy_src")/.bench-compare.toml"
big() { sed 's/^\[xml\]$/[limits]\nmax_input_bytes = 268435456\n\n[xml]/' "$1"; }
big "$policy_src" > "$policy"
old_policy="$policy"
if [ -n "${OLD_POLICY:-}" ]; then
  old_policy="$(dirname "$OLD_POLICY")/.bench-compare-old.toml"
  big "$OLD_POLICY" > "$old_policy"
fi
trap 'rm -rf "$work" "$policy" "$old_policy"' EXIT
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for f in "$@"; do
  size=$(stat -c %s "$f")
  "$old" filter --policy "$old_policy" "$f" > "$work/old.out" 2>/dev/null || true
  "$new" filter --policy "$policy" "$f" > "$work/new.out" 2>/dev/null || true
  same=yes; cmp -s "$work/old.out" "$work/new.out" || same=no
  : > "$work/old.t"; : > "$work/new.t"; : > "$work/old.c"; : > "$work/new.c"
  run() { # BIN POLICY NAME
    t=$(now)
    perf stat -x, -e task-clock -o "$work/cpu" "$1" filter --policy "$2" "$f" > /dev/null 2>&1 || true
    echo $(( $(now) - t )) >> "$work/$3.t"
    awk -F, '/task-clock/ {printf "%d\n", $1 * 1e6}' "$work/cpu" >> "$work/$3.c"
  }
  for _ in $(seq "$runs"); do
    run "$old" "$old_policy" old
    run "$new" "$policy" new
  done
  o=$(median < "$work/old.t"); n=$(median < "$work/new.t")
  oc=$(median < "$work/old.c"); nc=$(median < "$work/new.c")
  echo "== $(basename "$f") ($size bytes, $runs runs each, alternating; medians; same output: $same; load $(cut -d' ' -f1 /proc/loadavg))"
  awk -v o="$o" -v n="$n" -v oc="$oc" -v nc="$nc" -v s="$size" 'BEGIN {
    printf "old  wall %8.1f ms  %7.1f MB/s   cpu %8.1f ms\n", o/1e6, s/(o/1e9)/1e6, oc/1e6;
    printf "new  wall %8.1f ms  %7.1f MB/s   cpu %8.1f ms\n", n/1e6, s/(n/1e9)/1e6, nc/1e6;
    printf "new / old: wall %5.2fx   cpu %5.2fx\n", n/o, nc/oc }'
done
