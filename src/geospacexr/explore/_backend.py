"""HoloViews' Bokeh backend for the explorers, without repeating the notebook loaders."""

from __future__ import annotations

__all__ = ["bokeh_backend"]


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
