"""Check a COCO, COCO+, VOC07+12 or semantic segmentation folder and say what is missing.

Examples::

    python tools/misc/check_data.py coco data/coco          # ORL/SCRL/SlotCon on COCO
    python tools/misc/check_data.py coco-plus data/coco     # + unlabeled2017 (COCO+)
    python tools/misc/check_data.py voc data/VOCdevkit      # Faster R-CNN C4 VOC07+12
    python tools/misc/check_data.py coco data/coco --quick  # counts only, no JSON parsing
    python tools/misc/check_data.py voc-seg data/VOCdevkit/VOC2012   # VOC12 aug segmentation
    python tools/misc/check_data.py cityscapes data/cityscapes
    python tools/misc/check_data.py ade data/ade/ADEChallengeData2016

For each part it prints ``ok`` or ``MISSING``/``INCOMPLETE`` with the file counts found
against those expected, checks that every JSON parses and that the images the annotation
files list exist, and exits with 1 when something is missing. Downloads: mmdet's tool,
e.g. ``python -m mim run mmdet download_dataset --dataset-name coco2017`` (add
``--unzip``; ``voc2007``, ``voc2012`` likewise); COCO+'s unlabeled2017 is
http://images.cocodataset.org/zips/unlabeled2017.zip. The segmentation layouts are those
configs/transfer/segmentation read (mmseg's): every image of a split needs its label PNG.
"""
import argparse
import json
import os.path as osp
import sys
from typing import List, Optional, Tuple

from mmengine.utils import scandir

from orl_mm.datasets.scene_images import IMAGE_EXTENSIONS

#: Official image counts of each folder (COCO 2017, VOC2007, VOC2012).
COCO_IMAGES = {'train2017': 118287, 'val2017': 5000, 'unlabeled2017': 123403}
COCO_JSONS = {'annotations/instances_train2017.json': 'train2017',
              'annotations/instances_val2017.json': 'val2017'}
VOC_LISTS = {'VOC2007/ImageSets/Main/trainval.txt': 5011,
             'VOC2007/ImageSets/Main/test.txt': 4952,
             'VOC2012/ImageSets/Main/trainval.txt': 11540}
DOWNLOAD = {'coco': 'python -m mim run mmdet download_dataset --dataset-name coco2017 --unzip',
            'voc': 'python -m mim run mmdet download_dataset --dataset-name voc2007 --unzip '
                   '(and voc2012)',
            'unlabeled': 'http://images.cocodataset.org/zips/unlabeled2017.zip',
            'voc-seg': 'VOC2012 from mmdet\'s download_dataset (voc2012), then SBD '
                       '(benchmark.tgz) converted by python -m mim run mmseg voc_aug '
                       'data/VOCdevkit data/VOCdevkit/VOCaug',
            'cityscapes': 'leftImg8bit_trainvaltest.zip and gtFine_trainvaltest.zip from '
                          'https://www.cityscapes-dataset.com, then python -m mim run mmseg '
                          'cityscapes data/cityscapes (writes *_labelTrainIds.png; needs '
                          'cityscapesscripts)',
            'ade': 'http://data.csail.mit.edu/places/ADEchallenge/ADEChallengeData2016.zip'}
#: Segmentation splits: (list file or None, image folder, label folder, image suffix,
#: label suffix, official count). VOC12 aug: mmseg's voc_aug converter writes aug.txt
#: (10582 aug training images less the 1464 of train.txt).
SEG_SPLITS = {
    'voc-seg': [('ImageSets/Segmentation/train.txt', 'JPEGImages', 'SegmentationClass', '.jpg',
                 '.png', 1464),
                ('ImageSets/Segmentation/aug.txt', 'JPEGImages', 'SegmentationClassAug', '.jpg',
                 '.png', 9118),
                ('ImageSets/Segmentation/val.txt', 'JPEGImages', 'SegmentationClass', '.jpg',
                 '.png', 1449)],
    'cityscapes': [(None, 'leftImg8bit/train', 'gtFine/train', '_leftImg8bit.png',
                    '_gtFine_labelTrainIds.png', 2975),
                   (None, 'leftImg8bit/val', 'gtFine/val', '_leftImg8bit.png',
                    '_gtFine_labelTrainIds.png', 500)],
    'ade': [(None, 'images/training', 'annotations/training', '.jpg', '.png', 20210),
            (None, 'images/validation', 'annotations/validation', '.jpg', '.png', 2000)],
}


