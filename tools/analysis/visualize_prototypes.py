"""SlotCon's prototype assignment maps: each pixel coloured by its winning teacher prototype.

Example::

    python tools/analysis/visualize_prototypes.py \
        configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py work_dirs/slotcon/epoch_2.pth \
        --images data/demo/train2017 --num 4 --size 224 --out prototypes.png

As SlotCon's ``viz_slots.py``: teacher backbone -> teacher projector, cosine with the
teacher prototypes, resized bilinearly to the image, argmax per pixel.
"""
import argparse
import os.path as osp
import sys
import time

from mmengine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from orl_mm.utils import load_config  # noqa: E402
from orl_mm.visualization.files import image_files  # noqa: E402
from orl_mm.visualization.prototypes import load_slotcon, prototype_sheet  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='the SlotCon config the checkpoint was trained with')
    p.add_argument('checkpoint', help='a SlotCon checkpoint')
    p.add_argument('--images', nargs='+', required=True, help='image files or folders')
    p.add_argument('--num', type=int, default=4, help='images taken from folders')
    p.add_argument('--size', type=int, default=224, help='side of each tile')
    p.add_argument('--out', required=True, help='output PNG')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, help='config overrides')
    args = p.parse_args(argv)
    start = time.perf_counter()
    model = load_slotcon(load_config(args.config, args.cfg_options), args.checkpoint)
    paths = image_files(args.images, args.num)
    sheet = prototype_sheet(model, paths, args.out, args.size)
    print(f'{args.out}: {len(paths)} images, {sheet.shape[1]}x{sheet.shape[0]} px, '
          f'{time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
