#!/usr/bin/env bash
# Stage 2 with torchrun on one machine:
#   bash tools/stage2/dist_discover.sh CONFIG CHECKPOINT NPROC [discover.py args]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON as in tools/launch/torchrun.sh)
exec bash "$(dirname "$0")/../launch/torchrun.sh" "$3" tools/stage2/discover.py "$1" "$2" "${@:4}"
