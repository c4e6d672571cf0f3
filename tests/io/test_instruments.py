"""The instrument table (geospacexr.io.instruments): every module reads the same rows.

The table replaced five hand-kept tables that had drifted apart (the plot colours said
``trex_blueline`` where the readers write ``trex_blue``, so Blueline fields of view were grey).
These tests tie the table to what the readers and the sample generators actually produce.
"""

import fnmatch
import gzip

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import IncompatibleInputError, InvalidArgumentError, UnknownNameError
from geospacexr.io import asi as io_asi
from geospacexr.io import download, registry
from geospacexr.io import instruments as table
from geospacexr.io.instruments import FALLBACK_COLOUR, FileType, Instrument


def samples_of(kind):
    return [n for n in datasets.list_samples() if datasets.sample_info(n).kind == kind]


def files_of(name):
    path = datasets.sample_path(name)
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.name != datasets.MANIFEST)


def matches(name, patterns):
    return any(fnmatch.fnmatch(name.lower(), p.lower()) for p in patterns)


# ---------------------------------------------------------------------------------------------
# the registry dialect
# ---------------------------------------------------------------------------------------------


def test_listing_and_lookup():
    names = table.list_instruments()
    assert names == sorted(names)
    assert {"themis", "rego", "trex_nir", "trex_blue", "trex_rgb", "smile"} <= set(names)
    details = table.list_instruments(details=True)
    assert [d["name"] for d in details] == names
    assert all(d["description"] for d in details)
    # older spellings are aliases of the names the readers write
    assert table.get_instrument("trex_blueline").name == "trex_blue"
    assert table.get_instrument("TREX_BLUE").name == "trex_blue"
    assert geospacexr.asi.instruments.get_instrument("rgb").name == "trex_rgb"


def test_unknown_instrument_names_close_matches():
    with pytest.raises(UnknownNameError, match=r"did you mean 'trex_blue'") as info:
        table.get_instrument("trex_blu")
    # a KeyError like every registry's, and a ValueError like the older instrument errors
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    assert info.value.candidates[0] == "trex_blue"


def test_rows_are_complete():
    for row in table.instruments("asi"):
        assert row.readers, row.name
        assert set(row.readers) <= set(registry.readers()), row.name
        assert row.image_size and row.dtype and row.colour != FALLBACK_COLOUR, row.name
        assert row.matches_imager(row.example_imager), row.name
        assert row.skymap_kind == "ucalgary-sav" and row.skymap_prefix, row.name
    colours = [row.colour for row in table.instruments()]
    assert len(set(colours)) == len(colours), "two instruments share a colour"


# ---------------------------------------------------------------------------------------------
# the table against the samples and the readers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", samples_of("asi"))
def test_asi_sample_maps_to_its_row(name):
    row = table.get_instrument(name.split("-")[0])
    files = files_of(name)
    for path in files:
        assert matches(path.name, row.file_patterns), (path.name, row.file_patterns)
        found, reader = table.instrument_of_file(path)
        assert found.name == row.name and reader in row.readers
        assert registry.find_reader(path).name == reader
    ds = datasets.open_sample(name)
    # the readers write the row's name, and the images have the row's size and dtype
    assert ds.attrs["instrument"] == row.name
    assert (ds.sizes["y"], ds.sizes["x"]) == row.image_size
    assert ds["image"].dtype == np.dtype(row.dtype)
    assert ds.sizes.get("channel", 1) == row.channels
    assert table.colour_of(ds.attrs["instrument"]) == row.colour != FALLBACK_COLOUR


@pytest.mark.parametrize("name", samples_of("skymap"))
def test_skymap_sample_maps_to_its_row(name):
    row = table.get_instrument(name.split("-")[0])
    (path,) = files_of(name)
    assert matches(path.name, row.skymap_patterns), (path.name, row.skymap_patterns)
    sky = datasets.open_sample(name)
    assert sky.attrs["instrument"] == row.name
    assert table.instrument_of_skymap_project(sky.attrs["project"]) == row.name
    assert sky["elevation"].shape == row.image_size


@pytest.mark.parametrize("name", samples_of("calibration"))
def test_calibration_sample_maps_to_its_row(name):
    row = table.get_instrument(name.split("-")[0])
    for path in files_of(name):
        if path.suffix == ".sav":
            assert matches(path.name, row.calibration_patterns), path.name
    for cal in datasets.open_sample(name).values():
        assert cal.attrs["instrument"] == row.name
        assert cal.attrs["calibration_type"] in row.calibrations


def test_every_asi_instrument_has_a_sample():
    sampled = {n.split("-")[0] for n in samples_of("asi")}
    assert {row.name for row in table.instruments("asi")} <= sampled


