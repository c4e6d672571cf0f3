"""Damaged IDL save record chains end in FileFormatError, never in an endless readsav loop."""

import json
import struct
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest
import scipy.io

import geospacexr
from geospacexr import config
from geospacexr.errors import FileFormatError
from geospacexr.io.idlsav import IdlStruct, check_record_chain, write_sav

SKYMAP = "themis_skymap_atha_20230115-+_v02.sav"
CALIBRATION = "REGO_Rayleighs_15651_20210908-+_v02.sav"


def records(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, rectype, next offset) of every record of a good uncompressed file."""
    out, pos = [], 4
    while True:
        rectype, low, high = struct.unpack(">lII", data[pos : pos + 12])
        out.append((pos, rectype, low + (high << 32)))
        if rectype == 6:
            return out
        pos = low + (high << 32)


def good_file(path):
    write_sav(path, {"skymap": IdlStruct({"A": np.arange(600, dtype="f4")}), "B": np.int32(3)})
    return path.read_bytes()


def with_next(data: bytes, offset: int, nextrec: int) -> bytes:
    patched = struct.pack(">II", nextrec & 0xFFFFFFFF, nextrec >> 32)
    return data[: offset + 4] + patched + data[offset + 12 :]


def compress(data: bytes, bodies=None) -> bytes:
    """The file in IDL's compressed record format (``00 06``), bodies optionally replaced."""
    out = bytearray(b"SR\x00\x06")
    for i, (pos, rectype, nextrec) in enumerate(records(data)):
        if rectype == 6:
            out += data[pos : pos + 16]
            break
        body = zlib.compress(data[pos + 16 : nextrec])
        if bodies and i in bodies:
            body = bodies[i]
        end = len(out) + 16 + len(body)
        out += struct.pack(">lII", rectype, end & 0xFFFFFFFF, end >> 32) + b"\0" * 4 + body
    return bytes(out)


def damaged(tmp_path):
    data = good_file(tmp_path / "good.sav")
    var = records(data)[2][0]  # the SKYMAP variable record
    return {
        "self": with_next(data, var, var),
        "backwards": with_next(data, var, 4),
        "inside_header": with_next(data, var, var + 8),
        "past_end": with_next(data, var, len(data) + 1000),
        "far_past_end": with_next(data, var, 1 << 40),
        "truncated": data[: var + 40],
        "no_end_marker": data[: records(data)[-1][0]],
    }


CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    import geospacexr
    from geospacexr.errors import FileFormatError
    out = {}
    for name, path in json.loads(sys.argv[1]).items():
        opener = geospacexr.open_skymap if "skymap" in path else geospacexr.open_calibration
        try:
            opener(path)
            out[name] = "opened"
        except FileFormatError as exc:
            out[name] = "FileFormatError: " + str(exc)
        except BaseException as exc:
            out[name] = type(exc).__name__ + ": " + str(exc)
    print(json.dumps(out))
    """
)


def test_damaged_chains_end_in_file_format_error_in_a_bounded_child(tmp_path):
    paths = {}
    for kind, data in damaged(tmp_path).items():
        for reader, name in (("sky", SKYMAP), ("cal", CALIBRATION)):
            folder = tmp_path / f"{kind}_{reader}"
            folder.mkdir()
            (folder / name).write_bytes(data)
            paths[f"{kind}/{reader}"] = str(folder / name)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(paths)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == set(paths)
    for key, outcome in result.items():
        assert outcome.startswith("FileFormatError: "), (key, outcome)
        assert paths[key] in outcome  # the message names the file
        assert "record" in outcome or "offset" in outcome, (key, outcome)


def test_messages_name_the_record_and_offset(tmp_path):
    cases = damaged(tmp_path)
    var = records(good_file(tmp_path / "g.sav"))[2][0]
    for kind, pattern in (
        ("self", f"record 2 at offset {var}: next-record offset {var} "),
        ("backwards", "next-record offset 4 does not point past"),
        ("past_end", "is past the end of the file"),
        ("truncated", "truncated"),
        ("no_end_marker", "no END_MARKER"),
    ):
        path = tmp_path / f"{kind}.sav"
        path.write_bytes(cases[kind])
        with pytest.raises(FileFormatError) as info:
            check_record_chain(path)
        assert pattern in str(info.value) and str(path) in str(info.value), kind


def test_good_files_pass(tmp_path, shared_data):
    data = good_file(tmp_path / "good.sav")
    assert check_record_chain(tmp_path / "good.sav") == len(records(data))
    for name in (SKYMAP, CALIBRATION):
        assert check_record_chain(shared_data / "asi" / name) >= 3
    sky = geospacexr.open_skymap(shared_data / "asi" / SKYMAP)
    assert sky.attrs["geospacexr_kind"] == "skymap"


def test_compressed_files_are_checked_and_bounded(tmp_path):
    data = good_file(tmp_path / "good.sav")
    packed = tmp_path / "packed.sav"
    packed.write_bytes(compress(data))
    assert check_record_chain(packed) == len(records(data))
    np.testing.assert_array_equal(
        scipy.io.readsav(str(packed))["skymap"][0]["A"], np.arange(600, dtype="f4")
    )
    bomb = tmp_path / "bomb.sav"
    bomb.write_bytes(compress(data, {2: zlib.compress(b"\0" * (3 << 20))}))
    with config.override({"io.max_sav_record_mb": 1}):
        with pytest.raises(FileFormatError, match="record 2 .*beyond 1 MB .*io.max_sav_record_mb"):
            check_record_chain(bomb)
    assert check_record_chain(bomb, max_record_mb=4) == len(records(data))
    corrupt = tmp_path / "corrupt.sav"
    corrupt.write_bytes(compress(data, {2: b"not zlib at all"}))
    with pytest.raises(FileFormatError, match="record 2 .*corrupt compressed record"):
        check_record_chain(corrupt)
    cut = tmp_path / "cut.sav"
    cut.write_bytes(compress(data, {2: zlib.compress(b"x" * 5000)[:20]}))
    with pytest.raises(FileFormatError, match="record 2 .*truncated compressed record"):
        check_record_chain(cut)


def test_not_a_save_file(tmp_path):
    path = tmp_path / "x.sav"
    path.write_bytes(b"XX\x00\x04" + b"\0" * 40)
    with pytest.raises(FileFormatError, match="SR"):
        check_record_chain(path)
    path.write_bytes(b"SR\x00\x09" + b"\0" * 40)
    with pytest.raises(FileFormatError, match="record format"):
        check_record_chain(path)


@pytest.mark.parametrize(
    "value",
    [
        np.arange(10, dtype=np.int32),  # an array
        np.array(["a", "b", "c"]),  # an array of strings (readsav reads them one by one)
        IdlStruct({"A": 1.0, "B": np.zeros(4)}, rows=[{"A": 1.0, "B": np.zeros(4)}] * 3),
    ],
    ids=["array", "strings", "structures"],
)
def test_an_element_count_beyond_the_record_is_refused(tmp_path, value):
    """A count damaged to 2**31 - 1 made readsav build a two-billion-row record array for
    minutes (the robustness harness's skymap case): refused from the type descriptor."""

    path = tmp_path / "x.sav"
    write_sav(path, {"x": value})
    scipy.io.readsav(str(path))  # the intact file reads
    data = bytearray(path.read_bytes())
    desc = data.index(struct.pack(">ll", 8, 0))  # the variable's ARRAY_DESC (start 8, 0)
    data[desc + 12 : desc + 16] = struct.pack(">l", 2**31 - 1)  # its element count
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="array of 2147483647 elements declared"):
        check_record_chain(path)
