"""Stage-1 model loading and the two embeddings of ORL stage 2.

ORL (Xie et al., NeurIPS 2021, Sec. 3.2) uses the stage-1 BYOL online network twice:

* image embedding (for the k-NN): backbone -> global average pool -> projector, 256-d,
  L2-normalised; test transform Resize(256) -> CenterCrop(224), ImageNet mean/std;
* RoI embedding (for the pairs): each proposal is cropped from the original image,
  resized to 224x224 (bilinear), and goes through the backbone; res5 is globally
  average-pooled (2048-d for ResNet-50) and L2-normalised.

The model is built from the stage-1 config with mmpretrain's ``MODELS.build`` and the
checkpoint is loaded with mmengine, so any checkpoint of this plugin with the BYOL names
(online ``backbone.*``, projector ``neck.*``) works. SyncBN is reverted to BN for
CPU/single-process inference.
"""
from dataclasses import dataclass
from typing import Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from orl_mm.utils.images import normalize_to_tensor, resize_center_crop


@dataclass
class EmbedSettings:
    """Input sizes and batching (defaults: the ORL reference).

    Attributes:
        retrieval_resize: Shorter side after resizing, for the image embedding.
        retrieval_crop: Centre crop size, for the image embedding.
        roi_size: Side of the square RoI crops.
        batch_size: Images (k-NN) or crops (RoIs) per forward.
        channels_last: Run the backbone in channels-last memory format.
    """
    retrieval_resize: int = 256
    retrieval_crop: int = 224
    roi_size: int = 224
    batch_size: int = 64
    channels_last: bool = False


class Stage1Encoder(nn.Module):
    """The online branch of a stage-1 BYOL-like model: ``backbone`` and ``neck``.

    Args:
        backbone: The online backbone (e.g. mmpretrain ``ResNet``).
        neck: The online projector (e.g. ``NonLinearNeck`` with its own average pool).
    """

    def __init__(self, backbone: nn.Module, neck: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.neck = neck
        self.forward_count = 0  # number of images/crops that went through the backbone

    def _backbone(self, x: torch.Tensor, channels_last: bool) -> Tuple[torch.Tensor, ...]:
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        self.forward_count += x.shape[0]
        return self.backbone(x)

    @torch.inference_mode()
    def embed_images(self, x: torch.Tensor, channels_last: bool = False) -> torch.Tensor:
        """(B, 3, H, W) normalised images -> (B, C_proj) L2-normalised projector output."""
        feats = self._backbone(x, channels_last)
        out = self.neck((feats[-1], ))[0]
        return F.normalize(out.float().flatten(1), dim=1)

    @torch.inference_mode()
    def embed_rois(self, x: torch.Tensor, channels_last: bool = False) -> torch.Tensor:
        """(B, 3, S, S) normalised crops -> (B, C5) L2-normalised pooled res5 features."""
        res5 = self._backbone(x, channels_last)[-1]
        return F.normalize(res5.float().mean(dim=(2, 3)), dim=1)

    @torch.inference_mode()
    def embed_rois_aligned(self, image: torch.Tensor, boxes: torch.Tensor,
                           channels_last: bool = False, output_size: int = 7) -> torch.Tensor:
        """Approximate RoI embeddings from one forward of the whole image (not ORL's rule).

        Args:
            image: (1, 3, H, W) normalised image.
            boxes: (B, 4) ``[x1, y1, x2, y2]`` in the pixels of ``image``.

        Returns:
            (B, C5) L2-normalised average of RoIAlign (``output_size`` squared bins) on
            res5 (stride 32).
        """
        from torchvision.ops import roi_align
        res5 = self._backbone(image, channels_last)[-1].float()
        pooled = roi_align(res5, [boxes.float().to(res5.device)], output_size,
                           spatial_scale=1 / 32, sampling_ratio=2, aligned=True)
        return F.normalize(pooled.mean(dim=(2, 3)), dim=1)


def build_stage1_encoder(config, checkpoint: str = None, device: str = 'cpu') -> Stage1Encoder:
    """Build the online encoder of a stage-1 model from its config and checkpoint.

    Args:
        config: Path of the stage-1 config, or an mmengine ``Config``.
        checkpoint: Checkpoint with ``backbone.*`` and ``neck.*`` (mmpretrain BYOL layout);
            None keeps the random initialisation (tests).
        device: Where to put the model.

    Returns:
        The encoder in eval mode.

    Raises:
        KeyError: If the checkpoint has no ``backbone.`` weights.
    """
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules

    import orl_mm  # noqa: F401  (registration, compat fixes)

    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    from mmengine.registry import DefaultScope
    scope = cfg.get('default_scope', 'mmpretrain')
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg.model)
    if checkpoint is not None:
        state = load_checkpoint(model, checkpoint, map_location='cpu', strict=False,
                                logger='silent')
        state = state.get('state_dict', state)
        if not any(k.startswith('backbone.') for k in state):
            raise KeyError(f'{checkpoint}: no "backbone." weights (expected the mmpretrain '
                           'BYOL layout: online backbone.*, projector neck.*)')
    model = revert_sync_batchnorm(model)
    if not hasattr(model, 'backbone') or not hasattr(model, 'neck'):
        raise AttributeError(f'{type(model).__name__} has no backbone/neck (BYOL-like needed)')
    encoder = Stage1Encoder(model.backbone, model.neck).to(device).eval()
    return encoder


