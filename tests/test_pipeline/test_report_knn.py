"""The report's k-NN column headers say which k was really used."""
from orl_mm.pipeline.report import knn_header


def test_knn_header_shows_the_k_used_when_clipped():
    scores = {'byol': {'knn_k_used': {'10': 10, '100': 32}},
              'orl': {'knn_k_used': {'10': 10, '100': 32}},
              'random': {}}  # an older knn.json without k_used
    assert knn_header('10', scores) == 'k-NN k=10'
    assert knn_header('100', scores) == 'k-NN k=100 (used 32)'
    assert knn_header('200', {'a': {}}) == 'k-NN k=200'
