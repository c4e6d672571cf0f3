"""io.cache.ResultCache: bounded memory in front of atomic .npz files."""

import numpy as np

import geospacexr
import geospacexr.config as gxc
from geospacexr import _caches
from geospacexr.io.cache import ResultCache


def _cache(name):
    return ResultCache(
        name,
        "test-results",
        "cache.mosaic_matrices",
        encode=lambda r: {"values": r["values"]},
        decode=lambda f: {"values": np.array(f["values"])},
    )


def test_memory_then_file_then_miss_and_damaged_file():
    cache = _cache("test.io.cache")
    try:
        assert cache.get("k1") is None
        cache.put("k1", {"values": np.arange(5)})
        assert cache.path("k1").is_file()
        assert cache.get("k1")["values"].tolist() == [0, 1, 2, 3, 4]
        geospacexr.clear_caches()
        assert len(cache.memory) == 0
        back = cache.get("k1")  # from the file
        np.testing.assert_array_equal(back["values"], np.arange(5))
        assert len(cache.memory) == 1
        cache.clear()
        cache.path("k1").write_bytes(b"not a zip file")
        assert cache.get("k1") is None and not cache.path("k1").exists()  # damaged: dropped
        with gxc.override({"cache.mosaic_matrices": 1}):
            for key in ("a", "b", "c"):
                cache.put(key, {"values": np.zeros(1)})
            assert len(cache.memory) == 1
        cache.clear(files=True)
        assert not list(cache.path("a").parent.glob("*.npz"))
    finally:
        _caches._REGISTRY.pop("test.io.cache", None)


def test_unwritable_folder_only_costs_the_file(tmp_path):
    cache = _cache("test.io.cache.ro")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    try:
        with gxc.override({"paths.cache_dir": str(blocker)}):  # a file where a folder should be
            cache.put("k", {"values": np.ones(2)})
            assert cache.get("k")["values"].tolist() == [1.0, 1.0]  # kept in memory
            assert not cache.path("k").exists()
    finally:
        _caches._REGISTRY.pop("test.io.cache.ro", None)
