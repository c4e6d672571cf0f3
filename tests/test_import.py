import subprocess
import sys

HEAVY = ("matplotlib", "cartopy", "panel", "holoviews", "geoviews", "bokeh", "numba", "ipywidgets")


def test_import_pulls_in_nothing_heavy():
    code = (
        "import sys, geospacexr\n"
        "import geospacexr.config, geospacexr.errors, geospacexr.io\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import geospacexr pulled in: {out.stdout.strip()}"


def test_accessors_registered_on_import():
    import xarray as xr

    import geospacexr  # noqa: F401

    ds = xr.Dataset()
    for name in ("gcm", "asi", "rb"):
        assert hasattr(ds, name)


def test_version_and_lazy_modules():
    import geospacexr

    assert geospacexr.__version__
    assert geospacexr.datasets.list_samples()
    try:
        geospacexr.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
