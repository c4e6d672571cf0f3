"""Every accessor method is derived from its pure function; figures from their slices + options.

The signature-parity test below walks ``ds.gcm``, ``ds.asi``, ``ds.rb`` and their plot
sub-accessors: each public method must be derived (:func:`geospacexr._declare.target_of`) and
have exactly its function's parameters after the Dataset, so a hand copy that drifts (as
``ds.gcm.lev_time`` once lost ``lon``) fails here.
"""

from __future__ import annotations

import inspect
import pydoc

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import accessors
from geospacexr._declare import (
    Option,
    Options,
    _resolved_signature,
    accessor_method,
    figure_function,
    parse_docstring,
    target_of,
)
from geospacexr.errors import InvalidArgumentError, WrongKindError
from geospacexr.plot import asi as plot_asi
from geospacexr.plot import gcm as plot_gcm
from geospacexr.plot.options import DRAWING


@pytest.fixture(scope="module")
def tiegcm():
    return geospacexr.datasets.open_sample("tiegcm-5deg")


ACCESSORS = [
    accessors.GcmAccessor,
    accessors.AsiAccessor,
    accessors.RbAccessor,
    accessors._GcmPlot,
    accessors._AsiPlot,
    accessors.SuperdarnAccessor,
    accessors._SuperdarnPlot,
    accessors.MhdAccessor,
    accessors._MhdPlot,
    accessors.IonosphereAccessor,
    accessors._IonospherePlot,
    accessors.RioAccessor,
    accessors._RioPlot,
]


def public_methods(cls):
    for name in dir(cls):
        if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
            continue
        yield name, getattr(cls, name)


def parity_problems(cls) -> list[str]:
    """Methods of ``cls`` that are not derived, or whose signature differs from the target's."""
    problems = []
    for name, method in public_methods(cls):
        target = target_of(method)
        if target is None:
            problems.append(f"{cls.__name__}.{name} is written by hand")
            continue
        mine = list(inspect.signature(method).parameters.values())[1:]
        theirs = list(_resolved_signature(target).parameters.values())[1:]
        if mine != theirs:
            problems.append(f"{cls.__name__}.{name}{mine} != {target.__name__}{theirs}")
        doc = parse_docstring(method)
        expected = dict(parse_docstring(target).args)
        expected.pop(next(iter(inspect.signature(target).parameters)), None)
        if doc.args != expected:
            problems.append(f"{cls.__name__}.{name}: documented arguments differ")
    return problems


@pytest.mark.parametrize("cls", ACCESSORS, ids=lambda c: c.__name__)
def test_every_accessor_method_has_its_functions_signature(cls):
    assert list(public_methods(cls)), cls
    assert parity_problems(cls) == []


def test_the_parity_check_catches_a_hand_copy_that_drifted():
    def lev_time(ds, var, lat, lon, local_time=None):
        """Profiles.

        Args:
            ds: Dataset.
            var: Variable.
            lat: Latitude.
            lon: Longitude.
            local_time: Local time.
        """

    class Drifted(accessors._Accessor):
        _name, _kinds = "gcm", ("gcm",)
        derived = accessor_method(lev_time)

        def by_hand(self, var, lat, lon=None):
            """Written by hand."""

    Drifted.drifted = accessor_method(lev_time)
    Drifted.drifted.__signature__ = inspect.Signature(
        list(inspect.signature(Drifted.drifted).parameters.values())[:-1]
    )
    problems = parity_problems(Drifted)
    assert any("by_hand is written by hand" in p for p in problems)
    assert any(p.startswith("Drifted.drifted[") for p in problems)
    assert not any(p.startswith("Drifted.derived[") for p in problems)


def test_help_shows_the_real_parameters_and_docs(tiegcm):
    text = pydoc.render_doc(tiegcm.gcm.lat_lon, renderer=pydoc.plaintext)
    for word in ("var", "level", "height", "pressure", "local_time", "method"):
        assert word in text
    assert "Same as :func:`geospacexr.gcm.slices.lat_lon`" in text
    assert "ds:" not in text  # the Dataset is the accessor's own
    sig = inspect.signature(tiegcm.gcm.lev_time)
    assert list(sig.parameters) == ["var", "lat", "lon", "local_time"]
    assert "lat_lon" in dir(tiegcm.gcm) and "movie" in dir(tiegcm.gcm.plot)


