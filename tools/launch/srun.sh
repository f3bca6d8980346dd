#!/usr/bin/env bash
# The one srun launcher behind tools/slurm_*.sh and tools/stage2/slurm_discover.sh:
#   bash tools/launch/srun.sh PARTITION JOB_NAME SCRIPT [SCRIPT args]
# SCRIPT is relative to the repository root; it is given `--launcher slurm`.
# Environment: GPUS (ranks, default 8), GPUS_PER_NODE (default 8; 0 for CPU-only nodes),
# TASKS_PER_NODE (default GPUS_PER_NODE, at least 1), CPUS_PER_TASK (default 5),
# SRUN_ARGS (extra srun options), PYTHON (interpreter).
set -x
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
TASKS_PER_NODE=${TASKS_PER_NODE:-$(( GPUS_PER_NODE > 0 ? GPUS_PER_NODE : 1 ))}
ROOT="$(dirname "$0")/../.."

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    --gres=gpu:"${GPUS_PER_NODE}" \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${TASKS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$ROOT/$SCRIPT" "${@:4}" --launcher slurm
