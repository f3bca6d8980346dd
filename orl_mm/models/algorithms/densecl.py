"""DenseCL (Wang et al., CVPR 2021). mmpretrain provides the model
(``mmpretrain.models.DenseCL``); this file holds only its method record."""
from ...structures.method import MethodSpec, register_method

#: DenseCL's method record (see :mod:`orl_mm.structures.method`). mmpretrain keeps the
#: momentum encoder as ``encoder_k = ExponentialMovingAverage(Sequential(backbone, neck))``,
#: updated in ``loss()``; under ``accumulative_counts=k`` once per optimiser step
#: (:class:`~orl_mm.engine.hooks.EMAPerOptimStepHook`; the key queues still take every
#: micro-batch's keys).
DENSECL_METHOD = register_method(MethodSpec(
    name='densecl', label='DenseCL', algorithm='DenseCL', paper='Wang et al., CVPR 2021',
    transfer='online',
    transfer_source="DenseCL's tools/extract_backbone_weights.py keeps backbone.* (the "
                    'query encoder)',
    prefixes={'online': 'backbone.', 'target': 'encoder_k.module.0.'},
    signature_keys=('queue2', ),
    loss_terms=('loss_single', 'loss_dense'),
    tiny_config='densecl/densecl_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('densecl/densecl_resnet50_8xb32-coslr-800e_coco.py', )))
