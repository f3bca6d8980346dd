# ORL (Xie et al., NeurIPS 2021), stage 3: BYOL's online network (ResNet-50 -> projector
# 2048 -> 4096 -> BN -> ReLU -> 256), its EMA target and its initialisation, as
# byol_resnet50.py (inherited), shared by three terms, each with its own predictor
# (BYOL's, 256 -> 4096 -> 256): global views, intra-RoI patches, inter-RoI patches.
# Loss = 1 * L_global + 1 * L_intra + 1 * L_inter, each (2-2cos) + (2-2cos) (BYOLLoss).
_base_ = ['./byol_resnet50.py']

predictor_head = dict(type='LatentPredictHead', predictor={{_base_.model.head.predictor}},
                      loss=dict(type='BYOLLoss'))
model = dict(
    type='ORL',
    loss_weights=(1., 1., 1.),
    head=dict(_delete_=True, **predictor_head),
    intra_head=predictor_head,
    inter_head=predictor_head,
)
