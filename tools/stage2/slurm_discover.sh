#!/usr/bin/env bash
# Stage 2 on a slurm cluster (one rank per GPU; the work dir must be on a shared filesystem):
#   GPUS=8 bash tools/stage2/slurm_discover.sh PARTITION JOB_NAME CONFIG CKPT WORK_DIR \
#       [discover.py args, e.g. --data-root data/coco --steps knn roi pairs quality]
# CPU-only nodes: GPUS_PER_NODE=0 (gloo); the ranks then share each node's cores
# (CPUS_PER_TASK). For selective search on many CPU nodes a job array is cheaper:
#   sbatch --array=0-15 --cpus-per-task=32 --wrap "python tools/stage2/discover.py \
#       CONFIG CKPT --data-root data/coco --work-dir WORK_DIR --steps proposals \
#       --shard \${SLURM_ARRAY_TASK_ID}/16 --workers \${SLURM_CPUS_PER_TASK}"
# (see README "Stage 2 on slurm and CPU farms").
set -x
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
WORK_DIR=$5
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
TASKS_PER_NODE=${TASKS_PER_NODE:-$(( GPUS_PER_NODE > 0 ? GPUS_PER_NODE : 1 ))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
ROOT="$(dirname "$0")/../.."

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    --gres=gpu:"${GPUS_PER_NODE}" \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${TASKS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    python -u "$ROOT/tools/stage2/discover.py" "$CONFIG" "$CHECKPOINT" \
        --work-dir="$WORK_DIR" --launcher slurm --workers "${CPUS_PER_TASK}" "${@:6}"
