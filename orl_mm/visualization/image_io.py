"""Writing figures: PNG files, atomically, with their folder created."""
import cv2
import numpy as np

from orl_mm.utils.io import atomic_write


def save_png(image_bgr: np.ndarray, out_file: str) -> None:
    """Encode an (H, W, 3) uint8 BGR image as PNG and write it via a temp file + rename.

    Raises:
        RuntimeError: If OpenCV cannot encode the image.
    """
    ok, png = cv2.imencode('.png', image_bgr)
    if not ok:
        raise RuntimeError(f'cannot encode {out_file}')
    atomic_write(out_file, lambda f: f.write(png.tobytes()))
