"""Every registered reader meets damaged files without crashing, hanging or blowing up."""

import fnmatch
import zlib
from pathlib import Path

import pytest

from geospacexr import datasets
from geospacexr.io.registry import readers

from .harness import make_cases, run_cases

READERS = sorted(readers())


def source_file(spec) -> Path:
    path = datasets.sample_path(spec.sample)
    if path.is_file():
        return path
    files = sorted(
        p
        for p in path.iterdir()
        if any(fnmatch.fnmatch(p.name.lower(), pat.lower()) for pat in spec.patterns)
    )
    assert files, f"sample {spec.sample} has no file matching {spec.patterns}"
    return files[0]


def test_every_reader_names_a_sample_for_this_harness():
    for name, spec in readers().items():
        assert spec.sample in datasets.list_samples(), (
            f"reader {name} needs sample= for the robustness harness"
        )


@pytest.mark.parametrize("reader", READERS)
def test_damaged_files(reader, tmp_path, request):
    spec = readers()[reader]
    n = 500 if request.config.getoption("--runslow") else 30
    cases = make_cases(source_file(spec), tmp_path, n=n, seed=zlib.crc32(reader.encode()))
    failures = run_cases(reader, cases)
    report = "\n".join(f"case {i} ({cases[i].label}): {msg}" for i, msg in sorted(failures.items()))
    assert not failures, f"{len(failures)} of {n} damaged files broke reader {reader}:\n{report}"


def test_harness_catches_bad_behaviour(tmp_path, monkeypatch):
    """The harness itself reports a crash, a hang and a non-geospacexr exception."""
    from geospacexr.io import registry

    src = tmp_path / "x.bad"
    src.write_bytes(b"BAD!" + bytes(100))
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "sitecustomize.py").write_text(
        "import os, time\n"
        "from geospacexr.io.registry import register_reader\n"
        "@register_reader('bad-test', kind='asi', patterns=('*.bad',))\n"
        "def open_bad(files, **kw):\n"
        "    data = files[0].read_bytes()\n"
        "    if not data: os.abort()\n"
        "    if data.startswith(b'XXXX'): raise IndexError('deep numpy traceback')\n"
        "    time.sleep(60)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(plugin))
    cases = make_cases(src, tmp_path / "cases", n=3)
    failures = run_cases("bad-test", cases, timeout=2)
    assert set(failures) == {0, 1, 2}
    assert "died" in failures[0]
    assert "IndexError" in failures[1]
    assert "hang" in failures[2]
    assert "bad-test" not in registry._READERS
