"""gzip/bzip2 decompression of PGM files: linear in the member count, bounded in output size."""

import bz2
import gzip
import json
import subprocess
import sys
import textwrap

import pytest

from geospacexr import config
from geospacexr.errors import FileFormatError
from geospacexr.io import pgm

FRAME = b"P5\n4 2\n255\n" + bytes(range(8))

CHILD = textwrap.dedent(
    """
    import gzip, json, sys, time
    from geospacexr.io import pgm
    frame = bytes.fromhex(sys.argv[1])
    data = gzip.compress(frame) + gzip.compress(b"") * 400_000
    start = time.process_time()
    content, problem = pgm.decompress(data)
    print(json.dumps({"ok": content == frame and problem is None,
                      "cpu": time.process_time() - start}))
    """
)


def test_many_empty_gzip_members_decode_in_linear_time():
    # the old member loop copied the remaining buffer per member: 73 s for this input;
    # the child's generous timeout catches a quadratic regression without a tight timing
    done = subprocess.run(
        [sys.executable, "-c", CHILD, FRAME.hex()], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"]
    assert result["cpu"] < 20, result


def test_members_are_joined_and_problems_reported():
    one = gzip.compress(FRAME)
    assert pgm.decompress(one * 3) == (FRAME * 3, None)
    assert pgm.decompress(one + gzip.compress(b"") + one + b"\0\0") == (FRAME * 2, None)
    content, problem = pgm.decompress(one + b"junk")
    assert content == FRAME and problem == "4 bytes of trailing garbage after the gzip data"
    big = gzip.compress(FRAME * 5000)
    content, problem = pgm.decompress(one + big[: len(big) // 2])
    assert content.startswith(FRAME) and "truncated gzip" in problem
    content, problem = pgm.decompress(one[:-8] + b"\0\0\0\0" + one[-4:])  # CRC mismatch
    assert content == b"" and "corrupt gzip" in problem
    assert pgm.decompress(bz2.compress(FRAME * 3)) == (FRAME * 3, None)
    assert "truncated bzip2" in pgm.decompress(bz2.compress(FRAME * 5000)[:60])[1]
    assert pgm.decompress(FRAME) == (FRAME, None)


@pytest.mark.parametrize("pack", [gzip.compress, bz2.compress], ids=["gzip", "bzip2"])
def test_decompression_bomb_is_refused(tmp_path, pack):
    bomb = tmp_path / ("bomb.pgm.gz" if pack is gzip.compress else "bomb.pgm.bz2")
    bomb.write_bytes(pack(b"\0" * (50 << 20)))
    with config.override({"io.max_decompressed_mb": 10}):
        with pytest.raises(FileFormatError) as info:
            pgm.read_pgm(bomb)
    message = str(info.value)
    assert str(bomb) in message and "10 MB" in message and "io.max_decompressed_mb" in message
    # under a larger limit the same content decompresses (and then fails as a PGM, not a bomb)
    content, _ = pgm.decompress(bomb.read_bytes(), max_mb=60)
    assert len(content) == 50 << 20


def test_repeated_frame_headers_are_parsed_once(monkeypatch):
    """A flood of 1x1 frames repeating one full header costs one header parse, not one each.

    The robustness harness's 200,000 full-header 1x1 frames (a 1 MB ``.pgm.gz``) took 20 s of
    CPU to reach ``io.max_frames`` because each frame's 30 metadata lines were parsed again.
    """
    header = b"".join(b'#"key %d" value %d\n' % (i, i) for i in range(30))
    frame = b"P5\n" + header + b"1 1\n65535\n\0\1"
    changed = b"P5\n" + header.replace(b"value 7\n", b"value 8\n") + b"1 1\n65535\n\0\2"
    buffer = frame * 5000 + changed + frame
    calls = []
    real = pgm._header
    monkeypatch.setattr(pgm, "_header", lambda *a: calls.append(a[1]) or real(*a))
    frames, problem = pgm.parse_frames(buffer)
    assert problem is None and len(frames) == 5002
    assert len(calls) == 3  # the first header, the changed one, the first again
    assert frames[0].metadata == frames[4999].metadata
    assert frames[4999].metadata["key 7"] == "value 7"
    assert frames[5000].metadata["key 7"] == "value 8"
    assert frames[5001].metadata["key 7"] == "value 7"
    decoded = pgm.DecodedFile(None, buffer, frames, None)
    assert pgm.frame_array(decoded, 5000)[0, 0] == 2
    with config.override({"io.max_frames": 100}):
        with pytest.raises(FileFormatError, match="max_frames"):
            pgm.parse_frames(frame * 101)
