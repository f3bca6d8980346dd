#!/usr/bin/env bash
# Stage 2 with torchrun on one machine:
#   bash tools/stage2/dist_discover.sh CONFIG CHECKPOINT NPROC [discover.py args]
# Without a GPU the processes use the gloo backend (see orl_mm/utils/launch.py).
# $PYTHON picks the interpreter (default: python on $PATH).
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(dirname "$0")/../.."

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$ROOT/tools/stage2/discover.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
