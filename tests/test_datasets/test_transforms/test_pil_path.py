"""The PIL path of the paper configs equals a plain PIL/torchvision rendering of the
references' transform lists, draw for draw.

The rendering below is written from the references (Jiahao000/ORL configs/selfsup/orl/coco/
stage{1,3}/r50_bs512_ep800.py and openselfsup/datasets/orl.py; kakaobrain/scrl
augment/getters.py; CVMI-Lab/SlotCon data/transforms.py), op by op with torchvision's
functional ops on PIL images, and takes its random draws with the same ``numpy.random``
calls (Python's ``random`` for the grey draw, as mmcv's ``RandomGrayscale``), in the
same order, as the PIL path (which keeps those of the mmcv/mmpretrain
transforms it replaces). Same seed, so the same parameters: the pixels must be equal.
"""
import math
import random

import numpy as np
import pytest
import torchvision.transforms.functional as TF
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageFilter

import orl_mm  # noqa: F401
from orl_mm.datasets.transforms import jitter_box
from orl_mm.datasets.transforms.slotcon_crops import slotcon_crop_params
from orl_mm.testing.configs import train_pipelines
from orl_mm.testing.images import smooth_image

BIL, BIC = TF.InterpolationMode.BILINEAR, TF.InterpolationMode.BICUBIC
ORL = 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py'
BYOL = 'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py'
SCRL = 'configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py'
SLOTCON = 'configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'


def photo(path, height=240, width=320, seed=0):
    """A JPEG with smooth colour and noise (saturated, dark and bright parts), decoded."""
    rng = np.random.RandomState(seed)
    noise = rng.randint(-40, 41, (height, width, 3))
    pixels = smooth_image(height, width, seed).astype(int) + noise
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
    return Image.open(path).convert('RGB')  # the references' decode


# ----- the references' ops, with the draws of the PIL path --------------------------------
#: The ops the rendering applied (a test checks its seeds exercise every one).
APPLIED = set()


