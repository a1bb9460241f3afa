#!/bin/sh
# What `[metrics]` costs the daemon: 10,000 bundles of ~4 KB, 1 worker, second verifier off,
# fsync on (FSYNC=false: off, to take a shared disk out of the figure), with the listener off and
# on (nobody scraping: the cost is the board's bookkeeping), alternating, ROUNDS times (default
# 5); prints every run, the medians and their ratio.
# Usage: [ROUNDS=5] [FSYNC=false] scripts/bench-metrics.sh [WORKDIR]
set -eu
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
rounds="${ROUNDS:-5}"
cargo build --release --quiet --bin sekisho --example make_bench_inbox
gen=target/release/examples/make_bench_inbox
bin=target/release/sekisho
mkdir -p "$work/seed"
[ -n "$(ls "$work/seed")" ] || "$gen" "$work/seed" 10000 4096
: > "$work/rates"
for i in $(seq "$rounds"); do
  for metrics in off on; do
    run="$work/run-$metrics"
    rm -rf "$run"
    mkdir -p "$run"
    cp -r "$work/seed" "$run/inbox"
    {
      if [ "$metrics" = on ]; then printf '[metrics]\nlisten = "127.0.0.1:0"\n\n'; fi
      cat <<TOML
[[channel]]
name = "bench"
inbox = "inbox"
quarantine = "quarantine"
audit = "audit.jsonl"
workers = 1
fsync = ${FSYNC:-true}
verifier = false
create = true

[[channel.route]]
name = "jpn"
policy = "$PWD/policies/us-to-jpn.toml"
output = "outbox"
TOML
    } > "$run/sekisho.toml"
    sync
    rate=$(SEKISHO_LOG=warn "$bin" run --once --config "$run/sekisho.toml" | sed -n 's/.*s, \([0-9]*\) messages\/s.*/\1/p')
    echo "round $i, metrics $metrics: $rate messages/s"
    echo "$metrics $rate" >> "$work/rates"
  done
done
median() { grep "^$1 " "$work/rates" | cut -d' ' -f2 | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
off=$(median off)
on=$(median on)
echo "median: metrics off $off messages/s, on $on messages/s, on/off $(awk "BEGIN {printf \"%.3f\", $on/$off}")"
