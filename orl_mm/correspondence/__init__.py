"""ORL stage 2: correspondence discovery (k-NN images, proposals, RoI pairs) and its file."""
from .io import (Correspondence, CorrespondenceError, atomic_write_json, load_correspondence,
                 save_correspondence)

__all__ = [
    'Correspondence', 'CorrespondenceError', 'atomic_write_json', 'load_correspondence',
    'save_correspondence'
]
