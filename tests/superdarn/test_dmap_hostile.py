"""Damaged and hostile DMAP input: a clear FileFormatError, or the good records and a warning.

Synthetic records are built here with ``struct`` (the byte layout of ``../shared/formats/dmap.md``);
the real files are damaged by cutting them or rewriting one header or dimension.
"""

from __future__ import annotations

import bz2
import json
import struct
import time

import numpy as np
import pytest

import geospacexr
from geospacexr import config
from geospacexr.errors import ConfigError, DataWarning, FileFormatError, IncompatibleInputError

FMT = {1: "b", 2: "h", 3: "i", 10: "q", 4: "f", 8: "d", 16: "B", 17: "H", 18: "I", 19: "Q"}
KEY = {np.dtype("i1"): 1, np.dtype("i2"): 2, np.dtype("i4"): 3, np.dtype("f4"): 4}


def scalar(name: str, key: int, value) -> bytes:
    head = name.encode() + b"\0" + struct.pack("<b", key)
    if key == 9:
        return head + value.encode() + b"\0"
    return head + struct.pack("<" + FMT[key], value)


def array(name: str, values: np.ndarray, dims: list[int] | None = None, key: int | None = None):
    values = np.ascontiguousarray(values)
    dims = list(reversed(values.shape)) if dims is None else dims
    key = KEY[values.dtype] if key is None else key
    return (
        name.encode() + b"\0" + struct.pack(f"<bi{len(dims)}i", key, len(dims), *dims)
        + values.astype(values.dtype.newbyteorder("<")).tobytes()
    )  # fmt: skip


def record(scalars: list[bytes], arrays: list[bytes], **header) -> bytes:
    body = b"".join(scalars) + b"".join(arrays)
    size = header.get("size", 16 + len(body))
    ns = header.get("ns", len(scalars))
    na = header.get("na", len(arrays))
    return struct.pack("<iiii", 65537, size, ns, na) + body


def fit_scalars(minute: int = 0, month: int = 3) -> list[bytes]:
    t = [("time.yr", 2, 2020), ("time.mo", 2, month), ("time.dy", 2, 1), ("time.hr", 2, 12),
         ("time.mt", 2, minute), ("time.sc", 2, 0), ("time.us", 3, 0)]  # fmt: skip
    return [scalar(*x) for x in t] + [
        scalar("fitacf.revision.major", 3, 3),
        scalar("nrang", 2, 10),
        scalar("origin.command", 9, "make_fit"),
    ]


def fit_record(minute: int = 0, gates=(2, 5), **header) -> bytes:
    sl = np.array(gates, dtype="i2")
    v = np.arange(len(gates), dtype="f4") + 100 * minute
    return record(fit_scalars(minute), [array("slist", sl), array("v", v)], **header)


