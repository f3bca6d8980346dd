"""Data structures shared by several parts of orl_mm, each depending on nothing else of it."""
from .correspondence import (Correspondence, CorrespondenceError, load_correspondence,
                             save_correspondence)

__all__ = ['Correspondence', 'CorrespondenceError', 'load_correspondence', 'save_correspondence']
