#!/bin/sh
# The daemon's throughput, fsync on: 10,000 bundles of ~4 KB and 100 of ~4 MB, with 1 and 2
# workers, with and without the second verifier, through the release binary.
# Usage: [FSYNC=false] [SIZES="4k 4m"] [WORKERS="1 2"] [VERIFIER="false true"] [SEKISHO=binary]
#        [POLICY=file] scripts/bench-daemon.sh [WORKDIR]
# SEKISHO may list several binaries: each configuration then runs them one after the other.
set -eu
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
cargo build --release --quiet --bin sekisho --example make_bench_inbox
gen=target/release/examples/make_bench_inbox
bins="${SEKISHO:-target/release/sekisho}"
mkdir -p "$work/seed-4k" "$work/seed-4m"
[ -n "$(ls "$work/seed-4k")" ] || "$gen" "$work/seed-4k" 10000 4096
[ -n "$(ls "$work/seed-4m")" ] || "$gen" "$work/seed-4m" 100 4194304
for size in ${SIZES:-4k 4m}; do
  for workers in ${WORKERS:-1 2}; do
  for verifier in ${VERIFIER:-false true}; do
  for bin in $bins; do
    run="$work/run-$size-$workers-$verifier"
    rm -rf "$run"
    mkdir -p "$run"
    cp -r "$work/seed-$size" "$run/inbox"
    cat > "$run/sekisho.toml" <<TOML
[[channel]]
name = "bench"
inbox = "inbox"
quarantine = "quarantine"
audit = "audit.jsonl"
workers = $workers
fsync = ${FSYNC:-true}
verifier = $verifier
create = true

[[channel.route]]
name = "jpn"
policy = "${POLICY:-$PWD/policies/us-to-jpn.toml}"
output = "outbox"
TOML
    sync
    echo "== $size bundles, $workers worker(s), second verifier: $verifier, $bin"
    SEKISHO_LOG=warn "$bin" run --once --config "$run/sekisho.toml" | grep -E "messages|elapsed"
    "$bin" audit verify "$run/audit.jsonl"
  done
  done
  done
done
