#!/usr/bin/env bash
# Training on a slurm cluster:
#   GPUS=16 bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
# (GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS as in tools/launch/srun.sh)
exec bash "$(dirname "$0")/launch/srun.sh" "$1" "$2" tools/train.py "$3" --work-dir="$4" "${@:5}"