def write(tmp_path, data: bytes, name: str = "x.fitacf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lax(path):
    with pytest.warns(DataWarning) as caught:
        ds = geospacexr.open_superdarn(path)
    return ds, json.loads(ds.attrs["problematic_records"]), str(caught[0].message)


def test_synthetic_records_decode(tmp_path):
    path = write(tmp_path, fit_record(0) + fit_record(1, gates=(0, 3, 9)))
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds.sizes["time"] == 2 and ds.sizes["range_gate"] == 10
    np.testing.assert_array_equal(ds.v.values[0, [2, 5]], [0, 1])
    np.testing.assert_array_equal(ds.v.values[1, [0, 3, 9]], [100, 101, 102])
    assert np.isnan(ds.v.values[0]).sum() == 8
    assert str(ds.time.values[1]) == "2020-03-01T12:01:00.000000000"
    assert list(ds["origin.command"].values) == ["make_fit", "make_fit"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda r: r[: len(r) // 2], "record size"),  # truncated
        (lambda r: r[:4] + struct.pack("<i", 0) + r[8:], "record size 0"),  # would loop
        (lambda r: r[:4] + struct.pack("<i", -5) + r[8:], "record size -5"),
        (lambda r: r[:4] + struct.pack("<i", 1 << 30) + r[8:], "record size"),
        (lambda r: r[:10], "too few for a record header"),
    ],
)
def test_a_damaged_header_keeps_the_records_before_it(tmp_path, damage, reason):
    good = fit_record(0)
    path = write(tmp_path, good + damage(fit_record(1)))
    ds, problems, message = lax(path)
    assert ds.sizes["time"] == 1
    assert problems == [
        {"file": "x.fitacf", "record": 1, "offset": len(good), "reason": problems[0]["reason"]}
    ]
    assert reason in problems[0]["reason"] and reason in message
    with pytest.raises(FileFormatError, match=rf"x\.fitacf: record 1 at byte {len(good)}: "):
        geospacexr.open_superdarn(path, mode="strict")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (record(fit_scalars(), [], ns=10**9), "impossible counts"),
        (record(fit_scalars(), [], ns=-1), "impossible counts"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), dims=[1 << 30])]),
         "field 'v': dims [1073741824] need"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), dims=[65536, 65536])]),
         "field 'v': dims"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), dims=[-2])]), "negative dimension"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), dims=[])]),
         "impossible number of dimensions 0"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), key=42)]), "unknown type key 42"),
        (record(fit_scalars(), [array("v", np.zeros(2, "f4"), key=9)]), "string arrays"),
        (record([*fit_scalars(), b"x\0\x4d\0\0\0\0"], []), "field 'x': unknown type key"),
        (record(fit_scalars(), [])[:-1] + b"X", "has no terminating NUL"),  # string runs out
        (record([*fit_scalars(), b"name_without_end"], []), "scalar name has no terminating NUL"),
        (record(fit_scalars(), [b"v\0\x04\xff\xff\xff\x7f"]), "impossible number of dimensions"),
        (record(fit_scalars(), [b"v\0\x04\x01\0\0\0"]), "dims beyond the record's end"),
        (record([*fit_scalars(), b"d\0\x08\0\0"], []), "value beyond the record's end"),
    ],
)  # fmt: skip
def test_a_damaged_record_is_skipped_and_reading_resumes(tmp_path, bad, reason):
    path = write(tmp_path, fit_record(0) + bad + fit_record(2))
    ds, problems, message = lax(path)
    assert "record 1 at byte" in message
    assert ds.sizes["time"] == 2  # the one after the damage is kept (its size says where)
    assert [str(t)[:16] for t in ds.time.values] == ["2020-03-01T12:00", "2020-03-01T12:02"]
    assert len(problems) == 1 and problems[0]["record"] == 1
    assert reason in problems[0]["reason"], problems[0]["reason"]
    with pytest.raises(FileFormatError, match="record 1 at byte"):
        geospacexr.open_superdarn(path, mode="strict")


def test_slist_that_does_not_match_its_arrays(tmp_path):
    sl = np.array([1, 2, 3], "i2")
    bad = record(fit_scalars(1), [array("slist", sl), array("v", np.zeros(3, "f4")),
                                  array("w_l", np.zeros(2, "f4"))])  # fmt: skip
    path = write(tmp_path, fit_record(0) + bad)
    ds, problems, _ = lax(path)
    assert ds.sizes["time"] == 2
    assert ds.w_l.dims == ("time", "range_gate")
    assert np.isnan(ds.w_l.values[1]).all()  # dropped for the record it does not fit
    assert [p["record"] for p in problems] == [1]
    assert "field 'w_l': shape [2] does not match the record's slist" in problems[0]["reason"]
    with pytest.raises(FileFormatError, match=r"record 1 at byte \d+: field 'w_l'"):
        geospacexr.open_superdarn(path, mode="strict")


