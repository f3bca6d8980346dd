#!/usr/bin/env bash
# The one torchrun launcher behind tools/dist_*.sh and tools/stage2/dist_discover.sh:
#   bash tools/launch/torchrun.sh NPROC SCRIPT [SCRIPT args]
# SCRIPT is relative to the repository root; it is given `--launcher pytorch`.
# Environment: NNODES, NODE_RANK, PORT, MASTER_ADDR (multi-node), PYTHON (interpreter).
# Without a GPU the processes use the gloo backend (see orl_mm/utils/launch.py).
NPROC=$1
SCRIPT=$2
ROOT="$(dirname "$0")/../.."

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" --master_port="${PORT:-29500}" \
    "$ROOT/$SCRIPT" "${@:3}" --launcher pytorch
