#!/usr/bin/env bash
# The diode side by side with ANSSI's lidi, whole processes on loopback, same files: one 60 MiB
# file, one 256 MiB file, 200 × 64 KiB, 2,000 × 1 KiB; 10 % repair on both; sekisho with its
# HMAC-SHA-256 on every datagram (it cannot be turned off). Each run times the send from its
# start to every file in place in the receiver's directory (a fresh receiver per run, started
# before the clock). Runs alternate (sekisho, lidi, sekisho, …) so drift on a shared machine hits
# both alike; the figures are medians and the ratios are of medians (above 1: sekisho is faster).
#
# lidi is GPL and is never part of this repository: build it elsewhere (`git clone
# https://github.com/ANSSI-FR/lidi && cargo build --release`, tested with 2.1.1) and point
# LIDI_DIR at the directory holding its binaries (diode-send, diode-receive, diode-send-file,
# diode-receive-file). Without LIDI_DIR the lidi column is skipped, with a message saying so.
#
# lidi's chain (2.1.1, checked against each binary's --help): diode-send-file → TCP →
# diode-send → UDP → diode-receive → TCP → diode-receive-file, one TCP connection (one lidi
# "client", a transfer of its own) per file; `--repair 10` on both diode-send and
# diode-receive (the percentage of RaptorQ repair data; both ends must agree), every other
# setting at its default (block 734,928 bytes, MTU 1500, 2 clients, 1 encode/decode thread).
# lidi writes a file under its final name from its first byte, so its clock stops when
# diode-receive-file has logged "file received" once per file (the file is complete and
# flushed, not synced: lidi never syncs), not when the names appear. Each command line can be
# replaced: LIDI_SEND_ARGS, LIDI_RECV_ARGS, LIDI_SEND_FILE_ARGS, LIDI_RECV_FILE_ARGS
# (placeholders @UDP@, @IN_TCP@, @OUT_TCP@, @DIR@ are substituted).
#
# Usage: [RUNS=5] [LIDI_DIR=/path/to/lidi/target/release] [SEKISHO_RATE=bytes/s]
#        [WORKLOADS="60m 256m 64k 1k"] [SPOOL_BASE=/dev/shm] [BASE_BIN=/path/to/older/sekisho]
#        scripts/bench-diode-peers.sh
# BASE_BIN adds a third tool to the alternation, another sekisho build (say main's, copied
# elsewhere before a change), with its own line ("base") and the ratio of sekisho to it.
# WORKLOADS may also name 1k20k (20,000 × 1 KiB: messages per second end to end, issue 18's
# 30,000 messages/s goal).
# SPOOL_BASE puts both receivers' output directories elsewhere (a tmpfs takes the disk's syncs
# out of the figures: the receivers make every file durable before it is visible).
# Output: one line per workload and tool (median seconds, Mbit/s of file data, files/s, and the
# median CPU seconds, user + system, of all the tool's processes together: on a shared machine
# a tool with more threads gets more of it, so read the wall clock with the CPU), then the ratio.
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
# Wait until `dir` holds `n` files (at most SEKISHO_TIMEOUT, 300 s); the time it took is the
# caller's clock.
wait_files() {
  local dir=$1 n=$2 deadline=$(( $(date +%s) + ${SEKISHO_TIMEOUT:-300} ))
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
    1k20k) head -c $((20000 * 1024)) /dev/urandom | split -b 1024 -a 5 - "$dir/m" ;;
    *) echo "unknown workload $name" >&2; exit 2 ;;
  esac
}

head -c 32 /dev/urandom > "$work/key"

# CPU milliseconds (user + system) a running process has used so far.
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{printf "%d\n", ($14 + $15) * 1000 / t}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU milliseconds of a finished process timed with `/usr/bin/time -f '%U %S' -o FILE`.
time_ms() { awk '{printf "%d\n", ($1 + $2) * 1000}' "$1"; }

