from .builder import CLASSES, build_demo_dataset

__all__ = ['CLASSES', 'build_demo_dataset']
