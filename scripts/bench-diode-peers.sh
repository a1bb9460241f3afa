#!/usr/bin/env bash
# The diode side by side with ANSSI's lidi, whole processes on loopback, same files: one 60 MiB
# file, one 256 MiB file, 200 × 64 KiB, 2,000 × 1 KiB; 10 % repair on both; sekisho with its
# HMAC-SHA-256 on every datagram (it cannot be turned off). Each run times the send from its
# start to every file in place in the receiver's directory (a fresh receiver per run, started
# before the clock). Runs alternate (sekisho, lidi, sekisho, …) so drift on a shared machine hits
# both alike; the figures are medians and the ratios are of medians (above 1: sekisho is faster).
#
# lidi is GPL and is never part of this repository: build it elsewhere and point LIDI_DIR at the
# directory holding its binaries (diode-send, diode-receive, diode-send-file, diode-receive-file).
# Without LIDI_DIR the lidi column is skipped, with a message saying so.
#
# lidi's command lines below follow its README (TCP in → diode-send → UDP → diode-receive → TCP
# out, with the file client/server at both ends); its flags changed between releases, so each one
# can be replaced: LIDI_SEND_ARGS, LIDI_RECV_ARGS, LIDI_SEND_FILE_ARGS, LIDI_RECV_FILE_ARGS
# (placeholders @UDP@, @IN_TCP@, @OUT_TCP@, @DIR@ are substituted).
#
# Usage: [RUNS=5] [LIDI_DIR=/path/to/lidi/target/release] [SEKISHO_RATE=bytes/s]
#        [WORKLOADS="60m 256m 64k 1k"] [SPOOL_BASE=/dev/shm] scripts/bench-diode-peers.sh
# SPOOL_BASE puts both receivers' output directories elsewhere (a tmpfs takes the disk's syncs
# out of the figures: the receivers make every file durable before it is visible).
# Output: one line per workload and tool (median seconds, Mbit/s of file data, files/s), then
# the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
workloads="${WORKLOADS:-60m 256m 64k 1k}"
bin="${SEKISHO_BIN:-target/release/sekisho}"
if [ -z "${SEKISHO_BIN:-}" ]; then
  cargo build --release --quiet --bin sekisho
fi
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

have_lidi=false
if [ -n "${LIDI_DIR:-}" ] && [ -x "$LIDI_DIR/diode-send" ] && [ -x "$LIDI_DIR/diode-receive" ] \
  && [ -x "$LIDI_DIR/diode-send-file" ] && [ -x "$LIDI_DIR/diode-receive-file" ]; then
  have_lidi=true
else
  echo "lidi: skipped (set LIDI_DIR to a directory with lidi's diode-send, diode-receive," \
    "diode-send-file and diode-receive-file built outside this repository)" >&2
fi

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
count_files() { find "$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l; }
# Wait until `dir` holds `n` files (at most 300 s); the time it took is the caller's clock.
wait_files() {
  local dir=$1 n=$2 deadline=$(( $(date +%s) + 300 ))
  while [ "$(count_files "$dir")" -lt "$n" ]; do
    [ "$(date +%s)" -gt "$deadline" ] && { echo "timed out waiting for $n files in $dir" >&2; return 1; }
    sleep 0.005
  done
}
wait_udp() { # until something listens on UDP port $1
  local hex; hex=$(printf ':%04X ' "$1")
  for _ in $(seq 500); do grep -q "$hex" /proc/net/udp && return 0; sleep 0.01; done
  return 1
}
wait_tcp() {
  local hex; hex=$(printf ':%04X ' "$1")
  for _ in $(seq 500); do grep -q "$hex" /proc/net/tcp && return 0; sleep 0.01; done
  return 1
}

# Workload files: random bytes (no compression anywhere can help either tool).
make_workload() {
  local name=$1 dir="$work/src-$1"
  mkdir -p "$dir"
  case "$name" in
    60m) head -c $((60 << 20)) /dev/urandom > "$dir/file-60m" ;;
    256m) head -c $((256 << 20)) /dev/urandom > "$dir/file-256m" ;;
    64k) head -c $((200 * 65536)) /dev/urandom | split -b 65536 -a 3 - "$dir/m" ;;
    1k) head -c $((2000 * 1024)) /dev/urandom | split -b 1024 -a 4 - "$dir/m" ;;
    *) echo "unknown workload $name" >&2; exit 2 ;;
  esac
}

head -c 32 /dev/urandom > "$work/key"

