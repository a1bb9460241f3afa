#!/bin/sh
# Scale-out on JetStream (issue 20): messages/s with 1, 2 and 3 guards sharing one durable pull
# consumer, fsync on, through the release binary, against a nats-server -js on loopback.
# Each round fills the stream anew with COUNT bundles of ~BYTES, starts N guards with `--once`
# and times until the last one exits (all messages acked); rounds alternate 1, 2, 3 guards and
# the median of ROUNDS is reported, with the ratio to 1 guard.
# Usage: [COUNT=5000] [BYTES=4096] [ROUNDS=3] [WORKERS=1] [VERIFIER=false] scripts/bench-scale.sh [WORKDIR]
set -eu
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
count="${COUNT:-5000}"
bytes="${BYTES:-4096}"
rounds="${ROUNDS:-3}"
workers="${WORKERS:-1}"
verifier="${VERIFIER:-false}"
command -v nats-server >/dev/null || { echo "nats-server is not installed (apt-get install nats-server)" >&2; exit 2; }
cargo build --release --quiet --bin sekisho --example jetstream_feed
bin=target/release/sekisho
feed=target/release/examples/jetstream_feed
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/store"
nats-server -js -a 127.0.0.1 -p "$port" -sd "$work/store" >"$work/nats.log" 2>&1 &
nats=$!
trap 'kill $nats 2>/dev/null' EXIT INT TERM
for _ in $(seq 50); do "$feed" "127.0.0.1:$port" count IN >/dev/null 2>&1 && break || sleep 0.1; done 2>/dev/null || true

config() { # guard id, dir
  mkdir -p "$2"
  cat > "$2/sekisho.toml" <<TOML
guard_id = "$1"

[[channel]]
name = "bench"
inbox = "inbox"
quarantine = "quarantine"
audit = "audit-{guard_id}.jsonl"
workers = $workers
verifier = $verifier
create = true

[channel.jetstream]
url = "nats://127.0.0.1:$port"
stream = "IN"
subject = "in.routine"
consumer = "guards"

[[channel.route]]
name = "jpn"
policy = "$PWD/policies/us-to-jpn.toml"
output = "nats://127.0.0.1:$port/out.jpn"
TOML
}

echo "== $count bundles of ~$bytes bytes, $workers worker(s) per guard, second verifier: $verifier, $(nproc) cores"
results="$work/results"
: > "$results"
for round in $(seq "$rounds"); do
  for n in 1 2 3; do
    "$feed" "127.0.0.1:$port" fill "$count" "$bytes"
    rm -rf "$work/run"
    pids=""
    for g in $(seq "$n"); do config "g$g" "$work/run/g$g"; done
    sync
    start=$(date +%s.%N)
    for g in $(seq "$n"); do
      SEKISHO_LOG=warn "$bin" run --once --config "$work/run/g$g/sekisho.toml" >/dev/null 2>"$work/run/g$g/stderr.log" &
      pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done
    end=$(date +%s.%N)
    chains=$(ls "$work"/run/g*/audit-g*.jsonl)
    # shellcheck disable=SC2086
    totals=$("$bin" audit verify $chains | grep -E "chains:|records, chain intact" | tail -1)
    rate=$(python3 -c "print(round($count / ($end - $start)))")
    echo "round $round, $n guard(s): $rate messages/s ($totals)"
    echo "$n $rate" >> "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    n, r = line.split()
    rates.setdefault(int(n), []).append(int(r))
base = statistics.median(rates[1])
for n in sorted(rates):
    m = statistics.median(rates[n])
    print(f"{n} guard(s): median {m:.0f} messages/s over {len(rates[n])} rounds ({m / base:.2f}x one guard)")
PY
