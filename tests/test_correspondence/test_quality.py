"""GT quality report: exact fractions on a hand-made correspondence file."""
import json

import pytest

from orl_mm.correspondence.quality import has_instances, quality_report
from orl_mm.structures.correspondence import Correspondence, save_correspondence


def test_quality_fractions(tmp_path):
    # image a: a cat at [0, 0, 100, 100]; image b: a cat at [50, 50, 100, 100] and a dog
    ann = dict(
        images=[dict(id=1, file_name='a.jpg', width=300, height=300),
                dict(id=2, file_name='b.jpg', width=300, height=300)],
        annotations=[
            dict(id=1, image_id=1, category_id=17, bbox=[0, 0, 100, 100], iscrowd=0),
            dict(id=2, image_id=2, category_id=17, bbox=[50, 50, 100, 100], iscrowd=0),
            dict(id=3, image_id=2, category_id=18, bbox=[200, 0, 100, 100], iscrowd=0)],
        categories=[dict(id=17, name='cat'), dict(id=18, name='dog')])
    ann_path = tmp_path / 'ann.json'
    ann_path.write_text(json.dumps(ann))
    cat_a, cat_b, dog_b = [0, 0, 100, 100], [50, 50, 100, 100], [200, 0, 100, 100]
    shifted = [0, 0, 100, 150]  # IoU with cat_a = 1 / 1.5 >= 0.5
    off = [150, 150, 100, 100]  # on nothing
    corr = Correspondence(
        file_names=['a.jpg', 'b.jpg'], image_ids=[1, 2],
        boxes=[[cat_a, shifted], [cat_b, dog_b, off]],
        neighbours=[[1], [0]],
        neighbour_pairs=[[[cat_a + cat_b, shifted + dog_b]],  # correct, wrong category
                         [[off + cat_a, cat_b + shifted]]])   # background, correct
    path = str(tmp_path / 'corr.json')
    save_correspondence(corr, path)
    assert has_instances(str(ann_path))
    rep = quality_report(path, str(ann_path), seed=0)
    assert rep['num_pairs'] == 4
    assert rep['mined_correct'] == 2 and rep['mined_fraction'] == 0.5
    assert rep['mined_box_on_object_fraction'] == 7 / 8
    assert rep['mined_both_on_object_fraction'] == 3 / 4
    # random pairs: from image a every box is on the cat; from b 1 of 3 boxes is the cat
    assert 0 <= rep["random_correct"] <= 40
    assert quality_report(path, str(ann_path), seed=0) == rep  # seeded
    many = quality_report(path, str(ann_path), seed=1)
    assert many['seed'] == 1 and many['mined_fraction'] == 0.5


def test_random_baseline_expectation(tmp_path):
    """With many pairs the random fraction converges to its exact expectation (1/3 here)."""
    ann = dict(
        images=[dict(id=1, file_name='a.jpg'), dict(id=2, file_name='b.jpg')],
        annotations=[
            dict(id=1, image_id=1, category_id=1, bbox=[0, 0, 100, 100]),
            dict(id=2, image_id=2, category_id=1, bbox=[0, 0, 100, 100])],
        categories=[dict(id=1, name='x')])
    (tmp_path / 'ann.json').write_text(json.dumps(ann))
    box, other = [0, 0, 100, 100], [200, 200, 50, 50]
    pairs = [box + box] * 3000
    corr = Correspondence(['a.jpg', 'b.jpg'], [1, 2], [[box], [box, other, other]],
                          [[1], [0]], [[pairs], [[box + box]]])
    save_correspondence(corr, str(tmp_path / 'c.json'))
    rep = quality_report(str(tmp_path / 'c.json'), str(tmp_path / 'ann.json'))
    assert rep['mined_fraction'] == 1.0
    assert rep['random_fraction'] == pytest.approx(1 / 3, abs=0.03)
    assert rep['random_both_on_object_fraction'] == rep['random_fraction']
