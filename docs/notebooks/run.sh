#!/usr/bin/env bash
# Executes every notebook here headless with the evcxr Jupyter kernel and
# saves it with its outputs; exits non-zero on the first cell that fails.
# Needs: evcxr_jupyter (cargo install evcxr_jupyter --locked; evcxr_jupyter --install)
# and Jupyter's nbconvert (pip install jupyter nbconvert). See README.md.
# Usage: docs/notebooks/run.sh [NOTEBOOK.ipynb...]
set -euo pipefail
cd "$(dirname "$0")"
JUPYTER=${JUPYTER:-jupyter}
if ! "$JUPYTER" kernelspec list 2>/dev/null | grep -q '^ *rust '; then
  echo "error: no 'rust' Jupyter kernel: run 'cargo install evcxr_jupyter --locked && evcxr_jupyter --install'" >&2
  exit 2
fi
python3 extract.py --check
books=("$@")
[ ${#books[@]} -eq 0 ] && books=(*.ipynb)
for nb in "${books[@]}"; do
  echo "== $nb"
  start=$(date +%s)
  # the first cell compiles interphase inside the kernel: allow it time
  "$JUPYTER" nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=rust \
    --ExecutePreprocessor.timeout=1800 "$nb"
  echo "   ok in $(( $(date +%s) - start )) s"
done
