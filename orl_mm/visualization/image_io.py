"""Writing figures: PNG files, atomically, with their folder created; tile captions."""
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


def label_tile(tile: np.ndarray, text: str, height: int = 22) -> np.ndarray:
    """A white caption bar of ``height`` px with ``text`` above an (H, W, 3) uint8 tile."""
    bar = np.full((height, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text[:max(1, tile.shape[1] // 8)], (3, height - 6),
                cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([bar, tile])
