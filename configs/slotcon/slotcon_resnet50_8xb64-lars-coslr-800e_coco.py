# SlotCon on COCO train2017 (Wen et al., NeurIPS 2022): ResNet-50, 256 prototypes,
# batch 512 = 8 GPUs x 64, LARS lr 2.0, 800 epochs.
_base_ = [
    '../_base_/models/slotcon_resnet50.py',
    '../_base_/datasets/coco_slotcon.py',
    '../_base_/schedules/lars_coslr-800e_slotcon.py',
    '../_base_/default_runtime.py',
]
