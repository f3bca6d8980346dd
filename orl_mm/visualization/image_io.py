"""Writing figures: PNG files, atomically, with their folder created."""
import os
import os.path as osp

import cv2
import numpy as np


def save_png(image_bgr: np.ndarray, out_file: str) -> None:
    """Encode an (H, W, 3) uint8 BGR image as PNG and write it via a temp file + rename.

    Raises:
        RuntimeError: If OpenCV cannot encode the image.
    """
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    ok, png = cv2.imencode('.png', image_bgr)
    if not ok:
        raise RuntimeError(f'cannot encode {out_file}')
    tmp = f'{out_file}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(png.tobytes())
    os.replace(tmp, out_file)
