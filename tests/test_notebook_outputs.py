"""What a reader of the notebooks sees: every figure shows, as a picture, and nothing else is noise.

nbval (``--nbval-lax``) runs the notebooks and fails on an error, but it does not look at what a
cell shows. These tests execute the notebooks in a Jupyter kernel, as the documentation build
does, and read their outputs: a cell that ends in a figure (an Axes, a Figure, a matplotlib
artist) must show an image, not only ``<Axes: ...>``; nothing is written to stderr except the
library's own progress notes; no image, and no inline explorer, is heavier than the pages
should carry; no progress bar leaves its text behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: the text repr of a matplotlib object: an Axes, a Figure, an artist or a list of them
MATPLOTLIB_REPR = re.compile(r"^(\[|array\(\[)?<(\w*Axes\w*|Figure|matplotlib\.)")
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
#: the largest image of one cell, bytes (base64); a page carries a dozen of them
MAX_IMAGE_BYTES = 1_000_000
#: the largest inline explorer (a Bokeh document in a cell's HTML), bytes: 05-explorers stored
#: 973 kB for the GCM explorer (issue 18); the ASI explorer's first frame of camera counts is
#: the heaviest now (about 250 kB)
MAX_DOCUMENT_BYTES = 300_000
#: what the library may write to stderr in a notebook: its one-line progress notes
STDERR_ALLOWED = re.compile(r"^geospacexr: compiling .*kernels once")
#: a tqdm meter's text (``3poll [00:01, 2.9poll/s]``): a progress bar left behind as text, which
#: is what a reader sees wherever widgets do not render (GitHub, the docs, nbval)
PROGRESS_TEXT = re.compile(r"\[\d\d:\d\d(:\d\d)?(<[^,\]]*)?, [^\]]*/s\]")


def problems(nb) -> list[str]:
    """What a reader would trip on in an executed notebook: one line per output."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index} ({cell.source.splitlines()[-1] if cell.source else ''!r})"
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "error":
                found.append(f"{where}: {out['ename']}: {out['evalue']}")
            elif kind == "stream" and PROGRESS_TEXT.search(out["text"]):
                found.append(f"{where}: a progress bar's text {out['text'].strip()[-80:]!r}")
            elif kind == "stream" and out["name"] == "stderr":
                for line in out["text"].splitlines():
                    if line.strip() and not STDERR_ALLOWED.match(line):
                        found.append(f"{where}: stderr {line[:120]!r}")
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                text = data.get("text/plain", "")
                images = [m for m in IMAGE_TYPES if m in data]
                html = data.get("text/html", "")
                html = html if isinstance(html, str) else "".join(html)
                if "docs_json" in html and len(html) > MAX_DOCUMENT_BYTES:
                    found.append(f"{where}: an inline document of {len(html):,} bytes")
                if PROGRESS_TEXT.search(text):
                    found.append(f"{where}: a progress bar's text {text.strip()[-80:]!r}")
                if MATPLOTLIB_REPR.match(text) and not images:
                    found.append(f"{where}: shows {text[:80]!r} and no figure")
                for mime in images:
                    if len(data[mime]) > MAX_IMAGE_BYTES:
                        found.append(f"{where}: a {len(data[mime]):,}-byte {mime}")
    return found


def execute(path: Path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    # the kernel imports this checkout's sources, as a development install does
    env = os.environ.get("PYTHONPATH", "")
    src = str(REPO / "src")
    os.environ["PYTHONPATH"] = src + (os.pathsep + env if env else "")
    try:
        client = nbclient.NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        os.environ["PYTHONPATH"] = env
        if not env:
            del os.environ["PYTHONPATH"]
    return nb


def test_problems_are_found():
    """The check itself: an Axes without an image, an artist list, an error, a stray warning."""
    nbformat = pytest.importorskip("nbformat")
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell(
            "ax",
            outputs=[v4.new_output("execute_result", {"text/plain": "<Axes: title={}>"})],
        ),
        v4.new_code_cell(
            "da.plot()",
            outputs=[
                v4.new_output("execute_result", {"text/plain": "[<matplotlib.lines.Line2D>]"}),
                v4.new_output("display_data", {"image/png": "iVBOR", "text/plain": "<Figure>"}),
            ],
        ),
        v4.new_code_cell(
            "1/0",
            outputs=[v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])],
        ),
        v4.new_code_cell(
            "f()",
            outputs=[
                v4.new_output("stream", name="stderr", text="UserWarning: careful\n"),
                v4.new_output(
                    "stream", name="stderr", text="geospacexr: compiling the T89 kernels once\n"
                ),
            ],
        ),
        v4.new_code_cell(
            "search.wait()",
            outputs=[
                v4.new_output(
                    "display_data",
                    {
                        "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                        "text/plain": "AuroraX search: 3poll [00:01,  2.90poll/s]",
                    },
                ),
                v4.new_output("stream", name="stdout", text="compiling: 2 [00:03<?, ?kernel/s]"),
            ],
        ),
        v4.new_code_cell(
            "ds.gcm.explore()",
            outputs=[
                v4.new_output(
                    "execute_result",
                    {"text/html": "var docs_json = " + "x" * MAX_DOCUMENT_BYTES, "text/plain": ""},
                )
            ],
        ),
        v4.new_code_cell(
            "ok",
            outputs=[v4.new_output("execute_result", {"image/png": "x", "text/plain": "<Axes>"})],
        ),
    ]
    found = problems(nb)
    assert len(found) == 7, found
    assert "cell 0" in found[0] and "no figure" in found[0]
    assert "cell 1" in found[1] and "Line2D" in found[1]
    assert "ZeroDivisionError" in found[2]
    assert "careful" in found[3]
    assert "cell 4" in found[4] and "progress bar" in found[4] and "poll/s" in found[4]
    assert "cell 4" in found[5] and "progress bar" in found[5]
    assert "cell 5" in found[6] and "inline document" in found[6]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_shows_and_nothing_else_is_noise(path):
    nb = execute(path)
    assert not problems(nb), "\n".join(problems(nb))