run_sekisho() { # dir [binary] → "nanoseconds cpu-milliseconds" (CPU of both processes together)
  local src=$1 n=$2 bin=${3:-$bin} into="${SPOOL_BASE:-$work}/rx-$RANDOM$RANDOM" port; port=$(free_port)
  "$bin" receive --listen "127.0.0.1:$port" --into "$into" --key "$work/key" --sandbox off \
    > /dev/null 2> "$work/sekisho-rx.log" &
  local rx=$!; pids+=("$rx")
  wait_udp "$port"
  local t; t=$(now)
  # The sender ends with two heartbeats 200 ms apart; the clock stops when the files are in
  # place, not when it exits.
  /usr/bin/time -f '%U %S' -o "$work/tx.time" "$bin" send --to "127.0.0.1:$port" --overhead 10 \
    ${SEKISHO_RATE:+--rate "$SEKISHO_RATE"} --key "$work/key" "$src" > /dev/null 2> "$work/sekisho-tx.log" &
  local tx=$!
  if ! wait_files "$into" "$n"; then
    # Unpaced, a sender can outrun its receiver past the kernel's buffer and repair: the
    # message is lost (the receiver's ledger says so). Counted, not timed.
    echo lost
    grep -h 'lost\|counters' "$work/sekisho-rx.log" | tail -n 2 >&2 || true
    wait "$tx" || true
    kill "$rx"; wait "$rx" 2>/dev/null || true
    rm -rf "$into" "$into.diode-audit.jsonl"
    return 0
  fi
  local ns=$(( $(now) - t ))
  wait "$tx"
  echo "$ns $(( $(cpu_ms "$rx") + $(time_ms "$work/tx.time") ))"
  kill "$rx"; wait "$rx" 2>/dev/null || true
  rm -rf "$into" "$into.diode-audit.jsonl"
}

subst() { sed -e "s|@UDP@|$1|g" -e "s|@IN_TCP@|$2|g" -e "s|@OUT_TCP@|$3|g" -e "s|@DIR@|$4|g" <<< "$5"; }

# Wait until lidi's file receiver has logged `n` finished files (at most LIDI_TIMEOUT, 300 s);
# fail at once when lidi logs a lost block.
wait_lidi_files() {
  local log=$1 n=$2 deadline=$(( $(date +%s) + ${LIDI_TIMEOUT:-300} ))
  while [ "$(grep -c 'file received' "$log" 2>/dev/null || true)" -lt "$n" ]; do
    if grep -qs 'lost block\|failed to receive file' "$work/lidi-r.log" "$log"; then
      echo "lidi: lost a block; files lost in this run:" >&2
      grep -hs 'lost block\|failed to receive file' "$work/lidi-r.log" "$log" | head -n 3 >&2
      return 1
    fi
    if [ "$(date +%s)" -gt "$deadline" ]; then
      echo "lidi: timed out waiting for $n files; its logs:" >&2
      tail -n 5 "$work"/lidi-*.log >&2
      return 1
    fi
    sleep 0.005
  done
}

