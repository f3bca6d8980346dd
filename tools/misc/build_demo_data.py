"""Build the embedded demo scene set (COCO layout) from photographs shipped with
scikit-image and scikit-learn. Deterministic; reused when already built.

Example::

    python tools/misc/build_demo_data.py --out data/demo --num-images 64
"""
import argparse

from orl_mm.demo import build_demo_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', default='data/demo', help='output folder')
    parser.add_argument('--num-images', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    out = build_demo_dataset(args.out, num_images=args.num_images, seed=args.seed)
    print(f'demo data set ready in {out}')


if __name__ == '__main__':
    main()
