#!/usr/bin/env bash
# `sekisho filter` on the shipped policy against its peers, whole process, same file, side by side:
# serde_json alone (Value parse + to_vec, no policy: examples/serde_json_peer.rs) and, when jq is
# installed, a one-rule jq TLP filter (drop objects marked TLP:RED). Runs alternate (sekisho,
# serde_json, jq, sekisho, …) so that drift on a shared machine hits all alike; the figures are
# medians, and the ratios are of medians.
# With IR=1 (and valgrind installed) each program also runs once under callgrind, and the
# instructions it executed are compared: a figure the neighbours on a shared machine cannot move.
# SEKISHO=path runs another sekisho binary (a copy built at an earlier commit, for a before/after);
# nothing is built then, the examples must be there already.
# Usage: [RUNS=11] [BYTES=5200000] [IR=1] [SEKISHO=bin] scripts/bench-peers.sh [FILE...]   (default: a generated bundle
# and, when present, ../shared/corpora/stix/attack/ics-attack-18.1.json)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-11}"
[ -n "${SEKISHO:-}" ] || cargo build --release --quiet --bin sekisho --example serde_json_peer --example make_peer_bundle
bin="${SEKISHO:-target/release/sekisho}"
peer=target/release/examples/serde_json_peer
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  target/release/examples/make_peer_bundle "${BYTES:-5200000}" > "$work/generated.json"
  files=("$work/generated.json")
  ics=../shared/corpora/stix/attack/ics-attack-18.1.json
  [ -f "$ics" ] && files+=("$ics")
fi
# The shipped policy, with limits large enough for whole ATT&CK releases.
sed 's/^\[xml\]$/[limits]\nmax_input_bytes = 268435456\n\n[xml]/' policies/us-to-jpn.toml > policies/.bench-peers.toml
trap 'rm -rf "$work" policies/.bench-peers.toml' EXIT
policy=policies/.bench-peers.toml
red='marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for f in "${files[@]}"; do
  size=$(stat -c %s "$f")
  : > "$work/sekisho.t"; : > "$work/serde.t"; : > "$work/jq.t"
  for _ in $(seq "$runs"); do
    t=$(now); "$bin" filter --policy "$policy" "$f" > /dev/null 2>&1 || true; echo $(( $(now) - t )) >> "$work/sekisho.t"
    t=$(now); "$peer" "$f" > /dev/null; echo $(( $(now) - t )) >> "$work/serde.t"
    if $have_jq; then
      t=$(now); jq -c --arg red "$red" '.objects |= map(select(((.object_marking_refs // []) | index($red)) | not))' "$f" > /dev/null
      echo $(( $(now) - t )) >> "$work/jq.t"
    fi
  done
  s=$(median < "$work/sekisho.t"); p=$(median < "$work/serde.t")
  echo "== $(basename "$f") ($size bytes, $runs runs each, alternating; medians)"
  awk -v s="$s" -v p="$p" -v n="$size" 'BEGIN {
    printf "sekisho filter (us-to-jpn)      %8.1f ms  %7.1f MB/s\n", s/1e6, n/(s/1e9)/1e6;
    printf "serde_json Value parse + to_vec %8.1f ms  %7.1f MB/s\n", p/1e6, n/(p/1e9)/1e6;
    printf "sekisho / serde_json speed      %8.2fx (goal >= 1.0x)\n", p/s }'
  if $have_jq; then
    j=$(median < "$work/jq.t")
    awk -v s="$s" -v j="$j" -v n="$size" 'BEGIN {
      printf "jq one-rule TLP filter          %8.1f ms  %7.1f MB/s\n", j/1e6, n/(j/1e9)/1e6;
      printf "sekisho / jq speed              %8.2fx (goal >= 3.0x)\n", j/s }'
  else
    echo "jq is not installed: its column is left out"
  fi
  if [ "${IR:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    ir() { { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
    is=$(ir "$bin" filter --policy "$policy" "$f"); ip=$(ir "$peer" "$f")
    awk -v s="$is" -v p="$ip" 'BEGIN {
      printf "instructions: sekisho %.0fM, serde_json %.0fM: as a speed, sekisho / serde_json %.2fx\n", s/1e6, p/1e6, p/s }'
    if $have_jq; then
      ij=$(ir jq -c --arg red "$red" '.objects |= map(select(((.object_marking_refs // []) | index($red)) | not))' "$f")
      awk -v s="$is" -v j="$ij" 'BEGIN { printf "instructions: jq %.0fM: as a speed, sekisho / jq %.2fx\n", j/1e6, j/s }'
    fi
  fi
done
