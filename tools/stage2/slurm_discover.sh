#!/usr/bin/env bash
# Stage 2 on a slurm cluster (one rank per GPU; the work dir must be on a shared filesystem):
#   GPUS=8 bash tools/stage2/slurm_discover.sh PARTITION JOB_NAME CONFIG CKPT WORK_DIR \
#       [discover.py args, e.g. --data-root data/coco --steps knn roi pairs quality]
# CPU-only nodes: GPUS_PER_NODE=0 (gloo); the ranks then share each node's cores
# (CPUS_PER_TASK). For selective search on many CPU nodes a job array is cheaper:
#   sbatch --array=0-15 --cpus-per-task=32 --wrap "python tools/stage2/discover.py \
#       CONFIG CKPT --data-root data/coco --work-dir WORK_DIR --steps proposals \
#       --shard \${SLURM_ARRAY_TASK_ID}/16 --workers \${SLURM_CPUS_PER_TASK}"
# (see docs/cluster.md "Stage 2 on slurm and CPU farms").
# (GPUS, GPUS_PER_NODE, TASKS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS as in tools/launch/srun.sh)
exec bash "$(dirname "$0")/../launch/srun.sh" "$1" "$2" tools/stage2/discover.py "$3" "$4" \
    --work-dir="$5" --workers "${CPUS_PER_TASK:-5}" "${@:6}"
