#!/usr/bin/env bash
# Fine-tune Mask R-CNN (configs/transfer/mmdetection) from an orl_mm checkpoint with mmdet,
# through mim. GPUS=1 runs one process and turns every SyncBN into BN (no process group).
#
#   bash tools/transfer/mmdetection/mim_dist_train.sh CONFIG CHECKPOINT [GPUS=8] [mmdet args]
#   WEIGHTS=target bash ...   # the EMA target / teacher backbone; WEIGHTS=online: the online
#                             # one; default (auto): what the checkpoint's method transfers
#                             # (SlotCon: teacher; BYOL, ORL, SCRL: online network)
#
# Work dir: work_dirs/transfer/mmdetection/<config name>/<checkpoint name> (or --work-dir).
set -euo pipefail
case ${WEIGHTS:=auto} in
    auto|online|target) ;;
    *) echo "WEIGHTS must be auto, online or target, got ${WEIGHTS}" >&2; exit 2 ;;
esac
source "$(dirname "$0")/common.sh"
WORK_DIR=work_dirs/transfer/mmdetection/$(basename "${CFG%.py}")/$(basename "${CKPT%.*}")
# OrlPretrained resolves WEIGHTS=auto from the checkpoint and logs which backbone it took
OPTS=(model.backbone.init_cfg.checkpoint="$CKPT" model.backbone.init_cfg.weights=$WEIGHTS)
case $(basename "$CFG") in
    *_c4_*)  # C4: res5 is the shared RoI head, read from the same checkpoint
        OPTS+=(model.roi_head.shared_head.init_cfg.checkpoint="$CKPT"
               model.roi_head.shared_head.init_cfg.weights=$WEIGHTS) ;;
esac
mim train mmdet "$CFG" "${LAUNCH[@]}" --work-dir "$WORK_DIR" \
    --cfg-options "${OPTS[@]}" ${BN_OPTS[@]+"${BN_OPTS[@]}"} "$@"
