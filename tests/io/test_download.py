"""Downloads against a local HTTP server serving fixtures in the University of Calgary layout."""

import shutil

import pytest
from _http_fixture import Handler, serve

from geospacexr import asi, datasets
from geospacexr.errors import DataWarning, DownloadError


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "server"
    day = root / "THEMIS/asi/stream0/2014/03/10/gill_themis19/ut06"
    day.mkdir(parents=True)
    for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz")):
        shutil.copy(f, day / f.name)
    sky = datasets.sample_path("themis-gill-skymap")
    new = root / "THEMIS/asi/skymaps/gill/gill_20140101"
    old = root / "THEMIS/asi/skymaps/gill/gill_20100101"
    new.mkdir(parents=True)
    old.mkdir(parents=True)
    shutil.copy(sky, new / sky.name)
    shutil.copy(sky, old / "themis_skymap_gill_20100101-20131231_v02.sav")
    with serve(root) as url:
        yield url, root


def test_download_a_time_range_into_the_mirror(server, tmp_path):
    url, root = server
    mirror = tmp_path / "mirror"
    files = asi.download(
        "themis",
        "gill",
        "2014-03-10T06:01",
        "2014-03-10T06:02",
        dest=mirror,
        url=url,
        progress=False,
    )
    assert [f.name for f in files] == [
        "20140310_0601_gill_themis19_full.pgm.gz",
        "20140310_0602_gill_themis19_full.pgm.gz",
    ]
    rel = "THEMIS/asi/stream0/2014/03/10/gill_themis19/ut06/"
    for f in files:
        assert f == mirror / rel / f.name
        assert f.read_bytes() == (root / rel / f.name).read_bytes()
    # the downloaded files open like any others
    from geospacexr import open_asi

    assert open_asi(files).sizes["time"] == 40
    # a second call downloads nothing
    fetched = [p for p, _ in Handler.requests if p.endswith(".gz")]
    asi.download(
        "themis",
        "gill",
        "2014-03-10T06:01",
        "2014-03-10T06:02",
        dest=mirror,
        url=url,
        progress=False,
    )
    assert [p for p, _ in Handler.requests if p.endswith(".gz")] == fetched


def test_missing_hour_is_reported(server, tmp_path):
    url, _ = server
    with pytest.warns(DataWarning, match="hour.*2014-03-10T07"):
        files = asi.download(
            "themis",
            "gill",
            "2014-03-10T06:02",
            "2014-03-10T07:05",
            dest=tmp_path / "m",
            url=url,
            progress=False,
        )
    assert len(files) == 1


def test_broken_transfer_is_detected_then_resumed(server, tmp_path):
    url, root = server
    name = "20140310_0600_gill_themis19_full.pgm.gz"
    rel = "THEMIS/asi/stream0/2014/03/10/gill_themis19/ut06/"
    Handler.broken = {f"/{rel}{name}"}
    mirror = tmp_path / "mirror"
    with pytest.raises(DownloadError, match="received .* bytes, the server announced"):
        asi.download(
            "themis",
            "gill",
            "2014-03-10T06:00",
            "2014-03-10T06:00",
            dest=mirror,
            url=url,
            progress=False,
            workers=1,
        )
    assert not (mirror / rel / name).exists()  # never a half file in the mirror
    part = mirror / rel / (name + ".part")
    assert part.exists() and 0 < part.stat().st_size
    Handler.broken = set()
    files = asi.download(
        "themis",
        "gill",
        "2014-03-10T06:00",
        "2014-03-10T06:00",
        dest=mirror,
        url=url,
        progress=False,
    )
    assert files[0].read_bytes() == (root / rel / name).read_bytes()
    assert any(
        r and r.startswith("bytes=") and r != "bytes=0-"
        for p, r in Handler.requests
        if p.endswith(name)
    )


def test_skymap_valid_for_the_date(server, tmp_path):
    url, _ = server
    new = asi.download_skymap("themis", "gill", "2014-03-10", dest=tmp_path / "m", url=url)
    assert new.name == "themis_skymap_gill_20140101-+_v02.sav"
    old = asi.download_skymap("themis", "gill", "2012-06-01", dest=tmp_path / "m", url=url)
    assert old.name == "themis_skymap_gill_20100101-20131231_v02.sav"
    with pytest.raises(DownloadError, match="covers 2009-01-01"):
        asi.download_skymap("themis", "gill", "2009-01-01", dest=tmp_path / "m", url=url)


def test_bad_arguments(server):
    url, _ = server
    with pytest.raises(ValueError, match="instrument must be one of"):
        asi.download("allsky", "gill", "2014-03-10T06:00", "2014-03-10T06:01", url=url)
    with pytest.raises(ValueError, match="before start"):
        asi.download("themis", "gill", "2014-03-10T06:05", "2014-03-10T06:01", url=url)


def test_unreachable_server(tmp_path):
    import geospacexr.config as gxc

    with gxc.override({"servers.retries": 1, "servers.timeout_s": 1}):
        with pytest.raises(DownloadError, match="no answer"):
            asi.download(
                "themis",
                "gill",
                "2014-03-10T06:00",
                "2014-03-10T06:00",
                dest=tmp_path,
                url="http://127.0.0.1:9/",
            )
