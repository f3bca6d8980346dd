"""BYOL (Grill et al., NeurIPS 2020): ORL's stage 1. mmpretrain provides the model
(``mmpretrain.models.BYOL``); this file holds only its method record."""
from ...structures.method import MethodSpec, register_method

#: BYOL's method record (see :mod:`orl_mm.structures.method`).
BYOL_METHOD = register_method(MethodSpec(
    name='byol', label='BYOL', algorithm='BYOL', paper='Grill et al., NeurIPS 2020',
    transfer='online',
    transfer_source="ORL's tools/extract_backbone_weights.py keeps backbone.* (online)",
    loss_note="mmpretrain's convention, -2 cos per view pair (-4 to 0); ORL's terms are "
              '2 - 2 cos each (0 to 4)',
    tiny_config='orl/byol_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('orl/byol_resnet50_8xb64-coslr-800e_coco.py',
                   'orl/byol_resnet50_8xb64-coslr-800e_coco-plus.py')))
