"""``rb.K(..., output=)`` and ``rb.footprint(..., output=)`` without a Client (and lstar's).

Written part by part (``geospacexr.rb._write``, the machinery of ``rb.lstar(output=)``): the
file opened is the in-memory result (``assert_identical``), a failed or interrupted run leaves
no output and no part folder, the part folder of a killed run goes with the next write, and a
bad target is refused before any particle or position is computed (these last three for
``lstar`` too: ``test_lstar_output.py`` has its own in-memory comparisons).
"""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import xarray as xr

from geospacexr import config, rb
from geospacexr.errors import InvalidArgumentError
from geospacexr.io.atomic import part_prefix

PER_PART = 3  # 7 rows: parts of 3 + 3 + 1
N = 7


def _particles():
    rng = np.random.default_rng(8)
    phi, r = rng.uniform(0, 2 * np.pi, N), rng.uniform(2.5, 7.0, N)
    time = np.datetime64("2015-03-16T12:00", "ns") + rng.integers(0, 3, N) * np.timedelta64(
        61_500, "ms"
    )  # times that are not whole minutes, shared by particles of different parts
    x, y = r * np.cos(phi), r * np.sin(phi)
    x[4], y[4] = 0.5, 0.0  # inside the Earth: status 6, NaNs
    return rb.particles(x, y, 0.2, rng.uniform(30, 90, N), energy=1.5, time=time)


def _points():
    """A track along ``time``: closed lines, one open (far tail) and one NaN position."""
    rng = np.random.default_rng(5)
    phi, r = rng.uniform(0, 2 * np.pi, N), rng.uniform(3.0, 7.0, N)
    x, y = r * np.cos(phi), r * np.sin(phi)
    x[2], y[2] = -60.0, 0.0  # open in T89: NaN footprint
    x[5] = np.nan
    time = np.datetime64("2015-03-16T12:00", "ns") + np.arange(N) * np.timedelta64(61_500, "ms")
    return xr.Dataset(
        {"x": ("time", x), "y": ("time", y), "z": ("time", rng.uniform(-1, 1, N))},
        coords={"time": time},
        attrs={"frame": "GSM"},
    )


@pytest.fixture(scope="module")
def model():
    return rb.models.get("t89", kp=2)


def _lstar(model, **kw):
    return rb.lstar(_particles(), model, accuracy="fast", **kw)


def _K(model, **kw):
    return rb.K(_particles(), model, accuracy="fast", **kw)


def _footprint(model, **kw):
    return rb.footprint(_points(), model, **kw)


CALLS = {"lstar": _lstar, "K": _K, "footprint": _footprint}
PER_TASK = {
    "lstar": "scale.particles_per_task",
    "K": "scale.particles_per_task",
    "footprint": "scale.footprints_per_task",
}


def _written(call, model, path, **kw):
    with config.override({PER_TASK[call]: PER_PART}):
        assert CALLS[call](model, output=path, **kw) == path
    with xr.open_dataset(path) as got:
        return got.load()


@pytest.mark.parametrize("call", ["K", "footprint"])
def test_written_file_is_the_in_memory_result(tmp_path, model, call):
    expected = CALLS[call](model)
    got = _written(call, model, tmp_path / "out.nc")
    assert os.listdir(tmp_path) == ["out.nc"]  # the part folder is gone
    xr.testing.assert_identical(got, expected)  # values to the bit, NaNs, dtypes, attrs
    for name, var in expected.variables.items():
        assert got[name].dtype == var.dtype, name
    if call == "K":
        assert (expected["status"] == 6).sum() == 1 and (expected["status"] == 0).sum() >= 4
    else:
        assert np.isnan(expected["lat"].values).sum() == 2
        assert np.isfinite(expected["lat"].values).sum() == N - 2


def _add_x(out, rows):
    return out.assign(x_in=rows["x"]).assign_attrs(note="added")


def test_finish_and_the_accessor(tmp_path, model):
    got = _written("footprint", model, tmp_path / "track.nc", finish=_add_x)
    xr.testing.assert_identical(got, _footprint(model, finish=_add_x))
    out = tmp_path / "k.nc"
    with config.override({"scale.particles_per_task": PER_PART}):
        _particles().rb.K(model, accuracy="fast", output=out, finish=_add_x)
    with xr.open_dataset(out) as got:
        xr.testing.assert_identical(got.load(), _K(model, finish=_add_x))
        assert got.attrs["note"] == "added"


