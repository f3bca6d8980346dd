#!/usr/bin/env bash
# Install orl_mm and its pinned OpenMMLab stack into a virtual environment.
#
# Idempotent: a second run with the same pins finds its stamp and returns at once.
# mmcv 2.1.0 has no wheel for this torch, so it is built once from its sdist with its
# compiled ops (about 20 minutes on 2 cores) and the wheel is kept in a cache directory
# outside the clone, keyed by the mmcv, torch and Python versions and the device kind,
# so later installs (a fresh clone, CI) reuse it in about 2 minutes.
#
# Environment:
#   ORL_MM_VENV   the virtual environment (default: <repo>/.venv)
#   ORL_MM_CACHE  the wheel cache (default: ${XDG_CACHE_HOME:-~/.cache}/orl_mm)
#   PYTHON        the interpreter that creates the venv (default: python3)
#   FORCE_CUDA=1  build mmcv's CUDA ops (GPU machines; needs nvcc matching torch's CUDA)
#   MAX_JOBS      parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ORL_MM_VENV:-$ROOT/.venv}"
CACHE="${ORL_MM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orl_mm}"
PYTHON="${PYTHON:-python3}"
REQ="$ROOT/requirements"
CONSTRAINTS="$REQ/constraints.txt"
MMCV_VERSION="$(sed -n 's/^mmcv==//p' "$CONSTRAINTS")"

log() { echo "[install $(date +%H:%M:%S)] $*"; }

# The stamp covers everything that decides what gets installed.
KEY="$(cat "$REQ"/*.txt "$ROOT/setup.py" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
STAMP="$VENV/.orl_mm-installed-$KEY"
if [[ -f "$STAMP" ]] && "$VENV/bin/python" -c 'import orl_mm' 2>/dev/null; then
    log "environment $VENV is up to date (stamp $KEY)"
    exit 0
fi

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating virtual environment $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
pip_install() { "$PY" -m pip install --disable-pip-version-check --progress-bar off -c "$CONSTRAINTS" "$@"; }

log "build tools (setuptools pinned: mmcv's setup.py needs pkg_resources)"
pip_install -q setuptools wheel ninja

log "torch and torchvision (pinned by $CONSTRAINTS)"
pip_install -q torch torchvision

# --- mmcv with compiled ops, from the wheel cache or built once ------------------------
TORCH_VERSION="$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')"
PY_TAG="$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
if [[ "${FORCE_CUDA:-0}" == "1" ]] || "$PY" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())'; then
    DEVICE=cuda
    export FORCE_CUDA=1
else
    DEVICE=cpu
fi
WHEEL_DIR="$CACHE/wheels/mmcv-${MMCV_VERSION}_torch-${TORCH_VERSION}_${PY_TAG}_${DEVICE}"
if ! compgen -G "$WHEEL_DIR/mmcv-*.whl" >/dev/null; then
    log "building mmcv $MMCV_VERSION with $DEVICE ops from its sdist (first install only, ~20 min on 2 cores)"
    mkdir -p "$CACHE/wheels"
    tmp="$(mktemp -d "$CACHE/wheels/.build.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "$PY" -m pip wheel --disable-pip-version-check \
        --progress-bar off --no-deps --no-build-isolation --no-binary mmcv -w "$tmp" "mmcv==$MMCV_VERSION"
    log "stripping debug info from the mmcv wheel"
    "$PY" "$ROOT/tools/misc/strip_wheel.py" "$tmp"/mmcv-*.whl
    mv "$tmp" "$WHEEL_DIR"   # atomic: a half-built wheel never looks cached
    trap - EXIT
fi
log "mmcv from $WHEEL_DIR"
pip_install -q --no-deps "$WHEEL_DIR"/mmcv-*.whl

log "OpenMMLab packages and the rest of the runtime (pip check below)"
pip_install -q -r "$REQ/runtime.txt" -r "$REQ/mminstall.txt" -r "$REQ/tests.txt" \
    -r "$REQ/lint.txt" -r "$REQ/docs.txt" openmim \
    opencv-python opencv-contrib-python pillow
# opencv-python (pulled by mmengine) and opencv-contrib-python share cv2/: write contrib's
# files last so cv2.ximgproc (selective search) is there. Neither is ever uninstalled.
pip_install -q --no-deps --force-reinstall opencv-contrib-python

log "orl_mm (editable)"
pip_install -q --no-deps --no-build-isolation -e "$ROOT"

"$PY" -m pip check
"$PY" - <<'EOF'
import cv2, mmcv, torch
from mmcv.ops import RoIAlign  # noqa: F401  (compiled ops present)
cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
import orl_mm  # noqa: F401
import mmseg.models  # noqa: F401  (asserts mmcv < 2.2.0; needs ftfy and regex)
print(f'torch {torch.__version__}, mmcv {mmcv.__version__}, cv2 {cv2.__version__}: ok')
EOF

rm -f "$VENV"/.orl_mm-installed-*
touch "$STAMP"
log "done in $(( $(date +%s) - start )) s"