def retrieval_transform(rgb: np.ndarray, resize: int = 256, crop: int = 224) -> torch.Tensor:
    """The test transform of the image embedding: Resize(shorter side) -> CenterCrop.

    torchvision's ``Resize(resize)`` + ``CenterCrop(crop)`` geometry (bilinear, Pillow),
    then ImageNet normalisation (:func:`orl_mm.utils.images.resize_center_crop`).
    Returns (3, crop, crop).
    """
    return resize_center_crop(rgb, resize, crop)


def crop_rois(rgb: np.ndarray, boxes: Sequence[Sequence[int]], size: int = 224) -> torch.Tensor:
    """Crop ``[x, y, w, h]`` boxes from an RGB image and resize each to size x size.

    Bilinear (Pillow), ImageNet-normalised. Returns (B, 3, size, size).
    """
    img = Image.fromarray(rgb)
    crops = []
    for x, y, w, h in boxes:
        crop = img.crop((int(x), int(y), int(x + w), int(y + h)))
        crop = crop.resize((size, size), Image.BILINEAR)
        crops.append(normalize_to_tensor(np.asarray(crop)))
    return torch.stack(crops) if crops else torch.empty(0, 3, size, size)


def bgr_to_rgb(img_bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB)


def embed_roi_crops(encoder: Stage1Encoder, crops: torch.Tensor, batch_size: int,
                    channels_last: bool = False, device=None) -> torch.Tensor:
    """RoI embeddings of one image's crops, in chunks of ``batch_size`` (the one
    implementation: the roi step and :func:`embed_image_rois` both call it).

    The chunking depends only on the image's own boxes, so the numbers are the same
    whichever query asks for them (cache and naive way agree exactly).

    Args:
        encoder: The stage-1 encoder.
        crops: (B, 3, S, S) normalised crops of one image (:func:`crop_rois`).
        batch_size: Crops per backbone forward.
        channels_last: See :meth:`Stage1Encoder.embed_rois`.
        device: Where the forwards run (default: the encoder's).

    Returns:
        (B, C5) L2-normalised embeddings on the CPU.
    """
    if device is None:
        device = next(encoder.parameters()).device
    out = [encoder.embed_rois(crops[s:s + batch_size].to(device), channels_last).cpu()
           for s in range(0, len(crops), batch_size)]
    return torch.cat(out)


def embed_image_rois(encoder: Stage1Encoder, rgb: np.ndarray, boxes: Sequence[Sequence[int]],
                     settings: EmbedSettings) -> np.ndarray:
    """RoI embeddings of one image: :func:`crop_rois` then :func:`embed_roi_crops`.

    Returns:
        (B, C5) float32, L2-normalised.
    """
    crops = crop_rois(rgb, boxes, settings.roi_size)
    return embed_roi_crops(encoder, crops, settings.batch_size,
                           settings.channels_last).numpy().astype(np.float32, copy=False)
