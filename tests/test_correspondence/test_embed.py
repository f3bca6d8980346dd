"""Building the stage-1 encoder from config + checkpoint; the two embeddings."""
import numpy as np
import pytest
import torch
from PIL import Image

from orl_mm.correspondence.embed import build_stage1_encoder, crop_rois, retrieval_transform
from orl_mm.utils.images import IMAGENET_MEAN_255, IMAGENET_STD_255


def test_checkpoint_weights_are_loaded(tiny_config, tiny_checkpoint, tiny_encoder):
    state = torch.load(tiny_checkpoint, weights_only=False)['state_dict']
    for name, value in tiny_encoder.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[name].numpy(), err_msg=name)
    assert not tiny_encoder.training
    # a different random model would differ: the checkpoint is really what is used
    other = build_stage1_encoder(tiny_config, None)
    assert not torch.equal(other.backbone.conv1.weight, tiny_encoder.backbone.conv1.weight)


def test_checkpoint_without_backbone_is_rejected(tiny_config, tmp_path):
    path = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict={'foo.weight': torch.zeros(1)}), path)
    with pytest.raises(KeyError, match='backbone'):
        build_stage1_encoder(tiny_config, path)


def test_embeddings_are_normalised(tiny_encoder):
    x = torch.randn(3, 3, 32, 32)
    img = tiny_encoder.embed_images(x)
    roi = tiny_encoder.embed_rois(x)
    assert img.shape == (3, 64) and roi.shape == (3, 512)
    np.testing.assert_allclose(img.norm(dim=1).numpy(), 1, rtol=1e-5)
    np.testing.assert_allclose(roi.norm(dim=1).numpy(), 1, rtol=1e-5)


def test_retrieval_transform_geometry():
    rgb = np.zeros((300, 400, 3), np.uint8)
    rgb[:, 200:] = 255  # right half white
    x = retrieval_transform(rgb, 64, 56)  # resize to 64x85, centre crop 56
    assert x.shape == (3, 56, 56)
    white = (255 - np.array(IMAGENET_MEAN_255)) / np.array(IMAGENET_STD_255)
    np.testing.assert_allclose(x[:, 0, -1].numpy(), white, rtol=1e-5)
    np.testing.assert_allclose(x[:, 0, 0].numpy(),
                               -np.array(IMAGENET_MEAN_255) / IMAGENET_STD_255,
                               rtol=1e-5)


def test_crop_rois_takes_the_box():
    rgb = np.zeros((100, 100, 3), np.uint8)
    rgb[10:30, 20:60] = 255
    crops = crop_rois(rgb, [[20, 10, 40, 20], [70, 70, 30, 30]], size=16)
    white = (255 - np.array(IMAGENET_MEAN_255)) / np.array(IMAGENET_STD_255)
    assert crops.shape == (2, 3, 16, 16)
    np.testing.assert_allclose(crops[0].mean(dim=(1, 2)).numpy(), white, rtol=1e-5)
    np.testing.assert_allclose(crops[1].mean(dim=(1, 2)).numpy(),
                               -np.array(IMAGENET_MEAN_255) / IMAGENET_STD_255, rtol=1e-5)


def _retrieval_transform_before_sharing(rgb, resize, crop):
    """The stage-2 transform as embed.py wrote it before it moved to orl_mm.utils.images."""
    h, w = rgb.shape[:2]
    new_w, new_h = (resize, int(resize * h / w)) if w <= h else (int(resize * w / h), resize)
    img = Image.fromarray(rgb).resize((new_w, new_h), Image.BILINEAR)
    if new_h < crop or new_w < crop:
        canvas = Image.new('RGB', (max(new_w, crop), max(new_h, crop)))
        canvas.paste(img, ((max(new_w, crop) - new_w) // 2, (max(new_h, crop) - new_h) // 2))
        img, new_w, new_h = canvas, max(new_w, crop), max(new_h, crop)
    top, left = int(round((new_h - crop) / 2.0)), int(round((new_w - crop) / 2.0))
    arr = np.asarray(img.crop((left, top, left + crop, top + crop)), dtype=np.float32)
    x = torch.from_numpy(arr.copy()).permute(2, 0, 1)
    mean = torch.tensor(IMAGENET_MEAN_255).view(3, 1, 1)
    return (x - mean) / torch.tensor(IMAGENET_STD_255).view(3, 1, 1)


@pytest.mark.parametrize('shape,resize,crop', [((300, 400), 73, 64), ((401, 299), 256, 224),
                                               ((37, 90), 64, 64), ((50, 20), 30, 41),
                                               ((65, 66), 64, 56)])
def test_retrieval_transform_is_unchanged_by_the_shared_transform(shape, resize, crop):
    """Stage 2's image-embedding input is bit-identical to what it was before the transform
    was shared with the evaluation (odd offsets, padding, landscape and portrait)."""
    rgb = np.random.default_rng(sum(shape)).integers(0, 256, shape + (3, ), dtype=np.uint8)
    expected = _retrieval_transform_before_sharing(rgb, resize, crop)
    assert torch.equal(retrieval_transform(rgb, resize, crop), expected)
