#!/usr/bin/env bash
# Run one fuzz campaign, then minimise its corpus.
#
#   scripts/fuzz.sh TARGET SECONDS        stable toolchain, no sanitizer (-s none)
#   ASAN=1 scripts/fuzz.sh TARGET SECONDS AddressSanitizer (needs RUSTC_BOOTSTRAP, set here)
#
# TARGET is a file name in fuzz/fuzz_targets/ without `.rs` (json, stix, stix_pattern, ...).
# The campaign reads and grows fuzz/corpus/TARGET/ with fuzz/dict/TARGET.dict, writes crashes to
# fuzz/artifacts/TARGET/ (gitignored: copy a real finding to fuzz/regressions/TARGET/ and commit
# it), then `cargo fuzz cmin` shrinks the corpus to the inputs that add coverage. Extra arguments
# after SECONDS go to libFuzzer (e.g. -jobs=2 -workers=2 -only_ascii=1).
# The libFuzzer log (execs/s, cov, corpus size) is kept in fuzz/logs/TARGET.log (gitignored).
#
# Every campaign runs with -rss_limit_mb=2048 -timeout=10 and -max_len=$MAX_LEN (default 1 MiB):
# an input that makes one run take over 10 s or 2 GiB is a finding (issue 16: the guard is linear
# in time and bounded in memory), and 1 MiB is long enough for the adversarial shapes of
# src/shapes.rs to show quadratic work (100k dropped siblings, long reference chains, long
# selector lists). Arguments after SECONDS come later and so override these.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer args...]" >&2
    echo "targets: $(cd fuzz/fuzz_targets && ls ./*.rs | sed 's|^\./||; s|\.rs$||' | tr '\n' ' ')" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2

if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
    echo "no such target: fuzz/fuzz_targets/$target.rs" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz (about a minute)"
    cargo install cargo-fuzz --locked
fi

corpus="fuzz/corpus/$target"
dict="fuzz/dict/$target.dict"
mkdir -p "$corpus" "fuzz/logs"
log="fuzz/logs/$target.log"
dict_arg=()
if [ -f "$dict" ]; then
    dict_arg=("-dict=$dict")
fi

# New inputs go to a working corpus that persists between campaigns (fuzz/target/ is gitignored);
# the committed seeds in fuzz/corpus/TARGET/ are read but never rewritten.
work="fuzz/target/corpus-work/$target"
mkdir -p "$work"

if [ "${ASAN:-0}" = "1" ]; then
    run=(env RUSTC_BOOTSTRAP=1 cargo fuzz run)
    cmin=(env RUSTC_BOOTSTRAP=1 cargo fuzz cmin)
else
    run=(cargo fuzz run -s none)
    cmin=(cargo fuzz cmin -s none)
fi

echo "== fuzzing $target for ${seconds}s (log: $log)"
status=0
"${run[@]}" "$target" "$work" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1 \
    -rss_limit_mb=2048 -timeout=10 -max_len="${MAX_LEN:-1048576}" "${dict_arg[@]}" "$@" 2>&1 | tee "$log" | grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE|pulse)|==|SUMMARY|stat::|Done|.*panicked)' || true
status=${PIPESTATUS[0]}

echo "== minimising the working corpus ($(ls "$work" | wc -l) files)"
"${cmin[@]}" "$target" "$work" -- "${dict_arg[@]}" >>"$log" 2>&1 || echo "cmin failed, see $log"
echo "== $target: minimised corpus has $(ls "$work" | wc -l) files in $work"
echo "   to keep new seeds: review them, name them by case, copy them to $corpus/"

if [ "$status" -ne 0 ]; then
    echo "== $target: FINDING (exit $status); crash inputs are in fuzz/artifacts/$target/" >&2
    exit "$status"
fi
