"""The numpy fast path of the NORSTAR reader reads exactly what the line-by-line path reads, and
leaves every file it is not sure of to the line-by-line path (which names damaged lines)."""

import re

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr.io import riometer

SAMPLE = datasets.sample_path("norstar_rio-gill")


def _both(path, monkeypatch):
    fast = riometer.read_norstar_file(path)
    with monkeypatch.context() as m:
        m.setattr(riometer, "_fast_rows", lambda *a: None)
        slow = riometer.read_norstar_file(path)
    return fast, slow


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key] == b[key], key


def _variant(tmp_path, name, change):
    text = (SAMPLE / name).read_text()
    head, body = text.split("------------\n", 1)
    path = tmp_path / name
    path.write_bytes(change(head + "------------\n", body).encode("latin-1"))
    return path


K0 = "norstar_k0_rio-gill_20140309_v01.txt"
K2 = "norstar_k2_rio-gill_20140309_v01.txt"


@pytest.mark.parametrize(
    "name, change",
    [
        (K0, lambda h, b: h + b),
        (K2, lambda h, b: h + b),
        (K2, lambda h, b: h + b.replace(" ", "   ").replace("14   ", "14 ", -1)),  # wide gaps
        (K0, lambda h, b: h + b.replace("\n", "  \n")),  # trailing spaces
        (K0, lambda h, b: (h + b).replace("\n", "\r\n")),  # CRLF
        (K0, lambda h, b: h + b.replace("09/03/14 01:00:00", "32/03/14 01:00:00")),  # no date
        (K0, lambda h, b: h + b.replace("09/03/14 02:00:00", "09/03/14 24:00:00")),  # hour 24
        (K0, lambda h, b: h + b.replace("09/03/14 03:00:00", "09/03/14 03:61:00")),
        (K0, lambda h, b: h + b.replace("09/03/14 04:00:00", "10/03/14 04:00:00")),  # other day
        (K2, lambda h, b: h + re.sub(r"(09/03/14 05:00:00 )\S+", r"\1nan", b)),
    ],
)
def test_fast_path_reads_what_the_slow_path_reads(tmp_path, monkeypatch, name, change):
    path = _variant(tmp_path, name, change)
    table = riometer._fast_rows
    lines = path.read_bytes().splitlines()
    assert table(lines[lines.index(b"# ------------") + 1 :], None) is not None  # fast path taken
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)


@pytest.mark.parametrize(
    "change",
    [
        lambda h, b: h + b.replace("09/03/14 06:00:00 ", "09/03/14 06:00:00\t"),  # a tab
        lambda h, b: h + b.replace("09/03/14 07:00:00", "# a comment\n09/03/14 07:00:00"),
        lambda h, b: h + b.replace("09/03/14 08:00:00", "\n09/03/14 08:00:00"),  # blank line
        lambda h, b: h + b.replace("09/03/14 09:00:00", " 09/03/14 09:00:00"),  # indented
        lambda h, b: h + b.replace("09/03/14 10:00:00", "09/03/14  10:00:00"),
        lambda h, b: h + b.replace("09/03/14 11:00:00 ", "09/03/14 11:00:00 1.0 "),  # 2 numbers
        lambda h, b: h + b.replace("09/03/14 12:00:00 ", "09/03/14 12:00:00 " + "1" * 41),
        lambda h, b: h + b.replace("09/03/14 13:00:00 ", "09/03/14 13:00:00 x"),
        lambda h, b: h + b.replace("09/03/14 14:00:00", "3/04/07 14:00:00"),
        lambda h, b: h + b.replace("09/03/14 15:00:00", "03-04-07 15:00:00"),
    ],
)
def test_anything_unusual_takes_the_line_by_line_path(tmp_path, monkeypatch, change):
    path = _variant(tmp_path, K0, change)
    taken = []
    original = riometer._fast_rows

    def spy(*args):
        taken.append(original(*args))
        return taken[-1]

    monkeypatch.setattr(riometer, "_fast_rows", spy)
    fast = riometer.read_norstar_file(path)
    assert taken == [None]
    monkeypatch.setattr(riometer, "_fast_rows", lambda *a: None)
    _same(fast, riometer.read_norstar_file(path))
