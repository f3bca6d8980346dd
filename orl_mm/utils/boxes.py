"""Box geometry shared by stage 2 (proposal filter, quality report) and the transforms."""
from typing import Sequence, Union

import numpy as np


def box_iou_xywh(box: Sequence[float],
                 boxes: Union[Sequence[float], np.ndarray]) -> Union[float, np.ndarray]:
    """IoU of one ``[x, y, w, h]`` box with one box (4,) or with many boxes (M, 4).

    Args:
        box: The box, (4,), continuous coordinates.
        boxes: One box (4,) -> a float, or M boxes (M, 4) -> an (M,) float64 array.

    Returns:
        The IoU(s); 0 where the union is empty.
    """
    a = np.asarray(box, dtype=np.float64)
    b = np.asarray(boxes, dtype=np.float64)
    many = b.reshape(-1, 4)
    x1 = np.maximum(a[0], many[:, 0])
    y1 = np.maximum(a[1], many[:, 1])
    x2 = np.minimum(a[0] + a[2], many[:, 0] + many[:, 2])
    y2 = np.minimum(a[1] + a[3], many[:, 1] + many[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = a[2] * a[3] + many[:, 2] * many[:, 3] - inter
    iou = inter / np.maximum(union, 1e-12)
    return float(iou[0]) if b.ndim == 1 else iou