class Report:
    """Lines of ``ok`` / problems; ``problems`` counts the latter."""

    def __init__(self):
        self.lines: List[str] = []
        self.problems = 0

    def ok(self, what: str) -> None:
        self.lines.append(f'ok          {what}')

    def bad(self, tag: str, what: str, hint: Optional[str] = None) -> None:
        self.problems += 1
        self.lines.append(f'{tag:<11} {what}' + (f'\n            -> {hint}' if hint else ''))


def count_images(folder: str) -> int:
    """Image files directly in ``folder`` (0 when it does not exist)."""
    if not osp.isdir(folder):
        return 0
    return sum(1 for _ in scandir(folder, IMAGE_EXTENSIONS, case_sensitive=False))


def _check_count(report: Report, folder: str, expected: int, full: bool, hint: str) -> int:
    found = count_images(folder)
    if found == 0:
        report.bad('MISSING', f'{folder}: no images (expected {expected})', hint)
    elif full and found < expected:
        report.bad('INCOMPLETE', f'{folder}: {found} of {expected} images '
                   f'({expected - found} missing)', hint)
    else:
        report.ok(f'{folder}: {found} images' + ('' if full else f' (subset of {expected})'))
    return found


def _check_coco_json(report: Report, root: str, rel: str, img_dir: str, quick: bool) -> None:
    path = osp.join(root, rel)
    if not osp.isfile(path):
        report.bad('MISSING', f'{path}', DOWNLOAD['coco'])
        return
    if quick:
        report.ok(f'{path} (not parsed: --quick)')
        return
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        report.bad('BROKEN', f'{path}: not valid JSON ({err})', DOWNLOAD['coco'])
        return
    missing_keys = [k for k in ('images', 'annotations', 'categories') if k not in data]
    if missing_keys:
        report.bad('BROKEN', f'{path}: no {missing_keys} entries (not a COCO instances file)')
        return
    names = [img['file_name'] for img in data['images']]
    absent = [n for n in names if not osp.isfile(osp.join(root, img_dir, n))]
    if absent:
        report.bad('INCOMPLETE', f'{path}: {len(absent)} of {len(names)} listed images are '
                   f'not in {osp.join(root, img_dir)} (e.g. {absent[:3]})', DOWNLOAD['coco'])
    else:
        report.ok(f'{path}: {len(names)} images, {len(data["annotations"])} instances, '
                  f'{len(data["categories"])} categories, every listed image present')


def check_coco(root: str, plus: bool = False, full: bool = True, quick: bool = False) -> Report:
    """COCO 2017 (train2017, val2017 and their instances JSONs), and unlabeled2017 for COCO+."""
    report = Report()
    for folder, expected in COCO_IMAGES.items():
        if folder == 'unlabeled2017' and not plus:
            continue
        hint = DOWNLOAD['unlabeled' if folder == 'unlabeled2017' else 'coco']
        _check_count(report, osp.join(root, folder), expected, full, hint)
    for rel, img_dir in COCO_JSONS.items():
        _check_coco_json(report, root, rel, img_dir, quick)
    return report


def _read_list(path: str) -> List[str]:
    with open(path) as f:
        return [line.split()[0] for line in f if line.strip()]


def check_voc(root: str, full: bool = True) -> Report:
    """VOC2007 trainval+test and VOC2012 trainval as mmdet's VOCDataset reads them."""
    report = Report()
    for rel, expected in VOC_LISTS.items():
        year = rel.split('/')[0]
        path = osp.join(root, rel)
        if not osp.isfile(path):
            report.bad('MISSING', f'{path} (expected {expected} ids)', DOWNLOAD['voc'])
            continue
        ids = _read_list(path)
        no_img = [i for i in ids if not osp.isfile(osp.join(root, year, 'JPEGImages', f'{i}.jpg'))]
        no_xml = [i for i in ids
                  if not osp.isfile(osp.join(root, year, 'Annotations', f'{i}.xml'))]
        if full and len(ids) < expected:
            report.bad('INCOMPLETE', f'{path}: {len(ids)} of {expected} ids', DOWNLOAD['voc'])
        if no_img or no_xml:
            report.bad('INCOMPLETE', f'{path}: {len(ids)} ids, {len(no_img)} without '
                       f'JPEGImages/<id>.jpg (e.g. {no_img[:3]}), {len(no_xml)} without '
                       f'Annotations/<id>.xml (e.g. {no_xml[:3]})', DOWNLOAD['voc'])
        elif not full or len(ids) >= expected:
            report.ok(f'{path}: {len(ids)} ids, every image and annotation present')
    return report