def rrc_params(img, scale, ratio=(3. / 4., 4. / 3.)):
    """torchvision's RandomResizedCrop.get_params, drawn with numpy."""
    width, height = img.size
    area = height * width
    for _ in range(10):
        target_area = np.random.uniform(*scale) * area
        aspect = math.exp(np.random.uniform(math.log(ratio[0]), math.log(ratio[1])))
        w, h = int(round(math.sqrt(target_area * aspect))), int(round(math.sqrt(
            target_area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            return np.random.randint(0, height - h + 1), np.random.randint(0, width - w + 1), h, w
    raise AssertionError('the test images never need the fallback crop')


def hflip(img):
    if np.random.choice(['horizontal', None], p=[0.5, 0.5]) is not None:
        APPLIED.add('flip')
        return TF.hflip(img), True
    return img, False


def colour(img, blur_p, solarize_p, blur='gaussian'):
    """RandomApply(ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8), RandomGrayscale(0.2), the blur,
    RandomApply(Solarization, p)."""
    if np.random.rand() < 0.8:
        order = np.random.permutation(4)
        factors = [np.random.uniform(0.6, 1.4), np.random.uniform(0.6, 1.4),
                   np.random.uniform(0.8, 1.2), np.random.uniform(-0.1, 0.1)]
        ops = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation, TF.adjust_hue]
        for i in order:
            img = ops[i](img, factors[i])
        APPLIED.update(['jitter'] + ['negative hue'] * (factors[3] < 0))
    if random.random() < 0.2:  # mmcv's RandomGrayscale draws with Python's random
        img = TF.rgb_to_grayscale(img, num_output_channels=3)
        APPLIED.add('grey')
    if blur == 'gaussian' and not np.random.rand() > blur_p:  # openselfsup GaussianBlur
        sigma = (np.random.uniform(0, 10) / 10) * (2.0 - 0.1) + 0.1
        img = img.filter(ImageFilter.GaussianBlur(radius=sigma))
        APPLIED.add(f'blur p={blur_p}')
    if blur == 'resized' and np.random.rand() < blur_p:  # scrl augment ResizeBlur
        APPLIED.add(f'resize blur p={blur_p}')
        factor = (1.1, 1.2, 1.5)[np.random.randint(3)]
        w, h = img.size
        img = img.resize((int(w // factor), int(h // factor)), Image.BICUBIC).resize(
            (w, h), Image.BICUBIC)
    if not np.random.rand() > solarize_p:  # openselfsup Solarization
        APPLIED.add('solarize')
        arr = np.array(img)
        img = Image.fromarray(np.where(arr < 128, arr, 255 - arr).astype(np.uint8))
    return np.array(img, dtype=np.uint8)  # openselfsup to_numpy (HWC here)


def byol_view(img, blur_p, solarize_p):
    img = TF.resized_crop(img, *rrc_params(img, (0.08, 1.)), [224, 224], BIL)
    img, _ = hflip(img)
    return colour(img, blur_p, solarize_p)


def patch(img, box, blur_p, solarize_p):
    """ORLDataset: TF.resized_crop(img, y, x, h, w, 96, interpolation=2), then the patch
    pipeline (flip, colour)."""
    img = TF.resized_crop(img, box[1], box[0], box[3], box[2], [96, 96], BIL)
    img, _ = hflip(img)
    return colour(img, blur_p, solarize_p)


def _rgb(packed):
    """PackInputs' (3, H, W) BGR tensors -> (H, W, 3) RGB arrays (the preprocessor's to_rgb)."""
    return [t.numpy().transpose(1, 2, 0)[..., ::-1] for t in packed['inputs']]


def _build(config, drop=('LoadImagePIL', )):
    (pipeline, ) = train_pipelines(config)
    return [TRANSFORMS.build(t) for t in pipeline if t['type'] not in drop]


def _run(transforms, results):
    """Run the pipeline; the last step, PackInputs, packs a copy (it drops the other keys)."""
    for t in transforms[:-1]:
        results = t(results)
    results['inputs'] = transforms[-1](dict(results))['inputs']
    return results


def test_orl_stage3_samples_equal_the_reference_rendering(repo_root, tmp_path):
    """Six samples; their draws exercise every op of the reference's lists."""
    APPLIED.clear()
    for seed in range(6):
        _orl_sample(repo_root, tmp_path, seed)
    assert APPLIED == {'jitter', 'negative hue', 'grey', 'blur p=1.0', 'blur p=0.1',
                       'solarize', 'flip'}


def _seed_both(seed: int) -> None:
    """Seed numpy's and Python's streams: the path and the reference rendering each draw
    from the same state, so the draw order is pinned as well as the distributions."""
    np.random.seed(seed)
    random.seed(seed)


def _orl_sample(repo_root, tmp_path, seed):
    img = photo(tmp_path / 'a.jpg', seed=seed)
    nbr = photo(tmp_path / 'b.jpg', 200, 260, seed=seed + 100)
    boxes = dict(intra_box=[40, 30, 150, 120], inter_query_box=[100, 60, 90, 140],
                 inter_key_box=[20, 10, 180, 150])
    _seed_both(seed)
    out = _run(_build(f'{repo_root}/{ORL}'), dict(img=img, neighbour_img=nbr, **boxes))

    _seed_both(seed)
    expected = [byol_view(img, 1., 0.), byol_view(img, 0.1, 0.2),
                patch(img, boxes['intra_box'], 1., 0.)]
    ibox2, _ = jitter_box(boxes['intra_box'], img.size)  # aug_bbox's distributions
    expected += [patch(img, ibox2, 0.1, 0.2), patch(img, boxes['inter_query_box'], 1., 0.),
                 patch(nbr, boxes['inter_key_box'], 0.1, 0.2)]
    assert out['branch_rois'][3] == ibox2
    for got, want in zip(_rgb(out), expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize('seed', range(6))
def test_byol_stage1_sample_equals_the_reference_rendering(repo_root, tmp_path, seed):
    img = photo(tmp_path / 'a.jpg', seed=seed)
    _seed_both(seed)
    out = _run(_build(f'{repo_root}/{BYOL}'), dict(img=img))
    _seed_both(seed)
    expected = [byol_view(img, 1., 0.), byol_view(img, 0.1, 0.2)]
    for got, want in zip(_rgb(out), expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize('seed', range(4))
def test_scrl_views_equal_the_reference_rendering(repo_root, tmp_path, seed):
    """SCRL: RandomResizedCrop(224, (0.2, 1), bicubic), flip, jitter, grey, ResizeBlur
    (p 1.0 / 0.1), Solarize (p 0 / 0.2); each view's box and flip recorded."""
    img = photo(tmp_path / 'a.jpg', seed=seed)
    _seed_both(seed)
    out = _run(_build(f'{repo_root}/{SCRL}'), dict(img=img))
    _seed_both(seed)
    for v, (blur_p, sol_p) in enumerate([(1., 0.), (0.1, 0.2)]):
        top, left, h, w = rrc_params(img, (0.2, 1.))
        view, flipped = hflip(TF.resized_crop(img, top, left, h, w, [224, 224], BIC))
        np.testing.assert_array_equal(_rgb(out)[v], colour(view, blur_p, sol_p, 'resized'))
        assert out['flip'][v] == flipped
        np.testing.assert_array_equal(out['crop_box'][v], [left, top, left + w, top + h])


@pytest.mark.parametrize('seed', range(4))
def test_slotcon_views_equal_the_reference_rendering(repo_root, tmp_path, seed):
    """SlotCon: CustomTwoCrop (Python's random, view 2 conditioned on view 1, bicubic),
    then per view flip, jitter, grey, Gaussian blur (p 1.0 / 0.1), Solarize (p 0 / 0.2)."""
    img = photo(tmp_path / 'a.jpg', seed=seed)
    _seed_both(seed)
    out = _run(_build(f'{repo_root}/{SLOTCON}'), dict(img=img))
    _seed_both(seed)
    first = slotcon_crop_params(240, 320, (0.08, 1.), (3. / 4., 4. / 3.))
    crops = [first, slotcon_crop_params(240, 320, (0.08, 1.), (3. / 4., 4. / 3.),
                                        constraint=first)]
    for v, (blur_p, sol_p) in enumerate([(1., 0.), (0.1, 0.2)]):
        view, flipped = hflip(TF.resized_crop(img, *crops[v], [224, 224], BIC))
        np.testing.assert_array_equal(_rgb(out)[v], colour(view, blur_p, sol_p))
        assert out['view_flips'][v] == flipped
