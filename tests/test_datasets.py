import hashlib
import json
import os

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import DataWarning, SampleDataError


def digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.pgm.gz"))
    }


def test_list_and_naming():
    names = datasets.list_samples()
    assert "themis-gill" in names
    for name in names:
        assert name == name.lower() and " " not in name


def test_sample_is_generated_once_and_reused():
    path = datasets.sample_path("themis-gill")
    files = sorted(path.glob("*.pgm.gz"))
    assert [f.name for f in files] == [
        "20140310_0600_gill_themis19_full.pgm.gz",
        "20140310_0601_gill_themis19_full.pgm.gz",
        "20140310_0602_gill_themis19_full.pgm.gz",
    ]
    mtimes = [f.stat().st_mtime_ns for f in files]
    assert datasets.sample_path("themis-gill") == path
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["files"]) == {f.name for f in files}


def test_generation_is_deterministic(tmp_path):
    first = datasets.sample_path("themis-gill")
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        second = datasets.sample_path("themis-gill")
    assert second.parent == tmp_path
    assert digest(first) == digest(second)


def test_sample_is_in_the_real_format_and_plausible():
    ds = datasets.open_sample("themis-gill")
    # found by the registry from the files alone, like a user's own files
    assert geospacexr.open(datasets.sample_path("themis-gill") / "*.pgm.gz").identical(ds)
    assert ds.image.shape == (60, 256, 256)
    assert ds.attrs["site"] == "gill" and ds.attrs["instrument"] == "themis"
    cadence = np.diff(ds.time.values) / np.timedelta64(1, "s")
    np.testing.assert_allclose(cadence, 3.0, atol=1e-6)
    img = ds.image.values
    corners = img[:, :10, :10]
    assert 3000 < corners.mean() < 3600  # CCD bias outside the field of view
    # the arc drifts equatorward: its row (raw north is towards row 0; rows are flipped
    # on reading, so north is towards high y) decreases with time in the keogram
    keo = ds.asi.keogram().values.astype(float)
    peak_rows = keo.argmax(axis=0)
    assert peak_rows[0] > peak_rows[-1] + 10


def test_truncated_cache_file_is_detected_and_regenerated(tmp_path):
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        path = datasets.sample_path("themis-gill")
        victim = path / "20140310_0601_gill_themis19_full.pgm.gz"
        good = victim.read_bytes()
        victim.write_bytes(good[:1000])
        assert any("truncated" in p for p in datasets.verify_sample("themis-gill"))
        with pytest.warns(DataWarning, match="damaged.*regenerating"):
            datasets.sample_path("themis-gill")
        assert victim.read_bytes() == good
        # a flipped byte (same size) is caught by the hash
        data = bytearray(good)
        data[5000] ^= 0xFF
        victim.write_bytes(bytes(data))
        assert any("SHA-256" in p for p in datasets.verify_sample("themis-gill"))
        with pytest.warns(DataWarning):
            datasets.sample_path("themis-gill")
        assert victim.read_bytes() == good


def test_missing_sample_without_generation(tmp_path):
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        with pytest.raises(SampleDataError, match="not generated"):
            datasets.sample_path("themis-gill", generate=False)


def test_unknown_sample_suggests_names():
    with pytest.raises(SampleDataError, match="did you mean 'themis-gill'"):
        datasets.sample_path("themis-gil")


def test_failed_generation_is_a_sample_data_error(tmp_path):
    def broken(folder):
        raise OSError("disk full")

    datasets.register_sample("broken-test", kind="asi", description="x", opener=lambda p: p)(broken)
    try:
        with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
            with pytest.raises(SampleDataError, match="could not generate.*disk full"):
                datasets.sample_path("broken-test")
        assert not any(tmp_path.iterdir())  # nothing half-written left behind
    finally:
        datasets._SAMPLES.remove("broken-test")


