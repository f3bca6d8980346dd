"""Data structures shared by several parts of orl_mm, each depending on nothing else of it."""
from .correspondence import Correspondence, CorrespondenceError, load_correspondence
from .method import (FigureSpec, MethodSpec, get_method, method_of_algorithm, method_of_state_dict,
                     register_method, registered_methods)

__all__ = ['Correspondence', 'CorrespondenceError', 'load_correspondence', 'FigureSpec',
           'MethodSpec', 'get_method', 'method_of_algorithm',
           'method_of_state_dict', 'register_method', 'registered_methods']
