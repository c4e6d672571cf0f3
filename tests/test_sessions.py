"""Session-safe state: configuration overrides per context, bounded caches, clear_caches."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import numpy as np
import pytest

import geospacexr
import geospacexr.config as gxc
from geospacexr import _caches
from geospacexr.errors import InvalidArgumentError

KEY = "asi.altitude_km"


def _session(altitude: float, inside: threading.Barrier, seen: dict, name: str) -> None:
    """One session: override the altitude, wait until the other is overriding too, then read."""
    with gxc.override({KEY: altitude}) as cfg:
        assert cfg.asi.altitude_km == altitude
        inside.wait(timeout=30)  # both sessions are now inside their override blocks
        seen[name] = (gxc.get().asi.altitude_km, gxc.resolve(None, KEY))
        inside.wait(timeout=30)  # neither leaves before both have read
    seen[f"{name} after"] = gxc.get().asi.altitude_km


def test_two_threads_overriding_different_altitudes_see_their_own():
    inside = threading.Barrier(2)
    seen: dict = {}
    threads = [
        threading.Thread(target=_session, args=(120.0, inside, seen, "a")),
        threading.Thread(target=_session, args=(150.0, inside, seen, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert seen["a"] == (120.0, 120.0)
    assert seen["b"] == (150.0, 150.0)
    assert seen["a after"] == seen["b after"] == 110.0
    assert gxc.get().asi.altitude_km == 110.0  # the main thread never saw either


def test_two_asyncio_tasks_overriding_different_altitudes_see_their_own():
    async def session(altitude: float, both_inside: asyncio.Barrier) -> tuple[float, float]:
        with gxc.override({KEY: altitude}):
            await both_inside.wait()  # the other task has entered its override meanwhile
            await asyncio.sleep(0)
            return gxc.get().asi.altitude_km, gxc.resolve(None, KEY)

    async def main() -> list[tuple[float, float]]:
        both_inside = asyncio.Barrier(2)
        return await asyncio.gather(session(120.0, both_inside), session(150.0, both_inside))

    if not hasattr(asyncio, "Barrier"):  # Python < 3.11
        pytest.skip("asyncio.Barrier needs Python 3.11")
    assert asyncio.run(main()) == [(120.0, 120.0), (150.0, 150.0)]
    assert gxc.get().asi.altitude_km == 110.0


def test_a_new_thread_does_not_inherit_an_override():
    seen = {}

    def read() -> None:
        seen["thread"] = gxc.get().asi.altitude_km

    with gxc.override({KEY: 150}):
        t = threading.Thread(target=read)
        t.start()
        t.join(timeout=30)
        assert gxc.get().asi.altitude_km == 150.0
        # handing the override on is explicit: run the worker in a copy of this context
        ctx = contextvars.copy_context()
        assert ctx.run(lambda: gxc.get().asi.altitude_km) == 150.0
    assert seen["thread"] == 110.0


def test_overrides_nest_and_survive_a_reload_elsewhere(monkeypatch):
    with gxc.override({KEY: 120}):
        with gxc.override({"asi.min_elevation": 12}) as inner:
            assert (inner.asi.altitude_km, inner.asi.min_elevation) == (120.0, 12.0)
        assert gxc.get().asi.min_elevation == 5.0
        # another thread re-reads the environment: this context keeps its override on top
        monkeypatch.setenv("GEOSPACEXR_ASI_MIN_ELEVATION", "8")
        t = threading.Thread(target=gxc.reload)
        t.start()
        t.join(timeout=30)
        cfg = gxc.get()
        assert (cfg.asi.altitude_km, cfg.asi.min_elevation) == (120.0, 8.0)
    assert gxc.get().asi.altitude_km == 110.0


def test_cache_sizes_are_configuration_keys():
    cfg = gxc.get()
    assert cfg.cache.mosaic_matrices == 8 and cfg.cache.file_hashes == 4096
    assert cfg.cache.explorer_results == 64
    text = gxc.describe()
    assert "cache.mosaic_matrices" in text


def test_bounded_cache_keeps_its_configured_size():
    cache = _caches.BoundedCache("test.sessions.lru", "cache.explorer_results")
    try:
        with gxc.override({"cache.explorer_results": 3}):
            for i in range(10):
                cache.put(i, i * i)
                assert len(cache) <= 3
            assert [k for k in range(10) if k in cache] == [7, 8, 9]
            assert cache.get(7) == 49  # 7 becomes the most recently used
            cache.put(10, 100)
            assert 7 in cache and 8 not in cache
            assert _caches.cache_sizes()["test.sessions.lru"] == (3, 3)
        with gxc.override({"cache.explorer_results": 0}):
            cache.put("x", 1)
            assert len(cache) == 0  # size 0 keeps nothing
        with pytest.raises(InvalidArgumentError, match="cache"):
            _caches.BoundedCache("test.sessions.bad", "asi.altitude_km")
    finally:
        _caches._REGISTRY.pop("test.sessions.lru", None)


def test_mosaic_matrices_bounded_in_memory_kept_on_disk_and_cleared():
    import importlib

    from geospacexr import asi, datasets

    mosaic_module = importlib.import_module("geospacexr.asi.mosaic")  # asi.mosaic is a function

    skymap = datasets.open_sample("themis-gill-skymap")
    target = asi.grid(1.0, lat=(50.0, 64.0), lon=(-105.0, -85.0))
    memory = mosaic_module._MATRICES.memory
    geospacexr.clear_caches()
    with gxc.override({"cache.mosaic_matrices": 2}):
        results = [
            asi.mosaic_matrix([skymap], target, altitude, 5.0) for altitude in (100, 110, 120)
        ]
        assert len(memory) == 2  # the oldest left memory
        files = list((gxc.get().paths.cache_dir / "mosaic").glob("*.npz"))
        assert len(files) >= 3  # every one stays on disk
        again = asi.mosaic_matrix([skymap], target, 100, 5.0)  # from its file
        assert (again["W"] != results[0]["W"]).nnz == 0
        np.testing.assert_array_equal(again["site"], results[0]["site"])
        assert len(memory) == 2
    names = geospacexr.clear_caches()
    assert "asi.mosaic.matrices" in names and len(memory) == 0


def test_file_hash_cache_is_bounded_and_cleared(tmp_path):
    from geospacexr import datasets

    files = []
    for i in range(6):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(bytes([i]) * 100)
        files.append(path)
    with gxc.override({"cache.file_hashes": 4}):
        digests = [datasets._hash_cached(p) for p in files]
        assert len(datasets._verified) == 4
    assert len(set(digests)) == 6
    assert "datasets.file_hashes" in geospacexr.clear_caches()
    assert len(datasets._verified) == 0


def test_clear_caches_empties_every_registered_cache_within_its_limit():
    import geospacexr.asi.mosaic  # registers its caches
    import geospacexr.datasets
    import geospacexr.explore.rb

    for name, (size, limit) in _caches.cache_sizes().items():
        assert limit is None or size <= limit, name
    names = geospacexr.clear_caches()
    assert {"asi.mosaic.matrices", "datasets.file_hashes", "explore.rb.results"} <= set(names)
    assert {"gcm.heights.kernel"} <= set(names)
    assert all(size == 0 for size, _ in _caches.cache_sizes().values())
