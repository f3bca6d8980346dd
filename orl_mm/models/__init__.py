"""Models of orl_mm (algorithms, losses, necks, heads), registered in mmpretrain's MODELS."""
