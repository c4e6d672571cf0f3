import json
import shutil
import subprocess

import numpy as np
import pytest

from geospacexr.plot import colours


@pytest.mark.parametrize("name", ["UN", "VN", "WN", "EPVY", "EPVZ", "EPVDIV", "POTEN", "OMEGA"])
def test_winds_ep_flux_and_potential_are_signed(name):
    assert colours.is_signed(name)
    assert colours.default_cmap(colours.is_signed(name)) == colours.DIVERGING


@pytest.mark.parametrize("name", ["TN", "NE", "O2", "OI6300", "HMF2"])
def test_positive_quantities_are_sequential(name):
    assert not colours.is_signed(name)
    assert colours.default_cmap(False) == colours.SEQUENTIAL == "viridis"
    # ... unless they are a difference to a control run (argument or Dataset attribute)
    assert colours.is_signed(name, difference=True)
    assert colours.is_signed(name, {"difference": "storm - control"})
    assert not colours.is_signed("UN", {"signed": False})


def test_symmetric_limits_ignore_nan_and_use_the_largest_magnitude():
    values = np.array([[-3.0, 1.0], [np.nan, 7.5]])
    assert colours.colour_limits(values, symmetric=True) == (-7.5, 7.5)
    assert colours.colour_limits(values, symmetric=False) == (-3.0, 7.5)
    assert colours.colour_limits(-np.arange(5.0), symmetric=True) == (-4.0, 4.0)
    # robust limits: a single extreme cell does not set the range
    spiky = np.append(np.linspace(-1, 1, 999), 100.0)
    lo, hi = colours.colour_limits(spiky, symmetric=True, percentile=1)
    assert lo == -hi and hi < 2


def test_limits_of_degenerate_fields_and_log_scale():
    assert colours.colour_limits(np.full(3, np.nan), symmetric=True) == (-1.0, 1.0)
    assert colours.colour_limits(np.full(3, np.nan), symmetric=False) == (0.0, 1.0)
    assert colours.colour_limits(np.zeros(4), symmetric=True) == (-1.0, 1.0)
    assert colours.colour_limits(np.full(4, 2.0), symmetric=False) == (1.5, 2.5)
    # log: only the positive values count, symmetry is meaningless
    assert colours.colour_limits(np.array([-5.0, 0.0, 1e3, 1e6]), True, log=True) == (1e3, 1e6)
    assert colours.colour_limits(np.array([-5.0, 0.0]), False, log=True) == (1.0, 10.0)


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (1e6, "10⁶"),
        (1.0, "10⁰"),
        (1e-3, "10⁻³"),
        (3e5, "3×10⁵"),
        (2.5e11, "2.5×10¹¹"),
        (-1e4, "−10⁴"),
        (0.0, "0"),
    ],
)
def test_log_tick_labels_are_powers_of_ten(value, label):
    assert colours.log_tick_label(value) == label
    assert "e+" not in colours.log_tick_label(value)


def test_the_bokeh_formatter_applies_the_same_rule_as_python():
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("no JavaScript runtime (node) to run the Bokeh formatter's code")
    ticks = [1e6, 1.0, 1e-3, 3e5, 2.5e11, -1e4, 1e-12, 7e22]
    script = (
        "const out = [];"
        f"for (const tick of {json.dumps(ticks)}) {{ out.push((function (tick) {{"
        f"{colours.LOG_TICK_JS}}})(tick)); }}"
        "console.log(JSON.stringify(out));"
    )
    run = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [colours.log_tick_label(t) for t in ticks]


def test_formatters_build():
    pytest.importorskip("bokeh")
    assert colours.bokeh_log_formatter().code == colours.LOG_TICK_JS
    pytest.importorskip("matplotlib")
    assert colours.matplotlib_log_formatter()(1e5, 0) == "10⁵"
