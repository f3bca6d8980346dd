"""mmpretrain's NonLinearNeck on flat per-RoI features, an empty batch included."""
from typing import Tuple

import torch
from mmpretrain.models.necks import NonLinearNeck
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FlatNonLinearNeck(NonLinearNeck):
    """``NonLinearNeck`` (fc-BN-[ReLU-fc-BN]) that accepts (N, C) or (N, C, 1, 1), N >= 0.

    mmpretrain's ``NonLinearNeck`` flattens with ``x.view(N, -1)``, which fails for N = 0.
    SCRL (Roh et al., CVPR 2021) projects the RoIs of a rank; a rank whose images gave no
    box must still run its projector and predictor, because their (Sync)BN layers are
    collectives across ranks (an empty batch joins the statistics with count 0). Same
    layers, names and initialisation as ``NonLinearNeck``; ``with_avg_pool`` must be
    False.
    """

    def forward(self, x: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        """((N, C) or (N, C, 1, 1),) -> ((N, out_channels),)."""
        assert len(x) == 1 and not self.with_avg_pool
        out = self.bn0(self.fc0(x[0].flatten(1)))
        for fc_name, bn_name in zip(self.fc_names, self.bn_names):
            out = getattr(self, fc_name)(self.relu(out))
            if bn_name is not None:
                out = getattr(self, bn_name)(out)
        return (out, )
