"""Data preprocessors of orl_mm, registered in mmpretrain's MODELS."""
from .device_colour import DeviceColourDataPreprocessor, stack_colour_params
from .device_colour_ops import (NUM_PARAMS, PARAM_FIELDS, apply_colour, blur_kernel_size,
                                identity_params)

__all__ = ['DeviceColourDataPreprocessor', 'stack_colour_params', 'NUM_PARAMS',
           'PARAM_FIELDS', 'apply_colour', 'blur_kernel_size', 'identity_params']
