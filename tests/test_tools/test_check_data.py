"""tools/misc/check_data.py: COCO / COCO+ / VOC layouts, and exactly what is missing."""
import json
import os
import shutil

from orl_mm.testing.cli import load_tool

TOOL = 'tools/misc/check_data.py'


def _coco(root, n_train=3, n_val=2, listed_extra=0, unlabeled=0):
    for folder, n in (('train2017', n_train), ('val2017', n_val), ('unlabeled2017', unlabeled)):
        if n:
            os.makedirs(root / folder, exist_ok=True)
        for i in range(n):
            (root / folder / f'{i:012d}.jpg').write_bytes(b'\xff\xd8')
    os.makedirs(root / 'annotations', exist_ok=True)
    for split, n in (('train2017', n_train), ('val2017', n_val)):
        images = [{'id': i, 'file_name': f'{i:012d}.jpg'} for i in range(n + listed_extra)]
        (root / 'annotations' / f'instances_{split}.json').write_text(json.dumps(
            {'images': images, 'annotations': [{'id': 1, 'image_id': 0}], 'categories': []}))


def test_complete_subset_and_what_is_missing(tmp_path, capsys):
    tool = load_tool(TOOL)
    root = tmp_path / 'coco'
    _coco(root)
    code, report = tool.main(['coco', str(root), '--subset'])
    assert code == 0 and report.problems == 0
    assert 'train2017: 3 images' in capsys.readouterr().out
    # against the full COCO: counts are compared with the official ones
    code, report = tool.main(['coco', str(root)])
    out = capsys.readouterr().out
    assert code == 1 and report.problems == 2
    assert 'INCOMPLETE  ' in out and '3 of 118287 images (118284 missing)' in out
    assert '2 of 5000 images (4998 missing)' in out and 'download_dataset' in out
    # COCO+: unlabeled2017 is required
    code, report = tool.main(['coco-plus', str(root), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and 'MISSING' in out and 'unlabeled2017: no images' in out
    assert 'unlabeled2017.zip' in out
    _coco(root, unlabeled=2)
    assert tool.main(['coco-plus', str(root), '--subset'])[0] == 0


def test_listed_images_absent_and_broken_json(tmp_path, capsys):
    tool = load_tool(TOOL)
    root = tmp_path / 'coco'
    _coco(root, listed_extra=2)
    code, _ = tool.main(['coco', str(root), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and '2 of 5 listed images are not in' in out and '000000000003.jpg' in out
    (root / 'annotations' / 'instances_val2017.json').write_text('{"images": [')
    code, report = tool.main(['coco', str(root), '--subset'])
    assert code == 1 and 'not valid JSON' in capsys.readouterr().out
    os.remove(root / 'annotations' / 'instances_train2017.json')
    tool.main(['coco', str(root), '--subset'])
    assert 'MISSING     ' + str(root / 'annotations' / 'instances_train2017.json') in \
        capsys.readouterr().out


def test_voc0712(tmp_path, capsys):
    tool = load_tool(TOOL)
    root = tmp_path / 'VOCdevkit'
    for year, lists in (('VOC2007', ('trainval', 'test')), ('VOC2012', ('trainval', ))):
        os.makedirs(root / year / 'ImageSets' / 'Main')
        os.makedirs(root / year / 'JPEGImages')
        os.makedirs(root / year / 'Annotations')
        for name in lists:
            ids = [f'{name}_{i}' for i in range(2)]
            (root / year / 'ImageSets' / 'Main' / f'{name}.txt').write_text('\n'.join(ids))
            for i in ids:
                (root / year / 'JPEGImages' / f'{i}.jpg').write_bytes(b'')
                (root / year / 'Annotations' / f'{i}.xml').write_text('<annotation/>')
    assert tool.main(['voc', str(root), '--subset'])[0] == 0
    capsys.readouterr()
    os.remove(root / 'VOC2012' / 'Annotations' / 'trainval_1.xml')
    code, report = tool.main(['voc', str(root), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and report.problems == 1
    assert '0 without JPEGImages/<id>.jpg' in out
    assert "1 without Annotations/<id>.xml (e.g. ['trainval_1'])" in out
    code, report = tool.main(['voc', str(root)])  # full VOC: 2 of 5011 ids etc.
    assert code == 1 and '2 of 5011 ids' in capsys.readouterr().out
    assert tool.main(['voc', str(tmp_path / 'nowhere')])[0] == 1


def _touch(path):
    os.makedirs(path.parent, exist_ok=True)
    path.write_bytes(b'')


def test_voc_seg_aug(tmp_path, capsys):
    """VOC12 aug as the segmentation configs read it: train/aug/val lists, each id with its
    JPEG and its label PNG (SegmentationClassAug for aug.txt); VOCdevkit or VOC2012 both do."""
    tool = load_tool(TOOL)
    voc = tmp_path / 'VOCdevkit' / 'VOC2012'
    for split, labels in (('train', 'SegmentationClass'), ('aug', 'SegmentationClassAug'),
                          ('val', 'SegmentationClass')):
        ids = [f'{split}_{i}' for i in range(2)]
        _touch(voc / 'ImageSets' / 'Segmentation' / f'{split}.txt')
        (voc / 'ImageSets' / 'Segmentation' / f'{split}.txt').write_text('\n'.join(ids))
        for i in ids:
            _touch(voc / 'JPEGImages' / f'{i}.jpg')
            _touch(voc / labels / f'{i}.png')
    assert tool.main(['voc-seg', str(voc), '--subset'])[0] == 0
    assert tool.main(['voc-seg', str(tmp_path / 'VOCdevkit'), '--subset'])[0] == 0
    assert 'every label map present' in capsys.readouterr().out
    os.remove(voc / 'SegmentationClassAug' / 'aug_1.png')
    code, report = tool.main(['voc-seg', str(voc), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and report.problems == 1
    assert "1 without the label SegmentationClassAug/<id>.png (e.g. ['aug_1'])" in out
    assert 'voc_aug' in out  # how to make the aug labels
    code, report = tool.main(['voc-seg', str(voc)])  # against the official counts
    out = capsys.readouterr().out
    assert '2 of 1464 images' in out and '2 of 9118 images' in out and '2 of 1449' in out
    os.remove(voc / 'ImageSets' / 'Segmentation' / 'val.txt')
    tool.main(['voc-seg', str(voc), '--subset'])
    assert 'val.txt (expected 1449 ids)' in capsys.readouterr().out


def test_cityscapes_city_folders_and_train_ids(tmp_path, capsys):
    tool = load_tool(TOOL)
    root = tmp_path / 'cityscapes'
    for split in ('train', 'val'):
        for city in ('aachen', 'bonn'):
            stem = f'{city}_000000_000019'
            _touch(root / 'leftImg8bit' / split / city / f'{stem}_leftImg8bit.png')
            _touch(root / 'gtFine' / split / city / f'{stem}_gtFine_labelTrainIds.png')
    code, _ = tool.main(['cityscapes', str(root), '--subset'])
    assert code == 0 and 'train: 2 images, every label map present' in capsys.readouterr().out
    # only the raw labelIds (converter not run): said, with the converter
    os.remove(root / 'gtFine' / 'val' / 'bonn' / 'bonn_000000_000019_gtFine_labelTrainIds.png')
    _touch(root / 'gtFine' / 'val' / 'bonn' / 'bonn_000000_000019_gtFine_labelIds.png')
    code, _ = tool.main(['cityscapes', str(root), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and "1 without the label gtFine/val/<id>_gtFine_labelTrainIds.png" in out
    assert "['bonn/bonn_000000_000019']" in out and 'mim run mmseg cityscapes' in out
    tool.main(['cityscapes', str(root)])
    assert '2 of 2975 images (2973 missing)' in capsys.readouterr().out


def test_ade20k(tmp_path, capsys):
    tool = load_tool(TOOL)
    root = tmp_path / 'ADEChallengeData2016'
    for split in ('training', 'validation'):
        for i in range(3):
            _touch(root / 'images' / split / f'ADE_{split[:5]}_{i:08d}.jpg')
            _touch(root / 'annotations' / split / f'ADE_{split[:5]}_{i:08d}.png')
    assert tool.main(['ade', str(root), '--subset'])[0] == 0
    capsys.readouterr()
    shutil.rmtree(root / 'annotations' / 'validation')
    os.makedirs(root / 'annotations' / 'validation')
    code, report = tool.main(['ade', str(root), '--subset'])
    out = capsys.readouterr().out
    assert code == 1 and report.problems == 1
    assert '3 without the label annotations/validation' in out
    shutil.rmtree(root / 'images' / 'training')
    tool.main(['ade', str(root), '--subset'])
    out = capsys.readouterr().out
    assert 'images/training: no such folder (expected 20210 images)' in out
    assert 'ADEChallengeData2016.zip' in out