def test_rb_methods_are_derived_without_importing_numba_at_import():
    import subprocess
    import sys

    code = (
        "import sys, geospacexr, inspect\n"
        "assert 'numba' not in sys.modules\n"
        "from geospacexr.accessors import RbAccessor\n"
        "assert 'numba' not in sys.modules\n"
        "print(list(inspect.signature(RbAccessor.K).parameters))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = ["self", "model", "accuracy", "drivers", "interpolation", "progress"]
    expected += ["output", "finish"]
    assert out.stdout.strip() == str(expected)
    from geospacexr.rb import invariants, tracing

    assert target_of(accessors.RbAccessor.K) is invariants.K
    assert target_of(accessors.RbAccessor.trace) is tracing.trace_grid
    assert geospacexr.rb.K is invariants.K and invariants.K_invariant is invariants.K


def test_lev_time_needs_lon_or_local_time(tiegcm):
    profile = tiegcm.gcm.lev_time("TN", lat=40, lon=0)
    assert profile.dims[-1] == "time" and float(profile["lat"]) == pytest.approx(40, abs=5)
    with pytest.raises(InvalidArgumentError, match="lon"):
        tiegcm.gcm.lev_time("TN", lat=40)
    assert tiegcm.gcm.lev_time("TN", lat=40, local_time=12.0).sizes["time"] == tiegcm.sizes["time"]


def test_epflux_defaults_are_the_functions(tiegcm):
    from geospacexr.gcm.epflux import OMEGA_EARTH, SCALE_HEIGHT, epflux

    a = tiegcm.gcm.epflux(time=tiegcm["time"].values[0])
    b = epflux(tiegcm, tiegcm["time"].values[0], omega=OMEGA_EARTH, scale_height=SCALE_HEIGHT)
    xr.testing.assert_identical(a, b)


def test_wrong_kind_names_the_accessor(tiegcm):
    with pytest.raises(WrongKindError, match=r"ds\.asi\.plot\.keogram"):
        tiegcm.asi.plot.keogram()


FIGURES = {
    "plot_lat_lon": geospacexr.gcm.lat_lon,
    "plot_lev_lat": geospacexr.gcm.lev_lat,
    "plot_lev_lon": geospacexr.gcm.lev_lon,
    "plot_lev_time": geospacexr.gcm.lev_time,
    "plot_lat_time": geospacexr.gcm.lat_time,
    "plot_lon_time": geospacexr.gcm.lon_time,
    "plot_var_time": geospacexr.gcm.var_time,
    "plot_epflux": geospacexr.gcm.epflux,
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_take_their_slices_parameters_then_shared_options(name):
    figure = getattr(plot_gcm, name)
    compute = FIGURES[name]
    params = list(inspect.signature(figure).parameters.values())
    theirs = list(_resolved_signature(compute).parameters.values())
    assert [p.name for p in params[: len(theirs)]] == [p.name for p in theirs]
    for mine, their in zip(params, theirs, strict=False):
        assert (mine.kind, mine.annotation) == (their.kind, their.annotation)
    options = params[len(theirs) :]
    assert options and all(p.kind is p.KEYWORD_ONLY for p in options)
    doc = parse_docstring(figure).args
    for p in options:
        assert p.name in DRAWING.names, p.name  # declared once
        if p.name not in ("cmap", "vmin"):  # epflux restates these two
            assert doc[p.name] == " ".join(DRAWING[p.name].doc.split()) or doc[p.name] == (
                DRAWING[p.name].doc
            )
    assert set(doc) == {p.name for p in params}


def test_asi_figures_are_derived_too():
    params = inspect.signature(plot_asi.plot_asi_keogram).parameters
    keogram = inspect.signature(geospacexr.asi.keogram).parameters
    assert list(params)[: len(keogram)] == list(keogram)
    assert list(params)[len(keogram) :] == ["ax", "percentiles", "cmap"]
    assert params["cmap"].default == "gray"


def test_figure_function_binds_splits_and_refuses_unknown_keywords():
    def compute(ds, var, level=None):
        """Compute.

        Args:
            ds: The data.
            var: A name.
            level: A level.
        """

    seen = {}

    def draw(ds, args, opts):
        seen.update(ds=ds, args=args, opts=vars(opts))
        return "figure"

    options = Options([Option("size", 3, int, "A size."), Option("title", None, str, "Title.")])
    f = figure_function(
        compute, draw, name="f", summary="F.", options=options, module=__name__,
        defaults={"level": 2.0, "size": 5}, docs={"level": "The level (default 2)."},
    )  # fmt: skip
    assert f("D", "TN", title="t") == "figure"
    assert seen == {
        "ds": "D",
        "args": {"var": "TN", "level": 2.0},
        "opts": {"size": 5, "title": "t"},
    }
    with pytest.raises(TypeError, match="colour"):
        f("D", "TN", colour="red")
    doc = parse_docstring(f)
    assert doc.args == {
        "ds": "The data.",
        "var": "A name.",
        "level": "The level (default 2).",
        "size": "A size.",
        "title": "Title.",
    }
    with pytest.raises(InvalidArgumentError):
        figure_function(
            compute, draw, name="g", summary="G.", options=options, module=__name__,
            defaults={"nope": 1},
        )  # fmt: skip
    with pytest.raises(InvalidArgumentError):
        Options([Option("a", 1, int, "A."), Option("a", 2, int, "A again.")])


def test_docstring_round_trip():
    doc = parse_docstring(geospacexr.gcm.epflux)
    assert "omega" in doc.args and [t for t, _ in doc.sections][:2] == ["Returns", "Raises"]
    again = parse_docstring(doc.render())
    assert again.args == doc.args and again.sections == doc.sections


def test_cli_options_come_from_the_same_signatures():
    from geospacexr import cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    plot = next(a for a in sub.choices["gcm"]._actions if a.dest == "gcm_command").choices["plot"]
    flags = {s for a in plot._actions for s in a.option_strings}
    for name in inspect.signature(plot_gcm.plot_lat_lon).parameters:
        if name not in ("ds", "var", "save"):
            assert "--" + name.replace("_", "-") in flags, name


def test_asi_movie_has_common_contrast_limits(tmp_path):
    ds = geospacexr.datasets.open_sample("themis-gill").isel(time=slice(0, 4))
    ds = ds.copy(deep=True)
    ds["image"].values[2] = ds["image"].values[2] * 3  # a bright frame
    frames = []

    import geospacexr.plot.movie as pm

    real = pm.write_movie

    def capture(render, n, out, **kw):
        frames.extend(render(i) for i in range(n))
        return out

    pm.write_movie = capture
    try:
        ds.asi.plot.movie(str(tmp_path / "m.gif"), percentiles=(0.0, 100.0))
    finally:
        pm.write_movie = real
    clims = {fig.axes[0].images[0].get_clim() for fig in frames}
    assert len(frames) == 4 and len(clims) == 1
    lo, hi = clims.pop()
    values = ds["image"].values.astype(float)
    assert lo == pytest.approx(np.min(values[::1])) and hi == pytest.approx(np.max(values))


def test_hand_written_figures_document_shared_options_from_the_declaration():
    from geospacexr.plot import asi as pa

    for func in (pa.plot_image, pa.plot_keogram, pa.plot_montage, pa.plot_map, pa.plot_fov):
        doc = parse_docstring(func).args
        for name in inspect.signature(func).parameters:
            if name in DRAWING.names and name not in ("cmap", "ax"):
                assert doc[name] == DRAWING[name].doc, (func.__name__, name)
        if "cmap" in doc:
            assert doc["cmap"] == pa._IMAGE_CMAP
