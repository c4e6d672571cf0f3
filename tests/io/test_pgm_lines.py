"""Header lines of multi-frame PGM content are bounded (found by the independent fuzzer,
tests/fuzz: a 200 MiB metadata line in a THEMIS file was copied and matched whole, 1.1 GiB and
13 s, and the file read "ok")."""

import numpy as np

from geospacexr.io import pgm


def _frame(meta: bytes = b'#"Image request start" 2014-03-10 06:00:00.000000 UTC\n') -> bytes:
    pixels = np.arange(16, dtype=">u2").tobytes()
    return b"P5\n" + meta + b"4 4\n65535\n" + pixels


def test_intact_frames_parse():
    frames, problem = pgm.parse_frames(_frame() * 3)
    assert problem is None and len(frames) == 3
    assert frames[0].metadata["Image request start"].startswith("2014-03-10")


def test_an_overlong_metadata_line_stops_parsing_with_the_good_frames_kept():
    huge = b'#"Comment" ' + b"x" * (pgm._MAX_LINE_BYTES + 10) + b"\n"
    frames, problem = pgm.parse_frames(_frame() * 2 + _frame(huge) + _frame())
    assert len(frames) == 2
    assert problem == f"frame 3: a header line longer than {pgm._MAX_LINE_BYTES} bytes"


def test_an_overlong_magic_line():
    content = _frame() + b"P5" + b" " * (pgm._MAX_LINE_BYTES + 10)
    frames, problem = pgm.parse_frames(content)
    assert len(frames) == 1
    assert problem == f"frame 2: a header line longer than {pgm._MAX_LINE_BYTES} bytes"


def test_a_line_at_the_limit_is_read():
    value = b"y" * (pgm._MAX_LINE_BYTES - 20)
    frames, problem = pgm.parse_frames(_frame(b'#"Comment" ' + value + b"\n"))
    assert problem is None and frames[0].metadata["Comment"] == value.decode()
