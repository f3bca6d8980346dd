# Mask R-CNN R50-FPN 1x on COCO, the transfer protocol of ORL's Table 4 (as MoCo's and
# DenseCL's): SyncBN in the backbone, the FPN and the heads (4conv1fc box head), all stages
# fine-tuned (frozen_stages=-1) with BN statistics updated (norm_eval=False), 8 GPUs x 2.
#
#   mim train mmdet configs/benchmarks/mmdetection/mask-rcnn_r50_fpn_8xb2-syncbn-1x_coco.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT is any orl_mm checkpoint (stage 1 BYOL, ORL, SCRL, SlotCon): prefix='backbone.' takes
# the online network; model.backbone.init_cfg.prefix=target_net.module.0. takes the EMA
# target/teacher. A backbone exported by tools/model_converters/export_backbone.py (no
# prefix) loads with model.backbone.init_cfg.prefix=None.
# One process (no SyncBN): mask-rcnn_r50_fpn_1xb2-bn-1x_coco.py.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'

# orl_mm.compat lets mmengine load the plugin's checkpoints under torch >= 2.6; the hook
# logs how many backbone tensors the checkpoint filled (and fails on any missing key).
custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
# set with --cfg-options model.backbone.init_cfg.checkpoint=...
pretrained = 'work_dirs/orl/epoch_800.pth'

model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256,
                       norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))

custom_hooks = [dict(type='PretrainedBackboneCheckHook')]

# mmdet batches lists of differently sized images (mmengine's default pseudo_collate); said
# explicitly because orl_mm's tools/train.py and tools/test.py default to default_collate.
train_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
test_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
