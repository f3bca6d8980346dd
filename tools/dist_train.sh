#!/usr/bin/env bash
# Distributed training with torchrun: bash tools/dist_train.sh CONFIG NPROC [train.py args]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR as in tools/launch/torchrun.sh)
exec bash "$(dirname "$0")/launch/torchrun.sh" "$2" tools/train.py "$1" "${@:3}"
