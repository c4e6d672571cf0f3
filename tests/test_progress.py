"""Progress bars degrade cleanly: a notebook keeps no bar text, a script shows none unasked."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from geospacexr._progress import in_notebook, progress

REPO = Path(__file__).resolve().parents[1]


def test_outside_a_notebook_and_a_terminal_no_bar_unless_asked(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    assert not in_notebook()
    assert list(progress(range(3), desc="quiet")) == [0, 1, 2]
    assert stderr.getvalue() == ""
    with progress(total=2, desc="asked", unit="step", show=True) as bar:
        bar.update(2)
    assert "asked" in stderr.getvalue() and "2/2" in stderr.getvalue()


def _run(source: str):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    env = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(REPO / "src") + (os.pathsep + env if env else "")
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        os.environ["PYTHONPATH"] = env
        if not env:
            del os.environ["PYTHONPATH"]
    return nb


def test_in_a_notebook_the_bar_shows_while_running_and_leaves_nothing():
    """Executed as the docs and nbval do: no widget view, no stderr, no meter text kept."""
    from test_notebook_outputs import problems

    nb = _run(
        "import time\n"
        "from geospacexr._progress import in_notebook, progress\n"
        "assert in_notebook()\n"
        "for _ in progress(range(4), desc='working', unit='step'):\n"
        "    time.sleep(0.15)\n"
        "print('done')\n"
    )
    assert not problems(nb), problems(nb)
    outputs = nb.cells[0].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    # the bar was one display (updated in place while running), emptied at the end
    assert len(shown) == 1, outputs
    assert dict(shown[0].data) == {"text/plain": ""}, shown[0].data
    streams = [o for o in outputs if o.output_type == "stream"]
    assert [(o.name, o.text) for o in streams] == [("stdout", "done\n")], streams