def _split_stems(root: str, list_file: Optional[str], img_dir: str, suffix: str) -> List[str]:
    """The images of a split, as paths under ``img_dir`` without ``suffix``: the ids of
    ``list_file``, else every ``*suffix`` file below ``img_dir`` (Cityscapes: city folders)."""
    if list_file is not None:
        return _read_list(osp.join(root, list_file))
    folder = osp.join(root, img_dir)
    return sorted(p[:-len(suffix)] for p in scandir(folder, suffix, recursive=True))


def check_segmentation(root: str, layout: str, full: bool = True) -> Report:
    """A semantic segmentation set as mmseg reads it: each split's images, each with its
    label PNG (``layout``: ``voc-seg``, ``cityscapes`` or ``ade``)."""
    report = Report()
    hint = DOWNLOAD[layout]
    if layout == 'voc-seg' and osp.isdir(osp.join(root, 'VOC2012')):
        root = osp.join(root, 'VOC2012')  # given VOCdevkit: the configs' data_root is VOC2012
    for list_file, img_dir, seg_dir, img_suffix, seg_suffix, expected in SEG_SPLITS[layout]:
        where = osp.join(root, list_file or img_dir)
        if list_file is not None and not osp.isfile(where):
            report.bad('MISSING', f'{where} (expected {expected} ids)', hint)
            continue
        if list_file is None and not osp.isdir(where):
            report.bad('MISSING', f'{where}: no such folder (expected {expected} images)', hint)
            continue
        stems = _split_stems(root, list_file, img_dir, img_suffix)
        no_img = [s for s in stems if not osp.isfile(osp.join(root, img_dir, s + img_suffix))]
        no_seg = [s for s in stems if not osp.isfile(osp.join(root, seg_dir, s + seg_suffix))]
        if not stems:
            report.bad('MISSING', f'{where}: no *{img_suffix} images (expected {expected})', hint)
        elif full and len(stems) < expected:
            report.bad('INCOMPLETE', f'{where}: {len(stems)} of {expected} images '
                       f'({expected - len(stems)} missing)', hint)
        if no_img or no_seg:
            report.bad('INCOMPLETE', f'{where}: {len(stems)} images, {len(no_img)} without '
                       f'{img_dir}/<id>{img_suffix} (e.g. {no_img[:3]}), {len(no_seg)} without '
                       f'the label {seg_dir}/<id>{seg_suffix} (e.g. {no_seg[:3]})', hint)
        elif stems and (not full or len(stems) >= expected):
            report.ok(f'{where}: {len(stems)} images, every label map present')
    return report


def main(argv=None) -> Tuple[int, Report]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('layout', choices=['coco', 'coco-plus', 'voc'] + list(SEG_SPLITS))
    parser.add_argument('root', help='data/coco, data/VOCdevkit, data/VOCdevkit/VOC2012, '
                        'data/cityscapes or data/ade/ADEChallengeData2016')
    parser.add_argument('--subset', action='store_true',
                        help='a subset is fine: do not compare counts with the full sets')
    parser.add_argument('--quick', action='store_true', help='COCO: do not parse the JSONs')
    args = parser.parse_args(argv)
    if not osp.isdir(args.root):
        print(f'MISSING     {args.root}: no such folder')
        return 1, Report()
    if args.layout == 'voc':
        report = check_voc(args.root, full=not args.subset)
    elif args.layout in SEG_SPLITS:
        report = check_segmentation(args.root, args.layout, full=not args.subset)
    else:
        report = check_coco(args.root, plus=args.layout == 'coco-plus', full=not args.subset,
                            quick=args.quick)
    print('\n'.join(report.lines))
    print(f'{args.layout} at {args.root}: ' + (
        'complete' if not report.problems else f'{report.problems} problem(s)'))
    return int(report.problems > 0), report


if __name__ == '__main__':
    sys.exit(main()[0])
