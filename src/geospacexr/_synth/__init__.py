"""Deterministic generators of sample files in real formats (see geospacexr.datasets)."""
