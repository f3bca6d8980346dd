"""The correspondence file: reference layout round-trip, and each malformed variant."""
import copy
import json

import pytest

from orl_mm.structures import Correspondence, CorrespondenceError, load_correspondence
from orl_mm.structures.correspondence import save_correspondence

SIZES = [(200, 150), (120, 100), (300, 300)]


def _reference_dict():
    """A file as the ORL reference writes it (3 images, K = 2)."""
    return {
        'info': dict(bbox_min_size=96, bbox_max_aspect_ratio=3, bbox_max_iou=0.5,
                     intra_bbox_num=100, knn_image_num=2, knn_bbox_pair_ratio=0.1),
        'images': {'file_name': ['a.jpg', 'b.jpg', 'c.jpg'], 'id': [11, 22, 33]},
        'pseudo_annotations': {
            'image_id': [11, 22, 33],
            'bbox': [[[0, 0, 100, 100], [50, 20, 150, 130]], [[10, 0, 100, 100]],
                     [[0, 0, 300, 300]]],
            'knn_image_id': [[1, 2], [0, 2], [0, 1]],
            'knn_bbox_pair': [
                [[[0, 0, 100, 100, 10, 0, 100, 100]], [[50, 20, 150, 130, 0, 0, 300, 300]]],
                [[[10, 0, 100, 100, 0, 0, 100, 100]], [[10, 0, 100, 100, 0, 0, 300, 300]]],
                [[[0, 0, 300, 300, 50, 20, 150, 130]], [[0, 0, 300, 300, 10, 0, 100, 100]]],
            ],
        },
    }


def test_reads_reference_layout_and_round_trips(tmp_path):
    path = tmp_path / 'ref.json'
    path.write_text(json.dumps(_reference_dict()))
    corr = load_correspondence(str(path), image_sizes=SIZES)
    assert len(corr) == 3 and corr.neighbours[2] == [0, 1]
    assert corr.neighbour_pairs[0][1][0] == [50, 20, 150, 130, 0, 0, 300, 300]
    out = tmp_path / 'out.json'
    save_correspondence(corr, str(out))
    assert json.loads(out.read_text()) == _reference_dict()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def _mutated(mutate):
    data = _reference_dict()
    mutate(data)
    return data


MALFORMED = {
    'no images object': (lambda d: d.pop('images'), 'missing or malformed "images"'),
    'count mismatch': (lambda d: d['pseudo_annotations']['bbox'].pop(),
                       '"pseudo_annotations.bbox" has 2 entries for 3 images'),
    'neighbour out of range': (lambda d: d['pseudo_annotations']['knn_image_id'][1].__setitem__(
        0, 3), r'image 1 \(b.jpg\): neighbour 0 index 3 is not in \[0, 3\)'),
    'box outside image': (lambda d: d['pseudo_annotations']['bbox'][1].append([50, 50, 100, 60]),
                          r'image 1 \(b.jpg\): bbox\[1\] \[50, 50, 100, 60\] is outside'),
    'key box outside neighbour': (
        lambda d: d['pseudo_annotations']['knn_bbox_pair'][0][0][0].__setitem__(6, 500),
        r'image 0 \(a.jpg\): pair 0 of neighbour 0 \(key box\) .* outside image 1'),
    'empty pair list': (lambda d: d['pseudo_annotations']['knn_bbox_pair'][2].__setitem__(0, []),
                        r'image 2 \(c.jpg\): neighbour 0 \(image 0\) has no box pair'),
    'pair of 7 numbers': (lambda d: d['pseudo_annotations']['knn_bbox_pair'][0][1][0].pop(),
                          'is not 8 numbers'),
    'no intra box': (lambda d: d['pseudo_annotations']['bbox'].__setitem__(0, []),
                     r'image 0 \(a.jpg\): no intra-image box'),
    'zero-area box': (lambda d: d['pseudo_annotations']['bbox'][0].__setitem__(0, [0, 0, 0, 5]),
                      'has no area'),
    'pair lists vs neighbours': (lambda d: d['pseudo_annotations']['knn_bbox_pair'][1].pop(),
                                 r'image 1 \(b.jpg\): 2 neighbours but 1 pair lists'),
}


@pytest.mark.parametrize('name', sorted(MALFORMED))
def test_rejects_malformed(tmp_path, name):
    mutate, message = MALFORMED[name]
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(_mutated(mutate)))
    with pytest.raises(CorrespondenceError, match=message):
        load_correspondence(str(path), image_sizes=SIZES)


def test_rejects_dataset_size_mismatch_and_bad_json(tmp_path):
    path = tmp_path / 'ref.json'
    path.write_text(json.dumps(_reference_dict()))
    with pytest.raises(CorrespondenceError, match='3 images in the file but 2 in the dataset'):
        load_correspondence(str(path), image_sizes=SIZES[:2])
    path.write_text('{"info": ')
    with pytest.raises(CorrespondenceError, match='not valid JSON'):
        load_correspondence(str(path))


def test_empty_pairs_allowed_when_asked(tmp_path):
    """An empty pair list is an error by default and accepted, kept empty, when asked."""
    data = _mutated(MALFORMED['empty pair list'][0])
    corr = Correspondence.from_dict(copy.deepcopy(data))
    with pytest.raises(CorrespondenceError, match='has no box pair'):
        corr.validate(SIZES)
    corr.validate(SIZES, allow_empty_pairs=True)  # the same data passes with the flag
    path = tmp_path / 'empty_pairs.json'
    path.write_text(json.dumps(data))
    loaded = load_correspondence(str(path), image_sizes=SIZES, allow_empty_pairs=True)
    assert loaded.to_dict()['pseudo_annotations']['knn_bbox_pair'][2][0] == []
    assert loaded.to_dict() == data
