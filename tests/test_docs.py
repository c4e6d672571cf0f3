"""The docs show what they reference: every image exists, every explorer tab has its screenshot.

``sphinx-build -W`` catches a missing image only in the pages Sphinx builds; the README and
the screenshots that ``docs/make_screenshots.py`` writes are checked here as well.
"""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = sorted(
    p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "notebooks" not in p.parts
)
#: ``![alt](target)``, ``<img src="target">`` and MyST ``{image}``/``{figure}`` directives
IMAGE_REFERENCES = (
    re.compile(r"!\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)"),
    re.compile(r"<img\s[^>]*src=\"(?P<target>[^\"]+)\""),
    re.compile(r"^[`:]{3,}\{(?:image|figure)\}\s+(?P<target>\S+)", re.M),
)


def _images(page: Path) -> list[str]:
    text = page.read_text()
    found = [m["target"] for pattern in IMAGE_REFERENCES for m in pattern.finditer(text)]
    return [t for t in found if not re.match(r"[a-z]+://", t)]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def _screenshot_script() -> dict:
    """``VIEWPORT``, ``SHOTS`` and ``PANELS`` of docs/make_screenshots.py (read, not imported)."""
    tree = ast.parse((DOCS / "make_screenshots.py").read_text())
    values = {}
    for node in tree.body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id in ("VIEWPORT", "SHOTS", "PANELS"):
            values[target.id] = ast.literal_eval(node.value)
    return values


def test_the_pages_are_found():
    names = {p.name for p in PAGES}
    assert {"index.md", "explorers.md", "installation.md"} <= names, names


@pytest.mark.parametrize(
    "page", [*PAGES, REPO / "README.md"], ids=lambda p: str(p.relative_to(REPO))
)
def test_every_referenced_image_exists(page):
    for target in _images(page):
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_file(), f"{page.relative_to(REPO)} shows {target}, which does not exist"
        if path.suffix == ".png":
            _png_size(path)


def test_the_reference_patterns_find_images():
    # guards the patterns above: explorers.md shows the screenshots with ![...](...)
    assert len(_images(DOCS / "explorers.md")) >= 5


def test_every_explorer_tab_has_its_screenshot_in_the_docs():
    script = _screenshot_script()
    shots = script["SHOTS"]
    tabs = [tab for tab, _, _ in shots]
    assert len(shots) == 7, tabs
    expected = {"Mosaic", "MHD: mage-msphere", "Riometers", "Radiation belts", "Datasets"}
    assert expected <= set(tabs), tabs
    shown = {Path(t).name for t in _images(DOCS / "explorers.md")}
    for _, _, name in shots:
        assert name in shown, f"docs/explorers.md does not show {name}"
        path = DOCS / "_static" / name
        assert path.is_file(), f"{name} missing: run python docs/make_screenshots.py"
        assert _png_size(path) == tuple(script["VIEWPORT"]), (name, _png_size(path))


@pytest.mark.parametrize(
    ("name", "page"),
    [("explorer-spectrograph.png", "spectrograph.md"), ("explorer-riometers.png", "riometers.md")],
)
def test_the_spectrograph_and_riometer_panels_have_their_screenshots(name, page):
    """Issue 18: the new panels are shown where they are described, made by the script."""
    script = _screenshot_script()
    made = {shot[2] for shot in script["SHOTS"] + script["PANELS"]}
    assert name in made, f"docs/make_screenshots.py does not make {name}"
    assert name in {Path(t).name for t in _images(DOCS / page)}, f"docs/{page} does not show {name}"
    path = DOCS / "_static" / name
    assert path.is_file(), f"{name} missing: run python docs/make_screenshots.py {name}"
    assert _png_size(path) == tuple(script["VIEWPORT"]), (name, _png_size(path))
