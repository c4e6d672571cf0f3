"""The field-model registry: declarations, errors, a model registered by a test, the docs table."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest

from geospacexr import rb
from geospacexr.errors import InvalidArgumentError, UnknownNameError
from geospacexr.rb import models
from geospacexr.rb.models import Parameter

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rb.md"


# A toy external model defined here, as a user would in their own module: a uniform field.
@numba.njit(cache=True)
def _uniform(par, ps, x, y, z):
    return 0.0, 0.0, par[0]


@pytest.fixture
def uniform():
    entry = models.register_model(
        "test-uniform",
        _uniform,
        parameters=[Parameter("bz", "nT", "uniform field along z", required=True,
                              valid=(-1000.0, 1000.0), example=-10.0)],
        references=["a test"],
    )  # fmt: skip
    yield entry
    models.MODELS.remove("test-uniform")


def test_builtin_models_are_declared():
    names = models.list_models()
    assert names == sorted(names)
    assert {"dipole", "igrf", "t89", "t96", "ts05"} <= set(names)
    assert models.available() == names
    details = {d["name"]: d for d in models.list_models(details=True)}
    assert all(d["description"] for d in details.values())
    ts05 = [p["name"] for p in details["ts05"]["parameters"]]
    assert ts05 == ["pdyn", "dst", "by", "bz", "w1", "w2", "w3", "w4", "w5", "w6"]
    pdyn = details["t96"]["parameters"][0]
    assert pdyn["units"] == "nPa" and pdyn["fitted"] == [0.5, 10.0] and pdyn["required"]
    assert details["t89"]["kernel"] == "geospacexr.rb.tsyganenko.t89_kernel"
    assert details["igrf"]["kernel"] is None and not details["igrf"]["external"]


def test_unknown_model_name():
    close = r"did you mean 't(89|96)' or 't(89|96)'"
    with pytest.raises(models.UnknownFieldModelError, match=close) as e:
        models.get("t69")
    assert isinstance(e.value, UnknownNameError) and isinstance(e.value, KeyError)
    assert isinstance(e.value, InvalidArgumentError) and isinstance(e.value, ValueError)
    assert e.value.name == "t69" and e.value.argument == "name"
    assert models.get("T89", kp=2).name == "t89"  # names are case-insensitive


def test_parameters_are_checked_from_the_declaration():
    with pytest.raises(InvalidArgumentError, match=r"T89 needs kp \(0-9\)"):
        models.get("t89")
    with pytest.raises(InvalidArgumentError, match="kp"):
        models.get("t89", kp=9.5)
    with pytest.raises(InvalidArgumentError, match="unknown: dst"):
        models.get("t89", kp=2, dst=-20)
    with pytest.raises(InvalidArgumentError, match="w6"):
        models.get("ts05", pdyn=2, dst=-20, by=0, bz=0, w1=1, w2=1, w3=1, w4=1, w5=1, w6=-1)
    m = models.get("ts05", **models.MODELS["ts05"].example())
    assert m.params["w6"] == 0.5 and m.external == "ts05"


def test_registration_errors(uniform):
    with pytest.raises(InvalidArgumentError, match="already registered"):
        models.register_model("test-uniform", _uniform)
    with pytest.raises(InvalidArgumentError, match="numba"):
        models.register_model("test-plain", lambda par, ps, x, y, z: (0.0, 0.0, 0.0))
    with pytest.raises(InvalidArgumentError, match="internal"):
        models.register_model("test-bad", _uniform, parameters=[Parameter("internal")])
    assert "test-plain" not in models.list_models()


def test_a_model_registered_outside_the_package_traces(uniform):
    """One registration and the tracer runs the new kernel: dipole + uniform Bz (closed form).

    For an axisymmetric field the flux function psi = -B0 sin^2(t) / r + b r^2 sin^2(t) / 2
    (dipole of surface field B0 along +z at the equator, plus a uniform b along z) is
    constant along each field line.
    """
    b, b0, r0 = -10.0, 30000.0, 5.0
    model = models.get("test-uniform", bz=b, internal="dipole", moment=b0)
    assert "test-uniform" in models.list_models()
    bx, by, bz = model.field([r0, -r0], [0.0, 0.0], [0.0, 1.0])
    dx, dy, dz = models.get("dipole", moment=b0, tilt=0.0).field([r0, -r0], [0.0, 0.0], [0, 1.0])
    np.testing.assert_allclose(np.stack([bx, by, bz - b]), np.stack([dx, dy, dz]), rtol=1e-14)
    lines = rb.trace(model, [[r0, 0.0, 0.0]])
    n = int(lines["n_points"][0])
    x, z = lines["x"].values[0, :n], lines["z"].values[0, :n]
    r = np.hypot(x, z)
    s2 = (x / r) ** 2
    psi = -b0 * s2 / r + b * r**2 * s2 / 2
    psi0 = -b0 / r0 + b * r0**2 / 2
    np.testing.assert_allclose(psi, psi0, rtol=1e-7)
    assert abs(r[0] - 1.0) < 1e-9 and abs(r[-1] - 1.0) < 1e-9  # both ends on the Earth
    footprint_colat = np.degrees(np.arcsin(np.sqrt(psi0 / (b / 2 - b0))))
    np.testing.assert_allclose(np.degrees(np.arccos(abs(z[-1]) / r[-1])), footprint_colat, 1e-7)
    assert lines.attrs["external_field"] == "test-uniform"


def test_kernel_token_is_stable_across_processes_and_follows_the_code():
    from geospacexr.rb import _kernel

    code = (
        "from geospacexr.rb import _kernel, tsyganenko\nprint(_kernel.kernel_token(tsyganenko.t96))"
    )
    tokens = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": seed, **_env()},
        ).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(tokens) == 1 and len(tokens.pop()) == 12

    def k1(par, ps, x, y, z):
        return 0.0, 0.0, par[0]

    def k2(par, ps, x, y, z):
        return 0.0, 0.0, 2.0 * par[0]

    assert _kernel.kernel_token(k1) != _kernel.kernel_token(k2)


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_docs_table_is_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- field-models: start -->", "<!-- field-models: end -->"
    assert start in text and end in text
    between = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert between == models.table(), "run: python docs/make_model_table.py"


def test_compile_notice_once_per_model_and_configurable(tmp_path):
    """With a cold cache (an empty NUMBA_CACHE_DIR) the first compile prints one line."""
    script = textwrap.dedent(
        """
        import numba
        import geospacexr.config as gxc
        from geospacexr.rb import models

        def make(name, scale):
            @models.register_model(name, parameters=[models.Parameter("bz", "nT", required=True)])
            @numba.njit
            def kernel(par, ps, x, y, z):
                return 0.0, 0.0, scale * par[0]
            return models.get(name, bz=1.0, internal="dipole")

        quiet, loud = make("quiet", 1.0), make("loud", 2.0)
        with gxc.override({"rb.compile_message": False}):
            quiet.field(5.0, 0.0, 0.0)
        print("-- quiet done", file=__import__("sys").stderr, flush=True)
        loud.field(5.0, 0.0, 0.0)
        loud.field(6.0, 0.0, 0.0)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**_env(), "NUMBA_CACHE_DIR": str(tmp_path)},
        check=True,
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("geospacexr:")]
    before = proc.stderr.split("-- quiet done")[0]
    assert "geospacexr:" not in before
    assert lines == [
        "geospacexr: compiling the LOUD kernels once; cached afterwards "
        "(`geospacexr warmup` compiles every model in advance)"
    ], proc.stderr
