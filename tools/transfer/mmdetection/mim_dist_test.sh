#!/usr/bin/env bash
# COCO bbox/segm evaluation of a fine-tuned detector with mmdet, through mim.
#
#   bash tools/transfer/mmdetection/mim_dist_test.sh CONFIG DETECTOR_CKPT [GPUS=8] [mmdet args]
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG DETECTOR_CHECKPOINT [GPUS] [extra mim/mmdet args]" >&2
    exit 2
fi
CFG=$1
CKPT=$2
GPUS=${3:-8}
shift $(( $# < 3 ? $# : 3 ))
[ -f "$CKPT" ] || { echo "checkpoint not found: $CKPT" >&2; exit 1; }
WORK_DIR=$(dirname "$CKPT")/test
if [ "$GPUS" -eq 1 ]; then
    LAUNCH=(--launcher none --cfg-options model.backbone.norm_cfg.type=BN
            model.neck.norm_cfg.type=BN model.roi_head.bbox_head.norm_cfg.type=BN
            model.roi_head.mask_head.norm_cfg.type=BN)
else
    LAUNCH=(--launcher pytorch -G "$GPUS")
fi
mim test mmdet "$CFG" --checkpoint "$CKPT" --work-dir "$WORK_DIR" "${LAUNCH[@]}" "$@"
