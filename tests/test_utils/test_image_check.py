"""Bad image files are named and described in words, never by a Python object repr."""
import numpy as np
import pytest
from PIL import Image

from orl_mm.correspondence.images import read_image_bgr
from orl_mm.datasets.correspondence import read_image_sizes
from orl_mm.evaluation.features import load_image_tensor
from orl_mm.utils.image_check import ImageReadError

READERS = {'stage2': read_image_bgr, 'features': lambda p: load_image_tensor(p, 16)}


def _bad_files(folder):
    good = folder / 'good.jpg'
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)).save(good)
    content = good.read_bytes()
    (folder / 'empty.jpg').write_bytes(b'')
    (folder / 'notes.jpg').write_text('this is a text file, not a picture\n')
    (folder / 'cut.jpg').write_bytes(content[:len(content) // 2])
    (folder / 'head.png').write_bytes(b'\x89PNG\r\n\x1a\n\x00')
    return {'empty.jpg': r'empty file \(0 bytes\)',
            'notes.jpg': r'not an image file \(35 bytes',
            'cut.jpg': rf'truncated JPEG file \({len(content) // 2} bytes\): the image data '
                       'ends early',
            'head.png': r'truncated or corrupt PNG file \(9 bytes\)'}


@pytest.mark.parametrize('reader', sorted(READERS))
def test_each_fault_is_said_in_words_with_the_path(tmp_path, reader):
    for name, words in _bad_files(tmp_path).items():
        with pytest.raises(ImageReadError, match=f'{tmp_path / name}: {words}') as info:
            READERS[reader](str(tmp_path / name))
        assert 'object at 0x' not in str(info.value)
    READERS[reader](str(tmp_path / 'good.jpg'))  # a good file still decodes


def test_stage3_sizes_name_a_file_whose_header_cannot_be_read(tmp_path):
    faults = _bad_files(tmp_path)
    assert read_image_sizes([str(tmp_path / 'good.jpg')], progress=False) == [(48, 48)]
    for name in ('empty.jpg', 'notes.jpg', 'head.png'):  # a cut body still has a header
        with pytest.raises(ImageReadError, match=f'{tmp_path / name}: {faults[name]}'):
            read_image_sizes([str(tmp_path / name)], progress=False)
