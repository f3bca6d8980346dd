#!/usr/bin/env bash
# Check the release path by hand: a clean clone -> a wheel -> a fresh virtual environment
# (no system site-packages, no clone on the path) -> `mim search` and a one-iteration
# `mim train orl_mm <config name>` from an empty folder.
#
#   bash tools/misc/check_wheel.sh [WORK_DIR]
#
# It clones the committed HEAD (uncommitted changes are not in the wheel), installs torch and
# torchvision (pinned by requirements/constraints.txt, as tools/install.sh does), mmcv from the wheel cache of tools/install.sh
# (${ORL_MM_CACHE:-~/.cache/orl_mm}/wheels/, else `mim install mmcv`) and then the wheel,
# whose runtime requirements pip resolves from the index. tests/test_packaging.py runs the
# same checks against the current environment's stack (no downloads).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/orl_mm_wheel.XXXXXX)}"
PYTHON="${PYTHON:-python3}"
CACHE="${ORL_MM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orl_mm}"
log() { echo "[check_wheel $(date +%H:%M:%S)] $*"; }

mkdir -p "$WORK"
log "clean clone of $ROOT (HEAD $(git -C "$ROOT" rev-parse --short HEAD)) in $WORK/clone"
rm -rf "$WORK/clone" "$WORK/dist" "$WORK/venv" "$WORK/run"
git clone -q "$ROOT" "$WORK/clone"

log "fresh virtual environment $WORK/venv ($($PYTHON --version))"
"$PYTHON" -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
# the pins of tools/install.sh (torch===2.13.0 is the registry's regular build, which the
# torchvision wheel is built against; setuptools pinned so that openmim does not downgrade it)
CONSTRAINTS="$WORK/clone/requirements/constraints.txt"
pip_install() {
    "$PY" -m pip install --disable-pip-version-check --progress-bar off -q -c "$CONSTRAINTS" "$@"
}
pip_install setuptools wheel

log "build the wheel"
"$PY" -m pip wheel --disable-pip-version-check -q --no-deps -w "$WORK/dist" "$WORK/clone"
WHEEL="$(ls "$WORK"/dist/orl_mm-*.whl)"
log "wheel: $WHEEL ($(unzip -l "$WHEEL" | grep -c '\.mim/') files under orl_mm/.mim)"

log "torch, torchvision, mmcv"
pip_install torch torchvision
MMCV_WHEEL="$(ls "$CACHE"/wheels/*/mmcv-*.whl 2>/dev/null | head -n 1 || true)"
if [[ -n "$MMCV_WHEEL" ]]; then
    pip_install --no-deps "$MMCV_WHEEL"
else
    pip_install openmim && "$WORK/venv/bin/mim" install "mmcv>=2.0.0rc4,<2.2.0"
fi

log "the wheel, its runtime requirements from the index, and openmim"
pip_install "$WHEEL" openmim opencv-contrib-python setuptools
"$PY" -m pip check || true

mkdir -p "$WORK/run"
cd "$WORK/run"   # nothing of the clone is importable from here
export PYTHONPATH=
log "orl_mm imported from: $("$PY" -c 'import orl_mm; print(orl_mm.__file__)')"
log "mim search orl_mm (model names)"
"$PY" -m mim search orl_mm | grep 'config id:'
"$PY" -c "from orl_mm.demo import build_demo_dataset; build_demo_dataset('demo', num_images=8)"
log "mim train orl_mm byol_resnet18_1xb8-tiny-2e_demo.py (one iteration)"
"$PY" -m mim train orl_mm byol_resnet18_1xb8-tiny-2e_demo.py --work-dir work \
    --cfg-options train_dataloader.dataset.data_root=demo/ train_dataloader.dataset.indices=8 \
    train_cfg.max_epochs=1 2>&1 | grep -E 'we find the config|Epoch\(train\)|Training finished'
test -f work/epoch_1.pth
log "OK: $WORK/run/work/epoch_1.pth"
