"""Progress bars that degrade cleanly: a bar in a terminal, nothing left behind in a notebook.

A plain ``tqdm`` writes to stderr, which a notebook shows as red text; ``tqdm.auto`` draws an
ipywidgets bar, which is stored in the notebook as a widget view with a text fallback, and
wherever widgets do not render (nbval, GitHub's or the documentation's rendering of an executed
notebook, a kernel without a widget frontend) that fallback shows as a line of text such as
``AuroraX search: 3poll [00:01, 2.9poll/s]``. :func:`progress` draws its bar in a notebook as
one display that it updates in place (an HTML ``<progress>`` element, so no widget frontend is
needed) and empties when the work is done, so an executed notebook keeps no trace of it; in a
terminal it is an ordinary tqdm bar on stderr.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable
from typing import Any

from tqdm.std import tqdm

__all__ = ["in_notebook", "progress"]


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (a notebook, JupyterLab, VS Code, Colab).

    Returns:
        True when IPython's active shell is a kernel's (``ZMQInteractiveShell``); False in a
        terminal, in plain IPython and in scripts.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class _NotebookBar(tqdm):
    """A tqdm bar drawn as one notebook display, updated in place and emptied when closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._handle: Any = None
        kwargs["gui"] = True  # tqdm.std prints nothing itself: display() below draws
        super().__init__(*args, **kwargs)

    def _bundle(self) -> dict[str, str]:
        text = self.format_meter(**self.format_dict)
        total = self.total or 0
        value = f' value="{self.n}" max="{total}"' if total else ""
        bar = f"<progress{value}></progress> <code>{html.escape(text)}</code>"
        return {"text/plain": text, "text/html": f"<div>{bar}</div>"}

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:  # tqdm's hook
        from IPython.display import display

        if self._handle is None:
            self._handle = display(self._bundle(), raw=True, display_id=True)
        else:
            self._handle.update(self._bundle(), raw=True)
        return True

    def close(self) -> None:
        if self.disable:
            return
        super().close()
        if self._handle is not None:  # shown: leave nothing behind (not even a blank line)
            self._handle.update({"text/plain": ""}, raw=True)
            self._handle = None


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: float | None = None,
    desc: str = "",
    unit: str = "it",
    show: bool | None = None,
    delay: float = 0.0,
) -> tqdm:
    """A progress bar over ``iterable`` (or updated by hand) that degrades cleanly.

    Args:
        iterable: What to iterate over (``None``: call ``update`` on the bar).
        total: Number of steps expected (default ``len(iterable)`` when it has one).
        desc: Text before the bar.
        unit: The name of one step.
        show: True: always; False: never; None: in a terminal (stderr is a TTY) or a notebook.
        delay: Seconds before the bar first shows (quick work shows no bar at all).

    Returns:
        A ``tqdm`` bar: iterate over it, or ``update()`` it and ``close()`` it (it is also a
        context manager). In a notebook it is one display updated in place and emptied when
        closed; elsewhere it writes to stderr.
    """
    notebook = in_notebook()
    if show is None:
        show = notebook or sys.stderr.isatty()
    options = {"total": total, "desc": desc, "unit": unit, "delay": delay}
    if not show:
        return tqdm(iterable, disable=True, **options)
    if notebook:
        return _NotebookBar(iterable, **options)
    return tqdm(iterable, file=sys.stderr, **options)
