"""``geospacexr gcm info|plot`` on TIE-GCM histories in NCAR's published layouts (issue 17).

The files are built from the verbatim ``ncdump`` listings in ``tests/gcm/layouts/data`` (see
``tests/gcm/layouts/tiegcm_layouts.py`` for their sources): tiegcm1.94 primary (3-column
``mtime``, time in minutes, no HE/N2, Z without ZG), tiegcm 2.0 primary and its float32
secondary (2-D and geomagnetic-grid fields).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path

import pytest

from geospacexr.cli import main

pytest.importorskip("matplotlib")

_SPEC = importlib.util.spec_from_file_location(
    "tiegcm_layouts_for_cli", Path(__file__).parent / "gcm" / "layouts" / "tiegcm_layouts.py"
)
layouts = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = layouts  # dataclasses look their module up there
_SPEC.loader.exec_module(layouts)

PUBLISHED = ("tiegcm1.94-primary", "tiegcm2.0-primary", "tiegcm2.0-secondary")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layouts")
    return {name: layouts.build(name, folder) for name in PUBLISHED}


def _run(argv: list[str]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return main(argv)


@pytest.mark.parametrize("name", PUBLISHED)
def test_info_on_published_layouts(built, name, capsys):
    assert _run(["gcm", "info", "--json", str(built[name])]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "TIE-GCM"
    assert info["n_times"] >= 1
    names = {row["name"] for row in info["fields"]}
    assert "TN" in names


@pytest.mark.parametrize("name", ["tiegcm1.94-primary", "tiegcm2.0-primary"])
def test_plot_height_map_on_primaries(built, name, tmp_path, capsys):
    out = tmp_path / f"{name}.png"
    argv = ["gcm", "plot", str(built[name]), "--var", "TN", "--slice", "lat-lon"]
    assert _run([*argv, "--height", "300", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_plot_2d_and_geomagnetic_fields_of_the_secondary(built, tmp_path):
    path = str(built["tiegcm2.0-secondary"])
    tec = tmp_path / "tec.png"
    assert _run(["gcm", "plot", path, "--var", "TEC", "--slice", "lat-lon", "-o", str(tec)]) == 0
    assert tec.read_bytes().startswith(b"\x89PNG")
    zmag = tmp_path / "zmag.png"
    argv = ["gcm", "plot", path, "--var", "ZMAG", "--slice", "lat-lon", "--level", "0"]
    assert _run([*argv, "-o", str(zmag)]) == 0
    assert zmag.read_bytes().startswith(b"\x89PNG")


def test_level_on_a_2d_field_is_a_usage_error_naming_the_option(built, capsys):
    path = str(built["tiegcm2.0-secondary"])
    argv = ["gcm", "plot", path, "--var", "TEC", "--slice", "lat-lon", "--height", "300"]
    assert main([*argv, "-o", "unused.png"]) in (1, 2)
    err = capsys.readouterr().err
    assert "--height" in err and "height=" not in err