def test_legacy_tables_are_views_of_the_table():
    assert dict(io_asi.INSTRUMENTS) == {
        r.name: r.imager_pattern for r in table.instruments("asi") if r.imager_pattern
    }
    assert download.PROJECTS["trex_blue"] == ("TREx/blueline", "blue")
    assert "smile" not in download.PROJECTS  # no download layout in the table
    from geospacexr.plot.asi import NETWORK_COLOURS

    for row in table.instruments():
        assert NETWORK_COLOURS[row.name] == row.colour
        for alias in row.aliases:
            assert NETWORK_COLOURS[alias] == row.colour


def test_blueline_field_of_view_is_drawn_in_its_own_colour():
    """The drift this table fixed: Blueline rings were grey (``trex_blueline`` != ``trex_blue``)."""
    pytest.importorskip("cartopy")
    from geospacexr import plot

    sky = datasets.open_sample("trex_blue-gill-skymap")
    ax = plot.asi.plot_fov([sky], show_coastlines=False)
    expected = table.get_instrument(sky.attrs["instrument"]).colour
    rings = [line for line in ax.lines if line.get_marker() in ("None", None, "")]
    assert rings and {line.get_color() for line in rings} == {expected}
    assert expected != FALLBACK_COLOUR


# ---------------------------------------------------------------------------------------------
# adding an instrument: one row (and, for a new format, one reader)
# ---------------------------------------------------------------------------------------------


def pgm_minute(path, imager):
    """One gzipped PGM file of two 4x3 frames for ``imager``."""
    frames = b""
    for k in range(2):
        header = (
            f'P5\n#"Image request start" 2020-01-01 00:00:0{3 * k}.000000 UTC\n'
            f'#"Imager unique ID" {imager}\n'
            f'#"Site unique ID" test\n4 3\n65535\n'
        ).encode()
        frames += header + np.arange(12, dtype=">u2").tobytes()
    path.write_bytes(gzip.compress(frames))
    return path


@pytest.fixture
def new_row():
    row = Instrument(
        name="test_imager",
        network="TEST",
        label="Test imager",
        description="an imager added by a test",
        imager_pattern=r"tst-\d+",
        example_imager="tst-01",
        image_size=(3, 4),
        files=(FileType("asi-pgm", ("*_tst-*.pgm.gz",)),),
        flip_columns=True,
        colour="tab:pink",
        aliases=("tst",),
    )
    table.register_instrument(row)
    yield row
    table.unregister_instrument(row.name)


def test_a_new_row_is_read_everywhere(tmp_path, new_row):
    path = pgm_minute(tmp_path / "20200101_0000_test_tst-01_full.pgm.gz", "tst-01")
    assert io_asi.detect_instrument(path) == "test_imager"
    assert "test_imager" in io_asi.INSTRUMENTS and "test_imager" in table.list_instruments()
    ds = geospacexr.open_asi(path)
    assert ds.attrs["instrument"] == "test_imager"
    # the row's flip_columns reaches the reader: columns reversed as well as rows
    plain = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(ds.image.values[0], plain[::-1, ::-1])
    from geospacexr.plot.asi import NETWORK_COLOURS

    assert NETWORK_COLOURS["test_imager"] == NETWORK_COLOURS["tst"] == "tab:pink"
    assert table.colour_of("tst") == "tab:pink"


def test_register_refuses_a_taken_name_or_alias(new_row):
    with pytest.raises(InvalidArgumentError, match="already registered"):
        table.register_instrument(new_row.__class__(**{**new_row.__dict__}))
    clash = Instrument(name="other", network="X", label="X", description="x", aliases=("tst",))
    with pytest.raises(InvalidArgumentError, match="alias 'tst'"):
        table.register_instrument(clash)
    assert "other" not in table.list_instruments()
    with pytest.raises(InvalidArgumentError, match="Instrument"):
        table.register_instrument({"name": "dict"})


def test_open_asi_dispatches_through_the_reader_registry(tmp_path):
    """A new format: its reader is registered, its row names the reader; open_asi uses it."""
    path = tmp_path / "20200101_0000_test_fmt-01_full.fmt"
    path.write_bytes(b"FMT1")
    calls = []

    @registry.register_reader("test-fmt", kind="asi", patterns=("*.fmt",), magic=(b"FMT1",))
    def open_fmt(files, **kwargs):
        calls.append((files, kwargs))
        return "opened"

    row = Instrument(
        name="test_fmt",
        network="TEST",
        label="Test format",
        description="a format added by a test",
        imager_pattern=r"fmt-\d+",
        files=(FileType("test-fmt", ("*_fmt-*.fmt",)),),
    )
    table.register_instrument(row)
    try:
        assert geospacexr.open_asi(path, start="2020-01-01") == "opened"
        ((files, kwargs),) = calls
        assert files == [path] and kwargs["start"] == "2020-01-01"
        pgm = pgm_minute(tmp_path / "20200101_0000_gill_themis19_full.pgm.gz", "themis19")
        with pytest.raises(IncompatibleInputError, match=r"PGM and test-fmt files in one call"):
            geospacexr.open_asi([path, pgm])
    finally:
        table.unregister_instrument(row.name)
        registry._READERS.remove("test-fmt")
