# Sourced by mim_dist_train.sh and mim_dist_test.sh: reads CONFIG CHECKPOINT [GPUS], checks
# the checkpoint, and sets
#   CFG, CKPT, GPUS   the arguments (GPUS defaults to 8); "$@" keeps the extra args;
#   BN_OPTS           the --cfg-options that turn every SyncBN of this kind of config into BN
#                     (one process has no process group): C4 (res5 as the shared RoI head)
#                     or FPN;
#   LAUNCH            mim's launcher options for GPUS processes.
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG CHECKPOINT [GPUS] [extra mim/mmdet args]" >&2
    exit 2
fi
CFG=$1
CKPT=$2
GPUS=${3:-8}
shift $(( $# < 3 ? $# : 3 ))
[ -f "$CKPT" ] || { echo "checkpoint not found: $CKPT" >&2; exit 1; }
case $(basename "$CFG") in
    *_c4_*)
        BN_OPTS=(model.backbone.norm_cfg.type=BN model.roi_head.shared_head.norm_cfg.type=BN) ;;
    *)
        BN_OPTS=(model.backbone.norm_cfg.type=BN model.neck.norm_cfg.type=BN
                 model.roi_head.bbox_head.norm_cfg.type=BN
                 model.roi_head.mask_head.norm_cfg.type=BN) ;;
esac
if [ "$GPUS" -eq 1 ]; then
    LAUNCH=(--launcher none)
else
    LAUNCH=(--launcher pytorch -G "$GPUS")
    BN_OPTS=()
fi