def test_no_position_writes_an_empty_track(tmp_path, model):
    points = _points().isel(time=slice(0, 0))
    expected = rb.footprint(points, model)
    rb.footprint(points, model, output=tmp_path / "empty.nc")
    with xr.open_dataset(tmp_path / "empty.nc") as got:
        xr.testing.assert_identical(got.load(), expected)


def _dead_pid():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


@pytest.mark.parametrize("call", ["lstar", "K", "footprint"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_run_leaves_nothing_and_stale_parts_go(tmp_path, model, call, error):
    out = tmp_path / "out.nc"
    done = []

    def fails_on_the_second_part(result, rows):
        done.append(1)
        if len(done) == 2:
            raise error("the second part fails")
        return result

    with pytest.raises(error, match="second part"):
        _written(call, model, out, finish=fails_on_the_second_part)
    assert os.listdir(tmp_path) == []  # no output, no part (the first part's removed too)

    # a killed run's part folder (its pid dead) is removed by the next write; a live one's stays
    prefix = part_prefix(out).replace(f".{os.getpid()}.", ".{}.")
    stale = tmp_path / (prefix.format(_dead_pid()) + "x1.part")
    live = tmp_path / (prefix.format(os.getpid()) + "x2.part")
    for folder in (stale, live):
        folder.mkdir()
        (folder / "part-00000000.nc").write_bytes(b"half")
    _written(call, model, out)
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, "out.nc"])


KILLED = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np, xarray as xr
    from geospacexr import config, rb

    def killed_in_the_second_part(track, points):
        if points["time"].values[0] != first:
            os.kill(os.getpid(), signal.SIGKILL)
        return track

    n = 6
    points = xr.Dataset(
        {"x": ("time", np.full(n, 5.0)), "y": ("time", np.zeros(n)), "z": ("time", np.zeros(n))},
        coords={"time": np.datetime64("2015-03-16T12:00", "ns") + np.arange(n) * 60_000_000_000},
    )
    first = points["time"].values[0]
    with config.override({"scale.footprints_per_task": 3}):
        rb.footprint(points, rb.models.get("t89", kp=2), output=sys.argv[1],
                     finish=killed_in_the_second_part)
    """
)


@pytest.mark.slow  # a fresh interpreter imports geospacexr and loads the tracing kernels
def test_a_killed_run_leaves_no_output_and_the_next_write_cleans_up(tmp_path, model):
    out = tmp_path / "track.nc"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.run([sys.executable, "-c", KILLED, str(out)], env=env,
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr
    left = os.listdir(tmp_path)
    assert "track.nc" not in left and len(left) == 1 and left[0].endswith(".part")
    assert os.listdir(tmp_path / left[0]) == ["part-00000000.nc"]  # the first part only
    _written("footprint", model, out)
    assert os.listdir(tmp_path) == ["track.nc"]


def _no_work(*args, **kwargs):
    raise AssertionError("work started before the output was checked")


def _check_first(monkeypatch):
    from geospacexr.rb import invariants, tracing

    monkeypatch.setattr(invariants, "_run_here", _no_work)
    monkeypatch.setattr(invariants, "_run", _no_work)
    monkeypatch.setattr(tracing, "_footprints", _no_work)


@pytest.mark.parametrize("call", ["lstar", "K", "footprint"])
def test_a_folder_or_special_file_is_not_an_output(tmp_path, model, call, monkeypatch):
    _check_first(monkeypatch)
    fifo = tmp_path / "fifo.nc"
    os.mkfifo(fifo)
    link = tmp_path / "link.nc"
    link.symlink_to(tmp_path / "elsewhere.nc")
    for target, what in ((tmp_path, "a directory"), (fifo, "a FIFO"), (link, "a symbolic link")):
        with pytest.raises(InvalidArgumentError, match=what):
            CALLS[call](model, output=target)
    with pytest.raises(InvalidArgumentError, match="not a folder"):
        CALLS[call](model, output=tmp_path / "fifo.nc" / "out.nc")


@pytest.mark.parametrize("call", ["lstar", "K", "footprint"])
def test_an_unwritable_folder_is_refused_first(tmp_path, model, call, monkeypatch):
    _check_first(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root may write into it: the permission check is what is tested
        access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode: access(path, mode) and os.fspath(path) != str(locked)
        )
    try:
        with pytest.raises(InvalidArgumentError, match="not writable"):
            CALLS[call](model, output=locked / "sub" / "out.nc")
    finally:
        locked.chmod(0o700)
