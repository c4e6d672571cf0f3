"""Pure functions on all-sky imager Datasets (keograms; skymaps, mosaics and more to come)."""

from .keogram import default_column, keogram

__all__ = ["default_column", "keogram"]
