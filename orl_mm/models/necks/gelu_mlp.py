"""An MLP of (1x1 conv or linear) -> BN -> GELU blocks, as SlotCon's projector/predictor."""
from collections import OrderedDict
from typing import List, Optional, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class GELUMLPNeck(BaseModule):
    """``num_layers`` layers: every layer but the last is followed by BN and GELU.

    SlotCon (Wen et al., NeurIPS 2022) uses it as the dense 2-D projector (1x1 convs,
    ``2048 -> 4096 -> 4096 -> 256`` on the res5 map; reference ``DINOHead2d``) and as the
    slot predictor (linear, ``256 -> 4096 -> 4096 -> 256``; ``DINOHead``). As there, the
    linear/conv weights start truncated-normal (std 0.02) and their biases at 0 (the
    default ``init_cfg``; applied by ``init_weights``), batch norms at (1, 0).

    Args:
        in_channels: Input channels C_in.
        hid_channels: Hidden channels.
        out_channels: Output channels C_out.
        num_layers: Number of linear/conv layers (>= 2).
        spatial: True: 1x1 convs on (B, C, H, W) maps; False: linear layers on (N, C).
        norm_cfg: Norm layer config; None: ``BN`` (spatial) or ``BN1d``; ``SyncBN`` for
            multi-GPU training.
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 hid_channels: int,
                 out_channels: int,
                 num_layers: int = 3,
                 spatial: bool = False,
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer=['Linear', 'Conv2d'], std=0.02, bias=0.)
                 ) -> None:
        super().__init__(init_cfg=init_cfg)
        assert num_layers >= 2, 'num_layers must be >= 2'
        self.spatial = spatial
        if norm_cfg is None:
            norm_cfg = dict(type='BN' if spatial else 'BN1d')
        dims = [in_channels] + [hid_channels] * (num_layers - 1) + [out_channels]
        layers: 'OrderedDict[str, nn.Module]' = OrderedDict()
        for index, (c_in, c_out) in enumerate(zip(dims[:-1], dims[1:])):
            layers[f'fc{index}'] = nn.Conv2d(c_in, c_out, 1) if spatial else nn.Linear(c_in, c_out)
            if index < num_layers - 1:  # names with 'bn' let LARS/weight decay exclude them
                layers[f'bn{index}'] = build_norm_layer(norm_cfg, c_out)[1]
                layers[f'act{index}'] = nn.GELU()
        self.mlp = nn.Sequential(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) -> (B, C_out, H, W) if spatial, else (N, C_in) -> (N, C_out)."""
        return self.mlp(x)
