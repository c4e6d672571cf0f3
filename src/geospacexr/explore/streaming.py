"""One plot pane updated by streaming: the explorers' way to redraw without rebuilding Bokeh.

Setting a Panel HoloViews pane's ``object`` builds a new Bokeh figure on every change (0.3 to
2 s server-side for an image with a colour bar on a loaded machine). A :class:`StreamedPlot`
shows a DynamicMap fed by a Pipe instead: while the new element has the same structure (the
caller's ``key``: which layers, which glyphs) it is sent through the Pipe, and Bokeh receives new
data for the figure it has; only a new structure builds a new figure.

:func:`bokeh_backend` makes Bokeh the HoloViews backend of every explorer, once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["StreamedPlot", "bokeh_backend"]


def _identity(data: Any, **_: Any) -> Any:
    """The DynamicMap's callback: the element last sent (stream values are ignored)."""
    return data


class StreamedPlot:
    """A Panel HoloViews pane whose figure is updated in place while its structure holds.

    Args:
        pane: The ``pn.pane.HoloViews`` to draw into (its ``object`` becomes a DynamicMap).
        streams: Called on each new figure, returns the interaction streams (Tap, BoundsXY...)
            to attach to it: a stream is linked to the Bokeh plot only as one of the
            DynamicMap's own streams, and one stream serves one plot.

    Attributes:
        element: The HoloViews element shown now.
        built: How many figures were built (a streamed update builds none).
    """

    def __init__(self, pane: Any, streams: Callable[[], Sequence[Any]] | None = None) -> None:
        self.pane = pane
        self._streams = streams
        self._pipe: Any = None
        self._key: Any = None
        self.element: Any = None
        self.built = 0

    def show(self, element: Any, key: Any = None, static: Any = None) -> None:
        """Draw ``element``: streamed into the figure when ``key`` is the previous one's.

        Args:
            element: A HoloViews element or overlay (what changes).
            key: What fixes the figure's structure (layers and glyph types); a different key
                builds a new figure.
            static: Layers drawn over ``element`` that do not change while ``key`` holds
                (decorations): overlaid once, HoloViews skips them on each streamed update.
        """
        import holoviews as hv

        self.element = element if static is None else element * static
        if self._pipe is not None and key == self._key:
            self._pipe.send(element)
            return
        self._pipe = hv.streams.Pipe(data=element)
        extra = list(self._streams()) if self._streams is not None else []
        self._key = key
        self.built += 1
        dmap = hv.DynamicMap(_identity, streams=[self._pipe, *extra])
        self.pane.object = dmap if static is None else dmap * static


def bokeh_backend() -> None:
    """Make Bokeh HoloViews' plotting backend (once per process).

    ``hv.extension("bokeh")`` also displays, in a notebook, HoloViews' and Bokeh's JavaScript
    loaders (about 50 kB of output stored in the notebook); when Panel's extension has already
    loaded them (``pn.extension()``, as the tutorials do first), only the renderer is registered,
    so an explorer's cell stores the explorer and nothing else.
    """
    import holoviews as hv

    if "bokeh" in hv.Store.renderers:
        return
    import panel as pn

    if pn.extension._loaded:  # the page has Bokeh's and Panel's JavaScript already
        import holoviews.plotting.bokeh

        hv.Store.set_current_backend("bokeh")
    else:
        hv.extension("bokeh", logo=False)
