#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, two at a time,
# from the seed corpora (./seed.sh), and prints one summary line per target:
# executions, corpus size and whether libFuzzer found a crash (artifacts/).
# Usage: fuzz/run_all.sh SECONDS [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain the
# nightly flags it passes are allowed with RUSTC_BOOTSTRAP=1.
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:?usage: run_all.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && mapfile -t TARGETS < <(cargo fuzz list)
export RUSTC_BOOTSTRAP=1
[ -d corpus ] || ./seed.sh >/dev/null
cargo fuzz build -O "${TARGETS[@]/#/}" >/dev/null 2>&1 || cargo fuzz build -O
mkdir -p logs
run() {
  local t=$1
  mkdir -p "corpus/$t"
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=10 -print_final_stats=1 >"logs/$t.log" 2>&1
  local rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  printf '%-16s exit=%s executions=%s corpus=%s crashes=%s\n' "$t" "$rc" "${execs:-?}" \
    "$(ls "corpus/$t" | wc -l)" "$(ls "artifacts/$t" 2>/dev/null | wc -l)"
}
i=0
for t in "${TARGETS[@]}"; do
  run "$t" &
  i=$((i + 1))
  if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