def test_killed_generators_temporary_folder_is_removed_by_the_next_generation(tmp_path):
    import subprocess
    import sys

    from geospacexr.io import atomic

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(done.stdout)
    host = atomic._host()

    def tiny(folder):
        (folder / "a.txt").write_text("x")
        return ["a.txt"]

    datasets.register_sample("tiny-test", kind="asi", description="x", opener=lambda p: p)(tiny)
    try:
        stale = tmp_path / f".tiny-test.{host}.{dead}.k1ll3d.part"
        stale.mkdir()
        (stale / "half.h5").write_bytes(bytes(100))
        live = tmp_path / f".tiny-test.{host}.{os.getpid()}.l1ve.part"  # a live writer's
        live.mkdir()
        with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
            folder = datasets.sample_path("tiny-test")
        assert (folder / "a.txt").read_text() == "x"
        assert not stale.exists()
        assert live.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, folder.name])
    finally:
        datasets._SAMPLES.remove("tiny-test")


def test_register_sample_validates_names():
    with pytest.raises(ValueError, match="lower-case"):
        datasets.register_sample("Themis", kind="asi", description="", opener=print)


def test_neighbouring_themis_sites_see_the_same_arc():
    peaks = {}
    for site in ("rank", "snkq", "tpas"):
        images = datasets.open_sample(f"themis-{site}")
        sky = datasets.open_sample(f"themis-{site}-skymap")
        assert images.attrs["site"] == site
        np.testing.assert_array_equal(
            images.time.values, datasets.open_sample("themis-gill").time.values
        )
        keo = images.asi.keogram(sky, axis="geo")
        first = keo.lat.values[np.argmax(keo.values[:, 0])]
        last = keo.lat.values[np.argmax(keo.values[:, -1])]
        peaks[site] = (first, last)
        assert last < first - 0.8  # equatorward drift of ~1.3 degrees in 3 minutes
    firsts = [p[0] for p in peaks.values()]
    assert max(firsts) - min(firsts) < 0.5  # one arc, seen from three sites


def test_wide_simd_features_are_avx512_ones():
    features = datasets.wide_simd_features()
    assert all("AVX512" in name or name == "X86_V4" for name in features)


def test_builtin_samples_are_generated_without_avx512_kernels(tmp_path, monkeypatch):
    """On a CPU where numpy dispatches AVX-512 kernels, a built-in sample is generated in a child
    Python with them disabled (their last bits differ from the AVX2 kernels' on exp, log,
    power...); the same bytes as a whole process started with them disabled."""
    import subprocess
    import sys

    features = datasets.wide_simd_features()
    calls = []
    real_run = subprocess.run

    def spy(*args, **kwargs):
        calls.append(kwargs.get("env", {}).get("NPY_DISABLE_CPU_FEATURES"))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path / "a")}):
        folder = datasets.sample_path("themis-gill")
    assert calls == ([" ".join(features)] if features else [])
    if not features:
        pytest.skip("numpy dispatches no AVX-512 kernel on this machine")
    # a whole process with the features off (its generator runs in-process there) agrees
    code = "from geospacexr import datasets; print(datasets.wide_simd_features())"
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(features),
           "GEOSPACEXR_PATHS_SAMPLE_DIR": str(tmp_path / "b")}  # fmt: skip
    done = real_run([sys.executable, "-c", code], env=env,
                    capture_output=True, text=True, check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"  # nothing wide left on: generated in that process
    make = "from geospacexr import datasets; datasets.sample_path('themis-gill')"
    real_run([sys.executable, "-c", make], env=env, check=True)
    assert digest(folder) == digest(tmp_path / "b" / "themis-gill")


def test_samples_registered_at_run_time_are_generated_in_process(tmp_path, monkeypatch):
    import subprocess

    def tiny(folder):
        (folder / "a.txt").write_text(str(os.getpid()))
        return ["a.txt"]

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("no child process"))
    datasets.register_sample("tiny-runtime", kind="asi", description="x", opener=lambda p: p)(tiny)
    try:
        with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
            folder = datasets.sample_path("tiny-runtime")
        assert (folder / "a.txt").read_text() == str(os.getpid())
    finally:
        datasets._SAMPLES.remove("tiny-runtime")


