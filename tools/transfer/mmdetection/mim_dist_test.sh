#!/usr/bin/env bash
# COCO bbox/segm evaluation of a fine-tuned detector with mmdet, through mim.
# GPUS=1 runs one process and turns every SyncBN into BN (no process group).
#
#   bash tools/transfer/mmdetection/mim_dist_test.sh CONFIG DETECTOR_CKPT [GPUS=8] [mmdet args]
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK_DIR=$(dirname "$CKPT")/test
BN_ARGS=()
[ ${#BN_OPTS[@]} -eq 0 ] || BN_ARGS=(--cfg-options "${BN_OPTS[@]}")
mim test mmdet "$CFG" --checkpoint "$CKPT" --work-dir "$WORK_DIR" "${LAUNCH[@]}" \
    ${BN_ARGS[@]+"${BN_ARGS[@]}"} "$@"