def test_negative_gates_are_reported_not_scattered(tmp_path):
    bad = record(fit_scalars(1), [array("slist", np.array([-3, 2], "i2")),
                                  array("v", np.zeros(2, "f4"))])  # fmt: skip
    path = write(tmp_path, fit_record(0) + bad)
    ds, problems, _ = lax(path)
    assert np.isnan(ds.v.values[1]).all()
    assert problems[0]["record"] == 1 and "slist" in problems[0]["reason"]
    with pytest.raises(FileFormatError, match=r"record 1 at byte \d+: field 'slist'"):
        geospacexr.open_superdarn(path, mode="strict")


def test_an_impossible_record_time_is_nat_and_reported(tmp_path):
    bad = record(fit_scalars(1, month=13), [])
    path = write(tmp_path, fit_record(0) + bad)
    ds, problems, _ = lax(path)
    assert np.isnat(ds.time.values[1]) and not np.isnat(ds.time.values[0])
    assert "no valid record time" in problems[0]["reason"]
    with pytest.raises(FileFormatError, match=r"record 1 at byte \d+: no valid record time"):
        geospacexr.open_superdarn(path, mode="strict")


def test_an_empty_file_is_a_clear_error(tmp_path):
    path = write(tmp_path, b"")
    for mode in ("lax", "strict"):
        with pytest.raises(FileFormatError, match="empty file"):
            geospacexr.open_superdarn(path, mode=mode)


def test_records_of_no_known_type(tmp_path):
    path = write(tmp_path, record([scalar("a", 3, 1)], []))
    with pytest.raises(IncompatibleInputError, match="no known DMAP type"):
        geospacexr.open_superdarn(path)


def test_a_bzip2_bomb_is_refused_within_the_limit(tmp_path):
    path = write(tmp_path, bz2.compress(fit_record(0) + b"\0" * (64 << 20)), "x.fitacf.bz2")
    assert path.stat().st_size < 1 << 20
    start = time.perf_counter()
    with config.override({"io.max_decompressed_mb": 4}):
        for mode in ("lax", "strict"):
            with pytest.raises(FileFormatError, match="io.max_decompressed_mb"):
                geospacexr.open_superdarn(path, mode=mode)
    assert time.perf_counter() - start < 20


def test_good_records_then_bzip2_zeros_stop_at_the_first_impossible_record(tmp_path):
    """Decompression follows the record chain and stops at a zero header, not at the limit."""
    zeros = 48 << 20  # more than the limit below, and several decompression pieces
    path = write(tmp_path, bz2.compress(fit_record(0) + fit_record(1) + b"\0" * zeros), "z.bz2")
    with config.override({"io.max_decompressed_mb": 40}):
        ds, problems, message = lax(path)
        assert ds.sizes["time"] == 2
        assert any("decompression stopped early" in p["reason"] for p in problems)
        assert "z.bz2" in message
        with pytest.raises(FileFormatError, match="declares 0 bytes"):
            geospacexr.open_superdarn(path, mode="strict")


