"""The protocol value: reference settings, named deviations, the reference's normalisation."""
from dataclasses import replace

import numpy as np
import pytest

from orl_mm.evaluation.voc07_protocol import (REFERENCE_PROTOCOL, normalize_features,
                                              protocol_for_size)


def test_reference_protocol_has_no_deviation_and_others_are_named():
    assert REFERENCE_PROTOCOL.deviations() == []
    small = protocol_for_size(64, costs=(1.0, 10.0), low_shot_negatives='k')
    assert small.resize_short == 73 and protocol_for_size(224) == REFERENCE_PROTOCOL
    assert small.deviations() == [
        'resize_short: 73 (reference 256)', 'input_size: 64 (reference 224)',
        'costs: [1.0, 10.0] (reference 19 values [1.0, 10.0, 100.0] ... 1.9073486328125e-06)',
        'low_shot_negatives: k (reference per_other_class)']
    assert replace(REFERENCE_PROTOCOL, shuffle_folds=True).deviations() == [
        'shuffle_folds: True (reference False)']


def test_bad_protocol_values_are_refused_in_words():
    with pytest.raises(ValueError, match="pooling must be 'specified' or 'adaptive'"):
        replace(REFERENCE_PROTOCOL, pooling='max')
    with pytest.raises(ValueError, match='low_shot_negatives must be one of'):
        replace(REFERENCE_PROTOCOL, low_shot_negatives='some')
    with pytest.raises(ValueError, match='costs must be positive'):
        replace(REFERENCE_PROTOCOL, costs=(0.0, 1.0))


def test_normalize_features_adds_eps_to_the_norm():
    """svm_helper.normalize_features: x / (|x| + 1e-5), in float64."""
    out = normalize_features(np.array([[3., 4.], [0., 0.], [1e-5, 0.]], np.float32))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out[0], [3 / 5.00001, 4 / 5.00001], rtol=1e-12)
    np.testing.assert_array_equal(out[1], [0., 0.])
    np.testing.assert_allclose(out[2], [0.5, 0.], rtol=1e-6)  # 1e-5 / (1e-5 + 1e-5)
