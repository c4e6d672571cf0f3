"""Figures made without pyplot show themselves in Jupyter (and in the executed documentation).

The plotting functions build :class:`matplotlib.figure.Figure` objects directly, never through
pyplot: no global figure list, nothing to close, safe in threads (movies) and in long-running
servers (the explorers). The price is that Jupyter knows nothing of those figures: pyplot's inline
backend shows only the figures pyplot made, IPython has no rich display for an ``Axes``, and it
has one for a ``Figure`` only once the inline backend has been activated (``%matplotlib inline``
or a pyplot import). A cell ending in ``images.asi.plot.keogram()`` then showed
``<Axes: title=...>`` and no figure.

:func:`enable` fixes that at the display level, leaving the return types alone. In an IPython
session it registers, once, two display formatters:

- for an ``Axes`` (cartopy's ``GeoAxes`` included) whose figure pyplot does not manage: the
  images of its figure, in whatever formats the session renders figures in (PNG, retina, SVG,
  as ``%config InlineBackend.figure_formats`` says), or a PNG when nothing renders figures
  (an interactive backend such as ipympl took them over);
- for a ``Figure`` pyplot does not manage, a PNG, only while nothing else renders figures
  (``%matplotlib inline`` replaces it with its own, configured one).

Figures made through pyplot are never touched: the inline backend already shows them at the end
of the cell, and showing them again here would draw them twice. Outside IPython (scripts, the
CLI, servers) nothing is registered, and nothing is ever kept: a formatter draws the figure it is
given when IPython asks for it, and holds no reference to it.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

__all__ = ["enable", "register"]

#: The MIME types whose figure formatters an ``Axes`` borrows.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")

_lock = threading.Lock()
_registered: set[int] = set()  # id() of the display formatters already set up


def enable() -> bool:
    """Register the display formatters in the running IPython session, if there is one.

    Cheap after the first call; does nothing (and imports nothing) outside IPython.

    Returns:
        Whether an IPython session was found (and is now set up).
    """
    module = sys.modules.get("IPython")  # a kernel or an IPython shell imported it already
    if module is None:
        return False
    get_ipython = getattr(module, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    formatter = getattr(shell, "display_formatter", None)
    if formatter is None:
        return False
    register(formatter)
    return True


def register(display_formatter: Any) -> None:
    """Register the ``Axes`` and ``Figure`` formatters on an IPython ``DisplayFormatter``.

    Args:
        display_formatter: ``get_ipython().display_formatter``, or any
            :class:`IPython.core.formatters.DisplayFormatter`.
    """
    key = id(display_formatter)
    if key in _registered:
        return
    with _lock:
        if key in _registered:
            return
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure

        formatters = display_formatter.formatters
        images = [formatters[mime] for mime in IMAGE_TYPES if mime in formatters]
        for mime in IMAGE_TYPES:
            if mime in formatters:
                fallback = images if mime == "image/png" else None
                formatters[mime].for_type(Axes, _axes_printer(formatters[mime], fallback))
        if "image/png" in formatters:
            png = formatters["image/png"]
            try:
                png.lookup_by_type(Figure)
            except KeyError:  # no inline backend yet: a plain PNG until one takes over
                png.for_type(Figure, _figure_png)
        _registered.add(key)


def _root_figure(ax: Any) -> Any:
    try:
        return ax.get_figure(root=True)  # matplotlib >= 3.10: the figure, not a subfigure
    except TypeError:
        return ax.get_figure()


def _pyplot_free(fig: Any) -> bool:
    return fig is not None and getattr(fig.canvas, "manager", None) is None


def _has_printer(formatter: Any, fig: Any) -> bool:
    try:
        formatter.lookup(fig)
    except KeyError:
        return False
    return True


def _axes_printer(formatter: Any, fallback: list[Any] | None) -> Any:
    """The printer for an ``Axes``: its figure, as ``formatter`` renders a Figure now.

    With ``fallback`` (the image formatters, given to the PNG one), an Axes whose figure no
    image formatter renders (an interactive backend such as ipympl took figures over) is a PNG.
    """

    def show(ax: Any) -> Any:
        fig = _root_figure(ax)
        if not _pyplot_free(fig):
            return None  # pyplot's figure: the inline backend shows it (or nobody should)
        try:
            printer = formatter.lookup(fig)
        except KeyError:
            if fallback is not None and not any(_has_printer(f, fig) for f in fallback):
                return _figure_png(fig)
            return None
        return printer(fig)

    return show


def _figure_png(fig: Any) -> Any:
    if not _pyplot_free(fig):
        return None
    from IPython.core.pylabtools import print_figure

    return print_figure(fig, fmt="png", base64=True)
