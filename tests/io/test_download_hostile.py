"""Downloads against a HOSTILE local HTTP server (127.0.0.1 only): escaping listing names, lying
headers, truncated archives, endless 416s, errors and timeouts. Nothing may land outside the
mirror, and nothing incomplete or stale may be returned."""

import functools
import gzip
import hashlib
import http.server
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import geospacexr.config as gxc
from geospacexr import asi, datasets
from geospacexr.errors import DataWarning, DownloadError

DAY = "THEMIS/asi/stream0/2014/03/10/"
REL = DAY + "gill_themis19/ut06/"
SKY = "THEMIS/asi/skymaps/gill/"
NAME = "20140310_0601_gill_themis19_full.pgm.gz"


class Hostile(http.server.SimpleHTTPRequestHandler):
    listings: dict = {}  # URL path -> list of raw hrefs served as that directory's page
    modes: dict = {}  # URL path -> behaviour name
    requests: list = []
    served: set = set()  # paths already answered once (for "flaky")

    def log_message(self, *args):
        pass

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.requests.append((self.path, self.headers.get("Range")))
        if self.path in self.listings:
            page = "".join(f'<a href="{h}">{h}</a>\n' for h in self.listings[self.path])
            return self._send(200, page.encode(), [("Content-Type", "text/html")])
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            return super().do_GET()
        if not os.path.exists(path):
            return self.send_error(404)
        data = Path(path).read_bytes()
        mode = self.modes.get(self.path)
        if mode == "flaky":  # the first answer damaged in transit, the later ones right
            mode = None if self.path in self.served else "corrupt"
            self.served.add(self.path)
        rng = self.headers.get("Range")
        start = int(rng.split("=")[1].split("-")[0]) if rng else 0
        if start and start >= len(data) and mode != "bad206":
            return self.send_error(416)
        if mode == "500":
            return self.send_error(500)
        if mode == "403":
            return self.send_error(403)
        if mode == "always416":
            return self.send_error(416)
        if mode == "slow":
            time.sleep(1.0)
            return self._send(200, data, [("Content-Length", str(len(data)))])
        if mode == "nolength":
            self.close_connection = True
            return self._send(200, data)
        if mode == "truncated-nolength":
            self.close_connection = True
            return self._send(200, data[: len(data) // 2])
        if mode == "corrupt":  # right length, one byte flipped in the deflate stream
            bad = bytearray(data)
            bad[len(bad) // 2] ^= 0xFF
            return self._send(200, bytes(bad), [("Content-Length", str(len(bad)))])
        if mode == "bad206" and rng:  # claims a resume, but sends the file from byte 0
            return self._send(
                206,
                data,
                [
                    ("Content-Length", str(len(data))),
                    ("Content-Range", f"bytes 0-{len(data) - 1}/{len(data)}"),
                ],
            )
        if mode == "liar206":  # 206 to every request, with a range that starts elsewhere
            return self._send(
                206,
                data[7:],
                [
                    ("Content-Length", str(len(data) - 7)),
                    ("Content-Range", f"bytes 7-{len(data) - 1}/{len(data)}"),
                ],
            )
        if mode == "norange206" and rng:  # 206 without a Content-Range
            return self._send(206, data[start:], [("Content-Length", str(len(data) - start))])
        if rng:
            body = data[start:]
            return self._send(
                206,
                body,
                [
                    ("Content-Length", str(len(body))),
                    ("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"),
                ],
            )
        return self._send(200, data, [("Content-Length", str(len(data)))])


@pytest.fixture
def hostile(tmp_path):
    root = tmp_path / "server"
    ut = root / REL
    ut.mkdir(parents=True)
    for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz")):
        shutil.copy(f, ut / f.name)
    sky = datasets.sample_path("themis-gill-skymap")
    (root / SKY / "gill_20140101").mkdir(parents=True)
    shutil.copy(sky, root / SKY / "gill_20140101" / sky.name)
    Hostile.listings, Hostile.modes, Hostile.requests, Hostile.served = {}, {}, [], set()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Hostile, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    with gxc.override({"servers.retries": 3, "servers.backoff_s": 0.01, "servers.timeout_s": 5}):
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    httpd.shutdown()
    httpd.server_close()


def _get(url, mirror, start="2014-03-10T06:01", end="2014-03-10T06:01", **kw):
    return asi.download("themis", "gill", start, end, dest=mirror, url=url, progress=False, **kw)


def _outside(tmp_path, mirror):
    """Every file under tmp_path that is neither the server's nor inside the mirror."""
    return [
        p
        for p in tmp_path.rglob("*")
        if p.is_file()
        and not p.is_relative_to(tmp_path / "server")
        and not p.is_relative_to(mirror)
    ]


# --- 1. no escape from the mirror ---------------------------------------------------------------


def test_escaping_file_names_are_skipped_and_named(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "deep" / "mirror"
    Hostile.listings = {
        "/" + DAY: ["gill_themis19/", "gill_x%2F..%2F..%2F", "..%2f", "%2Fetc%2F", "gill_.."],
        "/" + REL: [
            NAME,
            "20140310_0601%2F..%2Fx",
            "20140310_0601" + "%2F.." * 11 + "%2Fevil_gill_themis19_x.pgm.gz",
            "..%5C20140310_0601_gill_themis19_full.pgm.gz",
            "20140310_0601_gill_themis19_full.pgm.gz%00",
            "%2Ftmp%2F20140310_0601_gill_themis19_full.pgm.gz",
            "20140310_0601_gill_rego-652_full.pgm.gz",  # right shape, wrong instrument
        ],
    }
    with pytest.warns(DataWarning, match="unsafe or malformed") as rec:
        files = _get(url, mirror)
    message = " ".join(str(w.message) for w in rec)
    for bad in ("gill_x/../../", "'../'", "'/etc/'", "20140310_0601/../x", "..\\\\2014", "\\x00"):
        assert bad in message
    for bad in ("gill_..", "rego-652", "'/tmp/2014"):
        assert bad in message
    assert files == [mirror / REL / NAME]
    assert files[0].read_bytes() == (root / REL / NAME).read_bytes()
    assert _outside(tmp_path, mirror) == []
    assert sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file()) == [
        ".manifest.json",
        ".manifest.lock",
        REL + NAME,
    ]
    # only the valid file was ever requested
    assert [p for p, _ in Hostile.requests if p.endswith(".gz")] == ["/" + REL + NAME]


def test_only_hostile_names_is_an_error(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "mirror"
    Hostile.listings = {"/" + REL: ["20140310_0601%2F..%2Fx", "..%2f", "%2Fetc%2Fpasswd"]}
    with pytest.warns(DataWarning), pytest.raises(DownloadError, match="no valid .*rejected"):
        _get(url, mirror)
    assert _outside(tmp_path, mirror) == []
    assert not mirror.exists() or not any(p.is_file() for p in mirror.rglob("*"))


def test_hostile_site_argument_is_refused(hostile, tmp_path):
    url, _ = hostile
    with pytest.raises(ValueError, match="site must be"):
        asi.download("themis", "../gill", "2014-03-10T06:01", "2014-03-10T06:01", url=url)
    with pytest.raises(ValueError, match="site must be"):
        asi.download_skymap("themis", "gill/..", "2014-03-10", dest=tmp_path / "m", url=url)


def test_escaping_skymap_names_are_skipped(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "mirror"
    sky = datasets.sample_path("themis-gill-skymap").name
    Hostile.listings = {
        "/" + SKY: ["gill_20140101/", "gill_20140102%2F..%2F..%2F", "..%2f", "gill_20991301/"],
        "/" + SKY + "gill_20140101/": [
            "themis_skymap_gill_20140101-%2B_v03.sav%2F..%2F..%2Fx.sav",
            "..%2Fthemis_skymap_gill_20140101-%2B_v09.sav",
            sky,
        ],
    }
    with pytest.warns(DataWarning, match="unsafe or malformed") as rec:
        got = asi.download_skymap("themis", "gill", "2014-03-10", dest=mirror, url=url)
    message = " ".join(str(w.message) for w in rec)
    assert "gill_20140102/../../" in message and "x.sav" in message
    assert got == mirror / SKY / "gill_20140101" / sky
    assert _outside(tmp_path, mirror) == []
    Hostile.listings = {"/" + SKY: ["gill_20140101%2F..%2F..%2F"]}
    with pytest.warns(DataWarning), pytest.raises(DownloadError, match="rejected"):
        asi.download_skymap("themis", "gill", "2014-03-10", dest=tmp_path / "m2", url=url)
    assert _outside(tmp_path, mirror) == []


# --- 2. integrity --------------------------------------------------------------------------------


def test_manifest_records_and_stale_files_are_refetched(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "mirror"
    (f,) = _get(url, mirror)
    good = (root / REL / NAME).read_bytes()
    manifest = json.loads((mirror / ".manifest.json").read_text())
    assert manifest[REL + NAME] == {"size": len(good), "sha256": hashlib.sha256(good).hexdigest()}

    def fetched():
        return sum(p.endswith(NAME) for p, _ in Hostile.requests)

    n = fetched()
    _get(url, mirror)
    assert fetched() == n  # verified cache: nothing downloaded
    bad = bytearray(good)
    bad[100] ^= 0xFF  # same size, other bytes
    f.write_bytes(bytes(bad))
    assert _get(url, mirror)[0].read_bytes() == good
    assert fetched() == n + 1
    f.write_bytes(good[:-10])  # truncated in place
    assert _get(url, mirror)[0].read_bytes() == good
    assert fetched() == n + 2
    (mirror / ".manifest.json").unlink()  # no record: not trusted, fetched again
    assert _get(url, mirror)[0].read_bytes() == good
    assert fetched() == n + 3


def test_no_content_length_complete_gzip_is_accepted(hostile, tmp_path):
    url, root = hostile
    Hostile.modes = {"/" + REL + NAME: "nolength"}
    (f,) = _get(url, tmp_path / "m")
    assert f.read_bytes() == (root / REL / NAME).read_bytes()


def test_no_content_length_truncated_gzip_is_refused(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + REL + NAME: "truncated-nolength"}
    with pytest.raises(DownloadError, match="not a complete, undamaged.*no Content-Length"):
        _get(url, mirror)
    assert not (mirror / REL / NAME).exists()
    assert not (mirror / REL / (NAME + ".part")).exists()


def test_corrupt_gzip_with_right_length_is_refused(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + REL + NAME: "corrupt"}
    with pytest.raises(DownloadError, match="not a complete, undamaged.*CRC.*after 3 attempts"):
        _get(url, mirror)
    assert not (mirror / REL / NAME).exists()
    assert not (mirror / REL / (NAME + ".part")).exists()
    # a damaged body may be a transfer accident: each attempt fetched it again from zero
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == [None, None, None]


def test_gzip_check_reads_to_the_end(tmp_path):
    from geospacexr.io.download import _complete_archive

    p = tmp_path / "a.gz"
    p.write_bytes(gzip.compress(b"x" * 300_000))
    assert _complete_archive(p, p.name)
    data = p.read_bytes()
    p.write_bytes(data[:-4] + bytes(4))  # wrong length trailer
    assert not _complete_archive(p, p.name)
    p.write_bytes(data[:-8] + b"\0\0\0\0" + data[-4:])  # wrong CRC
    assert not _complete_archive(p, p.name)


def test_206_with_wrong_content_range_restarts_from_zero(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "m"
    good = (root / REL / NAME).read_bytes()
    part = mirror / REL / (NAME + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(good[:1000])
    Hostile.modes = {"/" + REL + NAME: "bad206"}
    (f,) = _get(url, mirror)
    assert f.read_bytes() == good  # not 1000 bytes + the whole file
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == ["bytes=1000-", None]


def test_206_without_content_range_restarts_from_zero(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "m"
    good = (root / REL / NAME).read_bytes()
    part = mirror / REL / (NAME + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"y" * 1000)  # a stale .part that a blind append would keep
    Hostile.modes = {"/" + REL + NAME: "norange206"}
    (f,) = _get(url, mirror)
    assert f.read_bytes() == good
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == ["bytes=1000-", None]


def test_206_with_wrong_content_range_twice_is_an_error(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + REL + NAME: "liar206"}
    with pytest.raises(DownloadError, match="Content-Range.*after a restart"):
        _get(url, mirror)
    assert len([p for p, _ in Hostile.requests if p.endswith(NAME)]) == 2
    assert not (mirror / REL / NAME).exists()
    assert not (mirror / REL / (NAME + ".part")).exists()


def test_416_does_not_loop(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    part = mirror / REL / (NAME + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * 10)
    Hostile.modes = {"/" + REL + NAME: "always416"}
    with pytest.raises(DownloadError, match="HTTP 416"):
        _get(url, mirror)
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == ["bytes=10-", None]
    assert not (mirror / REL / NAME).exists()


def test_416_on_a_stale_part_restarts_once(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "m"
    good = (root / REL / NAME).read_bytes()
    part = mirror / REL / (NAME + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * (len(good) + 5))  # longer than the file: the server answers 416
    (f,) = _get(url, mirror)
    assert f.read_bytes() == good


@pytest.mark.parametrize(("mode", "calls"), [("500", 3), ("403", 1)])
def test_http_errors_end_in_download_error_after_bounded_retries(hostile, tmp_path, mode, calls):
    url, _ = hostile
    Hostile.modes = {"/" + REL + NAME: mode}
    with pytest.raises(DownloadError, match=mode):
        _get(url, tmp_path / "m")
    assert sum(p.endswith(NAME) for p, _ in Hostile.requests) == calls


def test_timeouts_end_in_download_error(hostile, tmp_path):
    url, _ = hostile
    Hostile.modes = {"/" + REL + NAME: "slow"}
    with gxc.override({"servers.retries": 2, "servers.timeout_s": 0.2}):
        with pytest.raises(DownloadError, match="2 attempts"):
            _get(url, tmp_path / "m")
    assert sum(p.endswith(NAME) for p, _ in Hostile.requests) == 2
    assert not (tmp_path / "m" / REL / NAME).exists()


def test_unreachable_server_backs_off_and_fails(tmp_path):
    with gxc.override({"servers.retries": 2, "servers.timeout_s": 1, "servers.backoff_s": 0.01}):
        with pytest.raises(DownloadError, match="no answer after 2 attempts"):
            _get("http://127.0.0.1:9/", tmp_path / "m")


# --- 3. structure checked before the rename ---------------------------------------------------

RGB_REL = "TREx/RGB/stream0/2021/10/30/gill_rgb-04/ut06/"
H5 = "20211030_0605_gill_rgb-04_full.h5"
TAR = "20211030_0605_gill_rgb-04_burst.png.tar"


def _rgb(url, mirror):
    return asi.download(
        "trex_rgb", "gill", "2021-10-30T06:05", "2021-10-30T06:05", dest=mirror, url=url,
        progress=False,
    )  # fmt: skip


def _serve_rgb(root, name, data=None):
    folder = root / RGB_REL
    folder.mkdir(parents=True, exist_ok=True)
    if data is None:
        sample = "trex_rgb-gill" if name.endswith(".h5") else "trex_rgb-gill-burst"
        data = (datasets.sample_path(sample) / name).read_bytes()
    (folder / name).write_bytes(data)
    return data


def _nothing_kept(mirror, rel, name):
    return not (mirror / rel / name).exists() and not (mirror / rel / (name + ".part")).exists()


def test_good_hdf5_and_png_tar_pass_the_structure_check(hostile, tmp_path):
    url, root = hostile
    h5 = _serve_rgb(root, H5)
    tar = _serve_rgb(root, TAR)
    files = _rgb(url, tmp_path / "m")
    assert [f.name for f in files] == sorted([H5, TAR])
    assert {f.name: f.read_bytes() for f in files} == {H5: h5, TAR: tar}


def test_hdf5_with_a_damaged_chunk_is_never_renamed_into_the_mirror(hostile, tmp_path):
    url, root = hostile
    _serve_rgb(root, H5)
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + RGB_REL + H5: "corrupt"}  # same length, one byte of a chunk flipped
    with pytest.raises(DownloadError, match="not a complete, undamaged.*data/images"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, H5)


def test_hdf5_cut_short_without_content_length_is_refused(hostile, tmp_path):
    url, root = hostile
    _serve_rgb(root, H5)
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + RGB_REL + H5: "truncated-nolength"}
    with pytest.raises(DownloadError, match="no Content-Length.*HDF5"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, H5)


def test_hdf5_without_the_datasets_its_reader_needs_is_refused(hostile, tmp_path):
    import h5py
    import numpy as np

    url, root = hostile
    made = tmp_path / "made.h5"
    with h5py.File(made, "w") as f:
        f.create_dataset("data/images", data=np.zeros((4, 4, 3, 1), np.uint8))
    _serve_rgb(root, H5, made.read_bytes())
    mirror = tmp_path / "m"
    with pytest.raises(DownloadError, match="/data/timestamp.*asi-h5"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, H5)


def test_hdf5_with_external_storage_is_refused(hostile, tmp_path):
    import h5py
    import numpy as np

    url, root = hostile
    outside = tmp_path / "secret.bin"
    outside.write_bytes(b"s" * 48)
    made = tmp_path / "made.h5"
    with h5py.File(made, "w") as f:
        f.create_dataset("data/images", (4, 4, 3, 1), np.uint8, external=[(str(outside), 0, 48)])
        f.create_dataset("data/timestamp", data=np.array([b"2021-10-30 06:05:00.000000 UTC"]))
    _serve_rgb(root, H5, made.read_bytes())
    mirror = tmp_path / "m"
    with pytest.raises(DownloadError, match="external"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, H5)


def test_png_tar_with_a_damaged_member_header_is_refused(hostile, tmp_path):
    import tarfile

    url, root = hostile
    good = _serve_rgb(root, TAR)
    with tarfile.open(datasets.sample_path("trex_rgb-gill-burst") / TAR) as tar:
        second = tar.getmembers()[1].offset
    bad = bytearray(good)
    bad[second + 100 : second + 108] = b"garbage!"  # the mode field: the checksum fails
    _serve_rgb(root, TAR, bytes(bad))
    mirror = tmp_path / "m"
    with pytest.raises(DownloadError, match="damaged tar header after 1 member"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, TAR)


def test_png_tar_with_a_damaged_png_chunk_is_refused(hostile, tmp_path):
    import tarfile

    url, root = hostile
    good = _serve_rgb(root, TAR)
    with tarfile.open(datasets.sample_path("trex_rgb-gill-burst") / TAR) as tar:
        first = tar.getmembers()[0]
    bad = bytearray(good)
    bad[first.offset_data + first.size // 2] ^= 0x01  # inside the first PNG's image data
    _serve_rgb(root, TAR, bytes(bad))
    mirror = tmp_path / "m"
    with pytest.raises(DownloadError, match="fails its CRC"):
        _rgb(url, mirror)
    assert _nothing_kept(mirror, RGB_REL, TAR)


def test_pgm_gz_that_is_valid_gzip_of_a_cut_pgm_is_refused(hostile, tmp_path):
    url, root = hostile
    mirror = tmp_path / "m"
    inner = gzip.decompress((root / REL / NAME).read_bytes())
    (root / REL / NAME).write_bytes(gzip.compress(inner[:-1000]))  # right CRC, frame cut short
    with pytest.raises(DownloadError, match="pixel bytes before the end"):
        _get(url, mirror)
    assert _nothing_kept(mirror, REL, NAME)
    (root / REL / NAME).write_bytes(gzip.compress(b"P6\n" + inner[3:]))  # not a P5 PGM
    with pytest.raises(DownloadError, match="magic 'P5'"):
        _get(url, mirror)
    assert _nothing_kept(mirror, REL, NAME)


def test_decompression_bomb_is_refused_by_the_configured_limit(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    with gxc.override({"io.max_decompressed_mb": 1.0}):  # the file expands to about 2.6 MB
        with pytest.raises(DownloadError, match="io.max_decompressed_mb"):
            _get(url, mirror)
    assert _nothing_kept(mirror, REL, NAME)


def test_a_body_damaged_once_is_fetched_again_and_accepted(hostile, tmp_path):
    url, root = hostile
    Hostile.modes = {"/" + REL + NAME: "flaky"}
    (f,) = _get(url, tmp_path / "m")
    assert f.read_bytes() == (root / REL / NAME).read_bytes()
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == [None, None]


def test_skymap_with_a_looping_record_chain_is_refused(hostile, tmp_path):
    import struct

    url, root = hostile
    sky = datasets.sample_path("themis-gill-skymap").name
    served = root / SKY / "gill_20140101" / sky
    data = bytearray(served.read_bytes())
    data[8:12] = struct.pack(">I", 4)  # record 0's next-record offset: itself
    served.write_bytes(bytes(data))
    mirror = tmp_path / "m"
    with pytest.raises(DownloadError, match="does not point past the record"):
        asi.download_skymap("themis", "gill", "2014-03-10", dest=mirror, url=url)
    assert _nothing_kept(mirror, SKY + "gill_20140101/", sky)


def test_a_symlink_in_the_mirror_is_not_replaced(hostile, tmp_path):
    url, _ = hostile
    mirror = tmp_path / "m"
    inside = mirror / "precious.txt"  # a link to a file inside the mirror: refused by _fetch
    link = mirror / REL / NAME
    link.parent.mkdir(parents=True)
    inside.write_text("keep")
    link.symlink_to(inside)
    with pytest.raises(DownloadError, match="symbolic link"):
        _get(url, mirror)
    assert link.is_symlink() and inside.read_text() == "keep"
    outside = tmp_path / "outside.txt"  # a link out of the mirror: the name is rejected
    outside.write_text("keep")
    link.unlink()
    link.symlink_to(outside)
    with pytest.warns(DataWarning), pytest.raises(DownloadError, match="no valid"):
        _get(url, mirror)
    assert link.is_symlink() and outside.read_text() == "keep"


# --- 4. one download per file at a time; a killed downloader blocks nothing ---------------------


def test_concurrent_downloads_of_one_file_fetch_it_once(hostile, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    url, root = hostile
    mirror = tmp_path / "m"
    Hostile.modes = {"/" + REL + NAME: "slow"}  # 1 s before the body: both calls overlap
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: _get(url, mirror), range(2)))
    good = (root / REL / NAME).read_bytes()
    assert [r[0].read_bytes() == good for r in results] == [True, True]
    assert sum(p.endswith(NAME) for p, _ in Hostile.requests) == 1
    assert not (mirror / REL / (NAME + ".part")).exists()


def test_a_killed_downloader_leaves_a_part_that_the_next_call_resumes(hostile, tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    url, root = hostile
    mirror = tmp_path / "m"
    part = mirror / REL / (NAME + ".part")
    part.parent.mkdir(parents=True)
    good = (root / REL / NAME).read_bytes()
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from geospacexr.io.download import _part_lock
        part = Path(sys.argv[1])
        with _part_lock(part):
            part.write_bytes(bytes.fromhex(sys.argv[2]))
            print("locked", flush=True)
            time.sleep(60)
        """
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(part), good[:5000].hex()],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": src},
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    (f,) = _get(url, mirror)  # the dead holder's lock went with it; its bytes are resumed
    assert f.read_bytes() == good
    assert [r for p, r in Hostile.requests if p.endswith(NAME)] == ["bytes=5000-"]
    assert not part.exists()
