#!/usr/bin/env bash
# One large file through `sekisho send` → loopback → `sekisho receive` (release binary): the time
# from the send's start to the file in place, and the receiver's peak resident memory (VmHWM),
# which must stay under 256 MiB whatever the size (the receiver decodes large messages block by
# block into its spool, docs/diode-protocol.md §5.3). The test suite does the same with 300 MiB
# and the debug binary (tests/diode_cli.rs, `streams_a_300_mib_file_…`).
# Usage: [MIB=1024] [OVERHEAD=10] [RATE=bytes/s] scripts/bench-diode-big.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${MIB:-1024}"
bin="${SEKISHO_BIN:-target/release/sekisho}"
[ -n "${SEKISHO_BIN:-}" ] || cargo build --release --quiet --bin sekisho
work="$(mktemp -d)"
rx=""
trap '[ -n "$rx" ] && kill "$rx" 2>/dev/null; rm -rf "$work"' EXIT
head -c 32 /dev/urandom > "$work/key"
head -c $((mib << 20)) /dev/urandom > "$work/big"
want=$(sha256sum "$work/big" | cut -d' ' -f1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" receive --listen "127.0.0.1:$port" --into "$work/into" --key "$work/key" --sandbox off \
  > "$work/rx.json" 2> "$work/rx.log" &
rx=$!
hex=$(printf ':%04X ' "$port")
for _ in $(seq 500); do grep -q "$hex" /proc/net/udp && break; sleep 0.01; done
t0=$(date +%s%N)
/usr/bin/time -f '%M' -o "$work/tx.rss" "$bin" send --to "127.0.0.1:$port" --overhead "${OVERHEAD:-10}" \
  ${RATE:+--rate "$RATE"} --key "$work/key" "$work/big" > /dev/null
deadline=$(( $(date +%s) + 600 ))
until [ -f "$work/into/$want" ]; do
  [ "$(date +%s)" -gt "$deadline" ] && { echo "not delivered; receiver log:" >&2; tail -5 "$work/rx.log" >&2; exit 1; }
  sleep 0.01
done
t1=$(date +%s%N)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rx/status")
kill "$rx"; wait "$rx" || true; rx=""
awk -v m="$mib" -v t=$((t1 - t0)) -v h="$hwm" -v s="$(cat "$work/tx.rss")" 'BEGIN {
  printf "%d MiB in %.2f s: %.0f Mbit/s; receiver peak RSS %.1f MiB, sender %.1f MiB\n",
    m, t/1e9, m*8*1048576/(t/1e9)/1e6, h/1024, s/1024 }'
grep -o '"lost":[0-9]*' "$work/rx.json" | head -1
