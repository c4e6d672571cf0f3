"""dask imported when a dask object turns up, not by xarray's checks of numpy data.

xarray asks of every array it wraps in a Variable whether it is a dask array
(``xarray.namedarray.pycompat.array_type("dask")``, whose first call imports ``dask.array``:
about 0.3 s with the scipy modules it pulls in) and, of every array it checks for chunks,
whether it is a dask collection (``xarray.namedarray.utils.is_dask_collection``, which imports
``dask``: about 0.13 s). Opening a file without ``chunks=`` thus imported all of dask, which a
command that never asks for chunks (``geospacexr mhd movie``) paid before its first frame.

:func:`install` (run when this module is imported, first thing of ``import geospacexr``)
makes both answers lazy, with the same results:

* the dask array type is ``()`` (nothing is an instance of it) while ``dask.array`` is not
  imported: no dask array can exist before its module is; once it is imported (by
  ``chunks=``, ``ds.chunk()``, ``import dask.array``), the answer is xarray's own;
* an object is no dask collection while ``dask`` is not imported if it has no callable
  ``__dask_graph__`` (the first test of ``dask.base.is_dask_collection``); any other object is
  asked to dask, as before.

Nothing is changed where xarray's internals are not as expected (another xarray version).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["install"]


def _no_dask_graph(x: Any) -> bool:
    """``dask.base.is_dask_collection``'s first test: ``x`` is surely no dask collection."""
    return isinstance(x, type) or not callable(getattr(x, "__dask_graph__", None))


def install() -> bool:
    """Make xarray's dask checks import dask only when a dask object is met.

    Returns:
        Whether both checks are lazy now (``False`` for an xarray without these internals,
        left as it is, or when xarray had already made its dask answer).
    """
    try:
        from xarray.core import utils as core_utils
        from xarray.namedarray import pycompat
        from xarray.namedarray import utils as named_utils
    except ImportError:  # pragma: no cover - another xarray layout
        return False
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    module_class = getattr(pycompat, "DuckArrayModule", None)
    original = getattr(named_utils, "is_dask_collection", None)
    if not isinstance(cache, dict) or module_class is None or not callable(original):
        return False  # pragma: no cover - another xarray version
    if getattr(original, "_geospacexr_lazy", False):
        return True
    try:
        return _install(named_utils, core_utils, cache, module_class, original)
    except Exception:  # pragma: no cover - internals not as expected: xarray left as it is
        return False


def _install(
    named_utils: Any, core_utils: Any, cache: dict, module_class: Any, original: Any
) -> bool:
    """:func:`install` once xarray's internals are found."""

    class _LazyDaskModule(module_class):  # type: ignore[misc, valid-type]
        """xarray's record of dask as a duck-array module, made when dask.array is imported."""

        def __init__(self) -> None:  # no import here (xarray's record imports dask.array)
            pass

        @property
        def type(self) -> tuple[type, ...]:  # type: ignore[override]
            if getattr(sys.modules.get("dask.array"), "Array", None) is None:
                return ()  # no dask array can exist before its module does
            return self._resolve().type

        def _resolve(self) -> Any:
            real = module_class("dask")
            if cache.get("dask") is self:
                cache["dask"] = real
            return real

        def __getattr__(self, name: str) -> Any:  # module, version, available: xarray's own
            return getattr(self._resolve(), name)

    def is_dask_collection(x: object) -> bool:
        if "dask" not in sys.modules and _no_dask_graph(x):
            return False
        return bool(original(x))

    is_dask_collection._geospacexr_lazy = True  # type: ignore[attr-defined]
    is_dask_collection.__doc__ = original.__doc__
    named_utils.is_dask_collection = is_dask_collection
    if getattr(core_utils, "is_dask_collection", None) is original:
        core_utils.is_dask_collection = is_dask_collection
    if "dask" in cache:
        return False  # xarray already answered (and imported dask.array)
    cache["dask"] = _LazyDaskModule()
    return True


install()