run_sekisho() { # dir → nanoseconds
  local src=$1 n=$2 into="${SPOOL_BASE:-$work}/rx-$RANDOM$RANDOM" port; port=$(free_port)
  "$bin" receive --listen "127.0.0.1:$port" --into "$into" --key "$work/key" --sandbox off \
    > /dev/null 2> "$work/sekisho-rx.log" &
  local rx=$!; pids+=("$rx")
  wait_udp "$port"
  local t; t=$(now)
  # The sender ends with two heartbeats 200 ms apart; the clock stops when the files are in
  # place, not when it exits.
  "$bin" send --to "127.0.0.1:$port" --overhead 10 ${SEKISHO_RATE:+--rate "$SEKISHO_RATE"} \
    --key "$work/key" "$src" > /dev/null 2> "$work/sekisho-tx.log" &
  local tx=$!
  wait_files "$into" "$n"
  echo $(( $(now) - t ))
  wait "$tx"
  kill "$rx"; wait "$rx" 2>/dev/null || true
  rm -rf "$into" "$into.diode-audit.jsonl"
}

subst() { sed -e "s|@UDP@|$1|g" -e "s|@IN_TCP@|$2|g" -e "s|@OUT_TCP@|$3|g" -e "s|@DIR@|$4|g" <<< "$5"; }

run_lidi() {
  local src=$1 n=$2 into="${SPOOL_BASE:-$work}/lidi-$RANDOM$RANDOM" udp in_tcp out_tcp
  mkdir -p "$into"
  udp=$(free_port); in_tcp=$(free_port); out_tcp=$(free_port)
  # 10 % repair: repair block = encoding block / 10.
  local recv_file_args recv_args send_args send_file_args
  recv_file_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_RECV_FILE_ARGS:---from_tcp 127.0.0.1:@OUT_TCP@ --output_directory @DIR@}")
  recv_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_RECV_ARGS:---from_udp 127.0.0.1:@UDP@ --to_tcp 127.0.0.1:@OUT_TCP@ --encoding_block_size 60000 --repair_block_size 6000}")
  send_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_SEND_ARGS:---from_tcp 127.0.0.1:@IN_TCP@ --to_udp 127.0.0.1:@UDP@ --encoding_block_size 60000 --repair_block_size 6000}")
  send_file_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_SEND_FILE_ARGS:---to_tcp 127.0.0.1:@IN_TCP@}")
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-receive-file" $recv_file_args > "$work/lidi-rf.log" 2>&1 & pids+=("$!"); local rf=$!
  wait_tcp "$out_tcp"
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-receive" $recv_args > "$work/lidi-r.log" 2>&1 & pids+=("$!"); local r=$!
  wait_udp "$udp"
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-send" $send_args > "$work/lidi-s.log" 2>&1 & pids+=("$!"); local s=$!
  wait_tcp "$in_tcp"
  local t; t=$(now)
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-send-file" $send_file_args "$src"/* > "$work/lidi-sf.log" 2>&1 &
  local sf=$!
  wait_files "$into" "$n"
  echo $(( $(now) - t ))
  wait "$sf" || true
  kill "$s" "$r" "$rf" 2>/dev/null || true
  wait "$s" "$r" "$rf" 2>/dev/null || true
  rm -rf "$into"
}

printf '%-8s %-8s %10s %12s %12s\n' workload tool median_s Mbit/s files/s
for w in $workloads; do
  make_workload "$w"
  src="$work/src-$w"
  n=$(count_files "$src")
  bytes=$(du -sb "$src" | cut -f1)
  : > "$work/s.t"; : > "$work/l.t"
  for _ in $(seq "$runs"); do
    run_sekisho "$src" "$n" >> "$work/s.t"
    if $have_lidi; then run_lidi "$src" "$n" >> "$work/l.t"; fi
  done
  ms=$(median < "$work/s.t")
  awk -v w="$w" -v t="$ms" -v b="$bytes" -v n="$n" \
    'BEGIN {s=t/1e9; printf "%-8s %-8s %10.3f %12.0f %12.0f\n", w, "sekisho", s, b*8/s/1e6, n/s}'
  if $have_lidi; then
    ml=$(median < "$work/l.t")
    awk -v w="$w" -v t="$ml" -v b="$bytes" -v n="$n" \
      'BEGIN {s=t/1e9; printf "%-8s %-8s %10.3f %12.0f %12.0f\n", w, "lidi", s, b*8/s/1e6, n/s}'
    awk -v w="$w" -v a="$ms" -v b="$ml" 'BEGIN {printf "%-8s ratio    sekisho is %.2fx lidi\n", w, b/a}'
  fi
  rm -rf "$src"
done