def test_cache_made_with_other_arithmetic_is_regenerated(tmp_path, recwarn):
    """A cache written before the manifest recorded how its numbers were made (e.g. by numpy's
    AVX-512 kernels, whose last bits differ) is regenerated quietly, never reused."""
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        folder = datasets.sample_path("themis-gill")
        manifest = folder / datasets.MANIFEST
        record = json.loads(manifest.read_text())
        assert record["arithmetic"] == datasets.ARITHMETIC
        good = digest(folder)
        stale = {k: v for k, v in record.items() if k != "arithmetic"}
        manifest.write_text(json.dumps(stale))
        victim = next(p for p in folder.iterdir() if p.name != datasets.MANIFEST)
        victim.write_bytes(b"bytes made another way")
        # the stale file's manifest no longer matches it, but the arithmetic is checked first
        assert datasets.verify_sample("themis-gill", folder)[0].startswith(
            "made by generator arithmetic None"
        )
        datasets.sample_path("themis-gill")
        assert datasets.verify_sample("themis-gill", folder) == []
        assert digest(folder) == good
    assert not [w for w in recwarn if issubclass(w.category, DataWarning)]


#: Registers ``race-test`` (a generator that records each run and takes a while), waits for the
#: start signal, then asks for the sample; prints the folder and whether it verifies.
RACER = """
import sys, time
from pathlib import Path
from geospacexr import config, datasets

runs, go = Path(sys.argv[1]), Path(sys.argv[2])

def slow(folder):
    with runs.open("a") as fh:
        fh.write("run\\n")
    time.sleep(1.0)
    (folder / "a.txt").write_text("sample")
    return ["a.txt"]

datasets.register_sample("race-test", kind="asi", description="x", opener=lambda p: p)(slow)
while not go.exists():
    time.sleep(0.01)
folder = datasets.sample_path("race-test")
print(folder, datasets.verify_sample("race-test", folder) == [], (folder / "a.txt").read_text())
"""


def test_processes_asking_at_once_generate_a_sample_once(tmp_path):
    import subprocess
    import sys
    import time

    samples = tmp_path / "samples"
    runs, go = tmp_path / "runs.txt", tmp_path / "go"
    env = {**os.environ, "GEOSPACEXR_PATHS_SAMPLE_DIR": str(samples)}
    argv = [sys.executable, "-c", RACER, str(runs), str(go)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(argv, env=env, **pipes) for _ in range(3)]
    time.sleep(0.5)  # let them start; the imports take longer, then all wait for the signal
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.split() == [str(samples / "race-test"), "True", "sample"], (out, err)
    assert runs.read_text() == "run\n"  # one generation; the others waited and reused it
    assert sorted(p.name for p in samples.iterdir()) == ["race-test"]  # no lock, no .part left


def test_interprocess_lock_excludes_other_processes_and_leaves_nothing(tmp_path):
    import subprocess
    import sys

    from geospacexr.io.atomic import interprocess_lock

    lock = tmp_path / ".x.lock"
    probe = (
        "import sys, fcntl, os; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "print(fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB) is None)"
    )
    pytest.importorskip("fcntl")
    with interprocess_lock(lock):
        assert lock.exists()
        done = subprocess.run([sys.executable, "-c", probe, str(lock)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert "BlockingIOError" in done.stderr  # held against another process
    assert not lock.exists()
    with interprocess_lock(lock):  # and taken again
        pass
    assert not any(tmp_path.iterdir())


def test_interprocess_lock_orders_threads(tmp_path):
    import threading
    import time

    from geospacexr.io.atomic import interprocess_lock

    inside, overlaps = [], []

    def work():
        with interprocess_lock(tmp_path / ".t.lock"):
            if inside:
                overlaps.append(1)
            inside.append(1)
            time.sleep(0.02)
            inside.pop()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not overlaps
    assert not any(tmp_path.iterdir())
