#!/usr/bin/env bash
# Time to the first result in a fresh evcxr session, for the set-ups that
# docs/getting-started.md compares. Needs `evcxr` on PATH (cargo install
# evcxr_repl). Each case runs with its own empty HOME (so no evcxr config and
# no compilation cache carry over) unless it says "warm". Prints one line per
# case: the case, the seconds from start to the printed result.
#
#   bash docs/notebooks/evcxr_timing.sh            # all cases (about 15 min on 2 cores)
# cases: full, lean (features = ["eis"]), lean-opt0, full-opt0 (`:opt 0`),
# cache-cold / cache-warm (`:cache 2000`, the second session reusing the
# first's cache), fast-cold / fast-warm (lean, `:opt 0` and the cache).
#   bash docs/notebooks/evcxr_timing.sh lean       # one case
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
evcxr="${EVCXR:-evcxr}"
cases=("${@:-full lean lean-opt0 full-opt0 cache-cold cache-warm fast-cold fast-warm}")
# cargo and rustup stay where they are; only evcxr's config and cache move
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT

# the first result: an equivalent-circuit fit printed as its report
first_result='let c: interphase::eis::Circuit = "R0-p(R1,C1)".parse().unwrap();
let f: Vec<f64> = (0..40).map(|i| 10f64.powf(5.0 - 0.15 * i as f64)).collect();
let d = interphase::eis::ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6], &f).unwrap();
let fit = interphase::eis::fit::fit_circuit(&c, &d, None, &Default::default()).unwrap();
println!("FIRST RESULT R1 = {:.3}", fit.value("R1").unwrap());'

run() { # name, init lines, dep line
    local name="$1" init="$2" dep="$3" h="$home/$1"
    case "$name" in
        cache-warm) h="$home/cache-cold" ;;
        fast-warm) h="$home/fast-cold" ;;
    esac
    mkdir -p "$h/.config/evcxr"
    printf '%s\n' "$init" > "$h/.config/evcxr/init.evcxr"
    local t0 t1
    t0=$(date +%s.%N)
    printf '%s\n%s\n' "$dep" "$first_result" | HOME="$h" XDG_CONFIG_HOME="$h/.config" XDG_CACHE_HOME="$h/.cache" \
        timeout 1800 "$evcxr" > "$h/out.txt" 2>&1 || true
    t1=$(date +%s.%N)
    if grep -q "FIRST RESULT R1 = 100.000" "$h/out.txt"; then
        printf '%-12s %6.0f s\n' "$name" "$(echo "$t1 - $t0" | bc)"
    else
        printf '%-12s failed:\n' "$name"; tail -20 "$h/out.txt"
    fi
}

full="interphase = { path = \"$repo/crates/interphase\" }"
lean="interphase = { path = \"$repo/crates/interphase\", default-features = false, features = [\"eis\"] }"
for c in ${cases[@]}; do
    case "$c" in
        full) run full "" ":dep $full" ;;
        lean) run lean "" ":dep $lean" ;;
        lean-opt0) run lean-opt0 ":opt 0" ":dep $lean" ;;
        cache-cold) run cache-cold ":cache 2000" ":dep $full" ;;
        cache-warm) run cache-warm ":cache 2000" ":dep $full" ;;
        full-opt0) run full-opt0 ":opt 0" ":dep $full" ;;
        fast-cold) run fast-cold $':opt 0\n:cache 2000' ":dep $lean" ;;
        fast-warm) run fast-warm $':opt 0\n:cache 2000' ":dep $lean" ;;
        *) echo "unknown case $c" >&2; exit 2 ;;
    esac
done
