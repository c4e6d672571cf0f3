"""Radiation belts: magnetic-field models, field-line tracing and the adiabatic invariants.

Importing this package is cheap; the compiled kernels (numba, cached on disk) load on first use.

Example:
    >>> import geospacexr.rb as rb
    >>> p = rb.particles(x=[5.0], y=[0.0], z=[0.0], pitch_angle=[60.0])
    >>> result = p.rb.lstar(rb.models.get("dipole"))
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCURACY",
    "STATUS",
    "K",
    "M",
    "compile_estimate",
    "explore",
    "footprint",
    "lstar",
    "models",
    "particles",
    "trace",
    "ts05_w",
    "warmup",
]

_LAZY = {
    "ACCURACY": ("invariants", "ACCURACY"),
    "STATUS": ("invariants", "STATUS"),
    "K": ("invariants", "K"),
    "M": ("invariants", "M"),
    "lstar": ("invariants", "lstar"),
    "particles": ("invariants", "particles"),
    "trace": ("tracing", "trace"),
    "footprint": ("tracing", "footprint"),
    "warmup": ("_startup", "warmup"),
    "compile_estimate": ("_startup", "estimate"),
    "ts05_w": ("wparams", "ts05_w"),
}


def explore(**kwargs: Any) -> Any:
    """The live radiation-belt explorer (see :func:`geospacexr.explore.rb.explore`).

    Args:
        **kwargs: Initial ``model``, ``time``, ``position``, ``pitch_angle``, ``energy``.

    Returns:
        A Panel component.
    """
    from ..explore.rb import explore as _explore

    return _explore(**kwargs)


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    modules = ("models", "tracing", "invariants", "frames", "igrf", "tsyganenko", "drivers")
    if name in (*modules, "wparams"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
