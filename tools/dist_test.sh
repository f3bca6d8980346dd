#!/usr/bin/env bash
# Distributed testing with torchrun: bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR as in tools/launch/torchrun.sh)
exec bash "$(dirname "$0")/launch/torchrun.sh" "$3" tools/test.py "$1" "$2" "${@:4}"
