#!/usr/bin/env bash
# Testing on a slurm cluster:
#   GPUS=8 bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args]
# (GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS as in tools/launch/srun.sh)
exec bash "$(dirname "$0")/launch/srun.sh" "$1" "$2" tools/test.py "$3" "$4" "${@:5}"