def test_a_truncated_bzip2_file_keeps_its_complete_records(superdarn_data, tmp_path):
    src = superdarn_data / "pydarn" / "test.fitacf.bz2"
    if not src.is_file():
        pytest.skip(f"{src} absent")
    # 100 kB bzip2 blocks (level 1), so a cut file still holds complete blocks
    data = bz2.compress(bz2.decompress(src.read_bytes()), compresslevel=1)
    path = write(tmp_path, data[: len(data) // 2], "cut.fitacf.bz2")
    ds, problems, message = lax(path)
    assert "cut.fitacf.bz2: truncated bzip2" in message
    assert 0 < ds.sizes["time"] < 100
    assert any("truncated bzip2" in p["reason"] for p in problems)
    full = geospacexr.open_superdarn(src)
    n = ds.sizes["time"]
    np.testing.assert_array_equal(ds.bmnum.values, full.bmnum.values[:n])
    with pytest.raises(FileFormatError, match="truncated bzip2"):
        geospacexr.open_superdarn(path, mode="strict")


def test_the_array_limit_is_checked_before_allocating(tmp_path):
    path = write(tmp_path, fit_record(0) + fit_record(1))
    with config.override({"io.max_array_mb": 1e-6}):
        with pytest.raises(FileFormatError, match="io.max_array_mb"):
            geospacexr.open_superdarn(path)


def test_one_unreadable_file_among_good_ones(tmp_path):
    good = write(tmp_path, fit_record(0), "a.fitacf")
    bad = write(tmp_path, b"\x01\x00\x01\x00garbage", "b.fitacf")
    ds, problems, _ = lax([good, bad])
    assert ds.sizes["time"] == 1
    assert problems[0]["file"] == "b.fitacf"
    with pytest.raises(FileFormatError, match="b.fitacf"):
        geospacexr.open_superdarn([good, bad], mode="strict")
    with pytest.raises(FileFormatError, match="no DMAP record could be read"):
        geospacexr.open_superdarn(bad)


@pytest.mark.parametrize("name", ["darn-dmap/test.fitacf", "darn-dmap/test.map"])
def test_random_damage_never_crashes_and_stays_bounded(superdarn_data, tmp_path, name):
    """Seeded byte flips, overwrites and cuts of a real file: a Dataset or a FileFormatError."""
    src = superdarn_data / name
    if not src.is_file():
        pytest.skip(f"{src} absent")
    data = bytearray(src.read_bytes())
    rng = np.random.default_rng(19)
    start = time.perf_counter()
    outcomes = {"ok": 0, "refused": 0}
    for case in range(120):
        d = bytearray(data)
        what = case % 3
        if what == 0:
            for pos in rng.integers(0, len(d), 1 + case % 8):
                d[pos] = int(rng.integers(0, 256))
        elif what == 1:
            pos = int(rng.integers(0, len(d) - 4))
            d[pos : pos + 4] = struct.pack("<i", int(rng.choice([0, -1, 1 << 31 - 1, 65536])))
        else:
            d = d[: int(rng.integers(1, len(d)))]
        path = write(tmp_path, bytes(d), f"c{case}.fitacf")
        try:
            with config.override({"io.max_array_mb": 64}):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)
                    geospacexr.open_superdarn(path)
            outcomes["ok"] += 1
        except (FileFormatError, IncompatibleInputError):
            outcomes["refused"] += 1
    assert outcomes["ok"] > 0
    assert time.perf_counter() - start < 120


def test_partial_records_without_gates_or_vectors_are_normal(tmp_path):
    """A fitacf record with no fitted gate omits slist and every per-gate array (RST #223)."""
    empty = record(fit_scalars(1), [])
    path = write(tmp_path, fit_record(0) + empty + fit_record(2, gates=(7,)))
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert json.loads(ds.attrs["problematic_records"]) == []
    assert ds.sizes["time"] == 3
    assert np.isnan(ds.v.values[1]).all() and (ds.slist.values[1] == -1).all()
    assert ds.v.values[2, 7] == 200


def test_grid_records_without_vectors(tmp_path):
    start = [("year", 2, 2015), ("month", 2, 3), ("day", 2, 1), ("hour", 2, 20),
             ("minute", 2, 2), ("second", 8, 0.5)]  # fmt: skip
    end = [(k, t, v + 2 if k == "minute" else v) for k, t, v in start]

    def grid(n: int) -> bytes:
        scalars = [scalar(f"start.{k}", t, v) for k, t, v in start]
        scalars += [scalar(f"end.{k}", t, v) for k, t, v in end]
        arrays = [array("stid", np.array([64], "i2")), array("nvec", np.array([n], "i2"))]
        if n:
            arrays += [array("vector.mlat", np.arange(n, dtype="f4") + 70),
                       array("vector.index", np.arange(n, dtype="i4"))]  # fmt: skip
        return record(scalars, arrays)

    path = write(tmp_path, grid(3) + grid(0) + grid(2), "x.grid")
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds.attrs["superdarn_type"] == "grid"
    assert ds.sizes["vector"] == 5
    assert list(ds.vector_record.values) == [0, 0, 0, 2, 2]
    assert ds["vector.index"].dtype == np.int32  # every record with vectors has it
    assert str(ds.time.values[0]) == "2015-03-01T20:02:00.500000000"
    assert str(ds.end_time.values[0]) == "2015-03-01T20:04:00.500000000"


def test_fields_named_like_our_dims_are_kept_under_another_name(tmp_path):
    clash = record(
        [*fit_scalars(1), scalar("range_gate", 3, 5), scalar("vector_record", 3, 1)],
        [array("time", np.arange(3, dtype="f4")), array("pulse", np.zeros(2, "i2")),
         array("ptab", np.arange(4, dtype="i2"))],
    )  # fmt: skip
    path = write(tmp_path, fit_record(0) + clash)
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds["range_gate_dmap"].values[1] == 5
    assert ds["time_dmap"].values[1, 2] == 2
    assert ds["pulse_dmap"].dims == ("time", "pulse_dim0")
    assert ds.ptab.dims == ("time", "pulse")
    assert ds["vector_record"].values[1] == 1  # no vector dim in a fitacf file: no clash


def fit_scalars_year(year: int, minute: int = 0) -> list[bytes]:
    scalars = fit_scalars(minute)
    scalars[0] = scalar("time.yr", 2, year)
    return scalars


@pytest.mark.parametrize("year", [1955, 1982, 2090])
def test_records_dated_outside_the_plausible_range_are_skipped_and_reported(tmp_path, year):
    """Issue 16 (robustness case 141): a flipped bit dated a record 1955 and it was kept."""
    odd = record(fit_scalars_year(year, 1), [array("slist", np.array([4], "i2")),
                                             array("v", np.array([7.0], "f4"))])  # fmt: skip
    good = fit_record(0)
    path = write(tmp_path, good + odd + fit_record(2))
    ds, problems, message = lax(path)
    assert ds.sizes["time"] == 2  # skipped, not kept with a wrong date
    assert [str(t)[:16] for t in ds.time.values] == ["2020-03-01T12:00", "2020-03-01T12:02"]
    assert np.isnan(ds.v.values[:, 4]).all()  # none of its values leaked into another record
    assert problems == [
        {"file": "x.fitacf", "record": 1, "offset": len(good), "reason": problems[0]["reason"]}
    ]
    reason = problems[0]["reason"]
    assert f"record time {year}-03-01T12:01:00" in reason
    assert "io.superdarn_earliest_time" in reason and "record skipped" in reason
    assert "x.fitacf" in message
    with pytest.raises(FileFormatError, match=rf"x\.fitacf: record 1 at byte {len(good)}: record "
                       rf"time {year}"):  # fmt: skip
        geospacexr.open_superdarn(path, mode="strict")


def test_the_plausible_range_comes_from_config(tmp_path):
    path = write(tmp_path, fit_record(0) + record(fit_scalars_year(1982, 1), []))
    with config.override({"io.superdarn_earliest_time": "1980-01-01"}):
        ds = geospacexr.open_superdarn(path, mode="strict")
    assert str(ds.time.values[1])[:4] == "1982"
    with config.override({"io.superdarn_earliest_time": "2021-01-01"}):
        with pytest.raises(FileFormatError, match="no record has a plausible time"):
            geospacexr.open_superdarn(path)
    with config.override({"io.superdarn_earliest_time": "long ago"}):
        with pytest.raises(ConfigError, match="io.superdarn_earliest_time"):
            geospacexr.open_superdarn(path)


def _wide_record(minute: int, nfields: int, gate: int) -> bytes:
    arrays = [array("slist", np.array([gate], "i2"))]
    arrays += [array(f"f{k}", np.array([k], "f4")) for k in range(nfields)]
    return record(fit_scalars(minute), arrays)


def test_the_range_gate_arrays_are_checked_together_before_allocating(tmp_path):
    """Issue 16 (robustness case 493): one flipped bit (a huge gate) made open take >3 GiB.

    Each (time, range_gate) array alone is under the limit; all of them together are not: the
    reader refuses before allocating any of them, naming the file, the limit and its key.
    """
    nfields, gates = 40, 30000
    path = write(tmp_path, _wide_record(0, nfields, 3) + _wide_record(1, nfields, gates - 1))
    one_array_mb = 2 * gates * 4 / 2**20  # 2 records x 30000 gates x float32: 0.23 MB
    limit = one_array_mb * 5  # every array alone fits, the 40 of them do not
    with config.override({"io.max_array_mb": limit}):
        for mode in ("lax", "strict"):
            with pytest.raises(FileFormatError) as caught:
                geospacexr.open_superdarn(path, mode=mode)
            text = str(caught.value)
            assert "x.fitacf" in text and "io.max_array_mb" in text
            assert "GEOSPACEXR_IO_MAX_ARRAY_MB" in text
            assert f"(time, range_gate) arrays of {nfields} fields" in text
    with config.override({"io.max_array_mb": 64}):
        ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds.sizes["range_gate"] == gates and ds.f7.values[1, gates - 1] == 7


def test_every_allocation_counts_against_the_limit(tmp_path):
    """Padded arrays too: the limit holds for the whole Dataset, not array by array."""
    arrays = [array(f"p{k}", np.zeros(20000, "f4")) for k in range(20)]
    path = write(tmp_path, record(fit_scalars(0), arrays) + record(fit_scalars(1), arrays))
    one_mb = 2 * 20000 * 4 / 2**20
    with config.override({"io.max_array_mb": one_mb * 5}):
        with pytest.raises(FileFormatError, match=r"io\.max_array_mb.*") as caught:
            geospacexr.open_superdarn(path)
    assert "of variables before it" in str(caught.value)


def test_a_field_named_twice_in_a_record_is_damage(tmp_path):
    twice = record([*fit_scalars(1), scalar("nrang", 2, 70)], [])
    path = write(tmp_path, fit_record(0) + twice + fit_record(2))
    ds, problems, _ = lax(path)
    assert ds.sizes["time"] == 2 and list(ds.nrang.values) == [10, 10]
    assert problems[0]["record"] == 1
    assert problems[0]["reason"] == "field 'nrang' appears twice in the record"
    with pytest.raises(FileFormatError, match="record 1 at byte .*appears twice"):
        geospacexr.open_superdarn(path, mode="strict")


def test_name_hash_collisions_are_resolved_by_exact_names():
    """Names are grouped by a hash in the kernel, then checked byte for byte."""
    from geospacexr.io.dmap import _intern

    buf = np.frombuffer(b"alpha\0beta\0alpha\0gamma\0", np.uint8)
    starts = np.array([0, 6, 11, 17], np.int64)
    lengths = np.array([5, 4, 5, 5], np.int64)
    same_hash = np.zeros(4, np.uint64)  # a hostile file could make every name collide
    names, ids = _intern(buf, same_hash, starts, lengths)
    assert names == ["alpha", "beta", "gamma"]
    assert ids.tolist() == [0, 1, 0, 2]


@pytest.mark.parametrize("name", ["darn-dmap/test.rawacf", "pydarn/test.fitacf.bz2",
                                  "darn-dmap/test.map", "darn-dmap/test.iqdat.bz2"])  # fmt: skip
def test_the_kernel_walk_finds_what_the_python_parser_finds(superdarn_data, name):
    """The numba walk and the reference Python parser agree on every field of every record."""
    from geospacexr.io.dmap import _kernels, _record_fields, read_dmap_bytes

    src = superdarn_data / name
    if not src.is_file():
        pytest.skip(f"{src} absent")
    content, _ = read_dmap_bytes(src)
    raw = np.frombuffer(content, np.uint8)
    rec_off, rec_code, _, s, a = _kernels().walk(raw)
    assert (rec_code == 0).all()
    for r, start in enumerate(rec_off):
        _code, size, ns, na = struct.unpack_from("<iiii", content, int(start))
        scalars, arrays = _record_fields(content, int(start), int(start) + size, ns, na)
        sel = s[0] == r
        assert [n for n, _, _ in scalars] == [
            bytes(raw[p : p + q]).decode("latin-1")
            for p, q in zip(s[2][sel], s[3][sel], strict=True)
        ]
        assert [k for _, k, _ in scalars] == s[4][sel].tolist()
        sel = a[0] == r
        assert [(k, off, shape) for _, k, off, shape in arrays] == [
            (int(k), int(off), tuple(int(x) for x in d[:nd]))
            for k, off, nd, d in zip(a[4][sel], a[5][sel], a[6][sel], a[7][sel], strict=True)
        ]


def test_a_long_string_in_one_record_is_not_copied_to_every_record(tmp_path):
    """A string scalar is stored as one fixed-width column: its width times the records counts."""
    long = record([*fit_scalars(0), scalar("combf", 9, "x" * 200_000)], [])
    short = b"".join(
        record([*fit_scalars(m % 60), scalar("combf", 9, "")], []) for m in range(1, 400)
    )
    path = write(tmp_path, long + short)
    with config.override({"io.max_array_mb": 64}):  # 400 x 200,000 x 4 bytes = 320 MB
        with pytest.raises(FileFormatError, match=r"'combf' \(400 strings of 200000 characters"):
            geospacexr.open_superdarn(path)


def test_a_float_nrang_that_is_not_a_number(tmp_path):
    odd = fit_scalars(1)
    odd[8] = scalar("nrang", 4, float("nan"))  # was a short
    arrays = [array("slist", np.array([3], "i2")), array("v", np.ones(1, "f4"))]
    path = write(tmp_path, fit_record(0) + record(odd, arrays))
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds.sizes["range_gate"] == 10  # the first record's nrang; the NaN one is ignored
    assert np.isnan(ds.nrang.values[1]) and ds.v.values[1, 3] == 1


def test_range_fields_at_every_alignment_and_of_mixed_types(tmp_path):
    """Values decoded straight from the buffer land in their (record, gate) cells exactly.

    A string scalar of growing length moves every later value through all byte alignments;
    ``w_l`` is float64 in one record (the field then takes the per-field path and a common
    type), ``p_l`` an int16 field (float32 once padded); records without a field stay NaN.
    """
    rng = np.random.default_rng(7)
    records, expect = [], []
    for m in range(12):
        gates = np.sort(rng.choice(10, size=1 + m % 5, replace=False)).astype("i2")
        v = rng.normal(size=gates.size).astype("f4")
        p = rng.integers(-300, 300, size=gates.size).astype("i2")
        w = rng.normal(size=gates.size).astype("f8" if m == 5 else "f4")
        arrays = [array("slist", gates), array("v", v), array("p_l", p, key=2)]
        arrays.append(array("w_l", w, key=8 if m == 5 else 4))
        if m == 3:
            arrays = arrays[:2]  # no p_l nor w_l
        pad = scalar("combf", 9, "x" * m)
        records.append(record([*fit_scalars(m), pad], arrays))
        expect.append((gates, v, p if m != 3 else None, w if m != 3 else None))
    one = write(tmp_path, b"".join(records[:7]), "a.fitacf")
    two = write(tmp_path, b"".join(records[7:]), "b.fitacf")
    for paths in ([write(tmp_path, b"".join(records))], [one, two]):
        ds = geospacexr.open_superdarn(paths, mode="strict")
        assert ds.v.dtype == np.float32 and ds.p_l.dtype == np.float32
        assert ds.w_l.dtype == np.float64
        for r, (gates, v, p, w) in enumerate(expect):
            for name, values in (("v", v), ("p_l", p), ("w_l", w)):
                row = ds[name].values[r]
                if values is None:
                    assert np.isnan(row).all()
                    continue
                np.testing.assert_array_equal(row[gates], values.astype(row.dtype))
                others = np.setdiff1d(np.arange(row.size), gates)
                assert np.isnan(row[others]).all()