run_lidi() {
  local src=$1 n=$2 into="${SPOOL_BASE:-$work}/lidi-$RANDOM$RANDOM" udp in_tcp out_tcp
  mkdir -p "$into"
  udp=$(free_port); in_tcp=$(free_port); out_tcp=$(free_port)
  local recv_file_args recv_args send_args send_file_args
  recv_file_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_RECV_FILE_ARGS:---from-tcp 127.0.0.1:@OUT_TCP@ @DIR@}")
  recv_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_RECV_ARGS:---from 127.0.0.1:@UDP@ --to-tcp 127.0.0.1:@OUT_TCP@ --repair 10}")
  send_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_SEND_ARGS:---from-tcp 127.0.0.1:@IN_TCP@ --to 127.0.0.1:@UDP@ --repair 10}")
  send_file_args=$(subst "$udp" "$in_tcp" "$out_tcp" "$into" \
    "${LIDI_SEND_FILE_ARGS:---to-tcp 127.0.0.1:@IN_TCP@}")
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-receive-file" $recv_file_args > "$work/lidi-rf.log" 2>&1 &
  local rf=$!; pids+=("$rf")
  wait_tcp "$out_tcp"
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-receive" $recv_args > "$work/lidi-r.log" 2>&1 &
  local r=$!; pids+=("$r")
  wait_udp "$udp"
  # shellcheck disable=SC2086
  "$LIDI_DIR/diode-send" $send_args > "$work/lidi-s.log" 2>&1 &
  local s=$!; pids+=("$s")
  wait_tcp "$in_tcp"
  local t; t=$(now)
  # shellcheck disable=SC2086
  /usr/bin/time -f '%U %S' -o "$work/sf.time" "$LIDI_DIR/diode-send-file" $send_file_args "$src"/* \
    > "$work/lidi-sf.log" 2>&1 &
  local sf=$!
  if ! wait_lidi_files "$work/lidi-rf.log" "$n"; then
    # lidi has no retransmission: a block it could not decode (UDP lost past its repair
    # symbols) is files lost for good. Counted, not timed.
    echo lost
    kill "$s" "$r" "$rf" "$sf" 2>/dev/null || true
    wait "$s" "$r" "$rf" "$sf" 2>/dev/null || true
    rm -rf "$into"
    return 0
  fi
  local ns=$(( $(now) - t ))
  wait "$sf" || true
  echo "$ns $(( $(cpu_ms "$s") + $(cpu_ms "$r") + $(cpu_ms "$rf") + $(time_ms "$work/sf.time") ))"
  local got; got=$(count_files "$into")
  [ "$got" -eq "$n" ] || { echo "lidi: $got of $n files in $into" >&2; return 1; }
  kill "$s" "$r" "$rf" 2>/dev/null || true
  wait "$s" "$r" "$rf" 2>/dev/null || true
  rm -rf "$into"
}

printf '%-8s %-8s %10s %12s %12s %10s\n' workload tool median_s Mbit/s files/s cpu_s
for w in $workloads; do
  make_workload "$w"
  src="$work/src-$w"
  n=$(count_files "$src")
  bytes=$(du -sb "$src" | cut -f1)
  : > "$work/s.t"; : > "$work/l.t"; : > "$work/b.t"
  echo "$w: load average before $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for _ in $(seq "$runs"); do
    run_sekisho "$src" "$n" >> "$work/s.t"
    if $have_lidi; then run_lidi "$src" "$n" >> "$work/l.t"; fi
    if [ -n "${BASE_BIN:-}" ]; then run_sekisho "$src" "$n" "$BASE_BIN" >> "$work/b.t"; fi
  done
  for f in s b; do
    lost=$(grep -c '^lost' "$work/$f.t" || true)
    sed -i '/^lost/d' "$work/$f.t"
    if [ "$lost" -gt 0 ]; then
      echo "$w $([ $f = s ] && echo sekisho || echo base) lost a message in $lost of $runs runs (not timed; the figures are of the others)"
    fi
  done
  echo "$w: load average after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  ms=$(cut -d' ' -f1 "$work/s.t" | median); cs=$(cut -d' ' -f2 "$work/s.t" | median)
  awk -v w="$w" -v t="$ms" -v b="$bytes" -v n="$n" -v c="$cs" \
    'BEGIN {s=t/1e9; printf "%-8s %-8s %10.3f %12.0f %12.0f %10.2f\n", w, "sekisho", s, b*8/s/1e6, n/s, c/1e3}'
  lost=$(grep -c '^lost' "$work/l.t" || true)
  sed -i '/^lost/d' "$work/l.t"
  if $have_lidi && [ "$lost" -gt 0 ]; then
    echo "$w lidi lost files in $lost of $runs runs (not timed; the figures are of the others)"
  fi
  if $have_lidi && [ -s "$work/l.t" ]; then
    ml=$(cut -d' ' -f1 "$work/l.t" | median); cl=$(cut -d' ' -f2 "$work/l.t" | median)
    awk -v w="$w" -v t="$ml" -v b="$bytes" -v n="$n" -v c="$cl" \
      'BEGIN {s=t/1e9; printf "%-8s %-8s %10.3f %12.0f %12.0f %10.2f\n", w, "lidi", s, b*8/s/1e6, n/s, c/1e3}'
    awk -v w="$w" -v a="$ms" -v b="$ml" -v x="$cs" -v y="$cl" \
      'BEGIN {printf "%-8s ratio    sekisho is %.2fx lidi (wall clock); CPU per run %.3fx lidi'"'"'s\n", w, b/a, (y > 0 ? x/y : 0)}'
  fi
  if [ -s "$work/b.t" ]; then
    mb=$(cut -d' ' -f1 "$work/b.t" | median); cb=$(cut -d' ' -f2 "$work/b.t" | median)
    awk -v w="$w" -v t="$mb" -v b="$bytes" -v n="$n" -v c="$cb" \
      'BEGIN {s=t/1e9; printf "%-8s %-8s %10.3f %12.0f %12.0f %10.2f\n", w, "base", s, b*8/s/1e6, n/s, c/1e3}'
    awk -v w="$w" -v a="$ms" -v b="$mb" -v x="$cs" -v y="$cb" \
      'BEGIN {printf "%-8s ratio    sekisho is %.2fx base (wall clock); CPU per run %.3fx base'"'"'s\n", w, b/a, (y > 0 ? x/y : 0)}'
  fi
  rm -rf "$src"
done
