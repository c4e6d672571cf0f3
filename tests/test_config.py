from pathlib import Path

import pytest

import geospacexr.config as gxc
from geospacexr.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults():
    cfg = gxc.get()
    assert cfg.asi.altitude_km == 110.0
    assert cfg.asi.min_elevation == 5.0
    assert cfg.serve.port == 5006
    assert cfg.sources["asi.altitude_km"] == "default"
    assert cfg.sample_dir == cfg.paths.cache_dir / "samples"


def test_file_then_env_then_argument(tmp_path, monkeypatch):
    path = write(tmp_path, "[asi]\naltitude_km = 150\nmin_elevation = 10\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    cfg = gxc.reload()
    assert cfg.asi.altitude_km == 150.0
    assert cfg.sources["asi.altitude_km"] == f"{path}:2"
    monkeypatch.setenv("GEOSPACEXR_ASI_ALTITUDE_KM", "230")
    cfg = gxc.reload()
    assert cfg.asi.altitude_km == 230.0
    assert cfg.asi.min_elevation == 10.0
    assert cfg.sources["asi.altitude_km"] == "GEOSPACEXR_ASI_ALTITUDE_KM"
    assert gxc.resolve(None, "asi.altitude_km") == 230.0
    assert gxc.resolve(90.0, "asi.altitude_km") == 90.0


def test_default_file_location(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "geospacexr").mkdir()
    (tmp_path / "geospacexr" / "config.toml").write_text("[serve]\nport = 7000\n")
    assert gxc.reload().serve.port == 7000


def test_paths_are_expanded(tmp_path, monkeypatch):
    monkeypatch.delenv("GEOSPACEXR_PATHS_CACHE_DIR")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(write(tmp_path, '[paths]\ncache_dir = "~/gx"\n')))
    assert gxc.reload().paths.cache_dir == Path.home() / "gx"


def test_malformed_file_names_file_and_line(tmp_path, monkeypatch):
    path = write(tmp_path, "[asi]\naltitude_km = 110\nmin_elevation = = 3\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        gxc.reload()
    assert str(path) in str(info.value)
    assert info.value.line == 3


def test_unknown_key_names_file_key_and_line(tmp_path, monkeypatch):
    path = write(tmp_path, "# comment\n[asi]\naltitude_km = 110\nmin_elevaton = 3\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        gxc.reload()
    msg = str(info.value)
    assert str(path) in msg and "line 4" in msg and "asi.min_elevaton" in msg
    assert "min_elevation" in msg  # the known keys are listed


def test_unknown_section(tmp_path, monkeypatch):
    path = write(tmp_path, "[asii]\naltitude_km = 110\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(ConfigError, match=r"line 1.*unknown section \[asii\]"):
        gxc.reload()


def test_wrong_type_in_file(tmp_path, monkeypatch):
    path = write(tmp_path, '[serve]\nport = "eighty"\n')
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(ConfigError, match=r"line 2.*serve.port.*expected an integer"):
        gxc.reload()


def test_missing_named_file(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        gxc.reload()


def test_bad_environment_values(monkeypatch):
    monkeypatch.setenv("GEOSPACEXR_ASI_ALTITUDE_KM", "high")
    with pytest.raises(ConfigError, match="GEOSPACEXR_ASI_ALTITUDE_KM.*expected a number"):
        gxc.reload()
    monkeypatch.delenv("GEOSPACEXR_ASI_ALTITUDE_KM")
    monkeypatch.setenv("GEOSPACEXR_ASI_ALTITUDE", "110")
    with pytest.raises(ConfigError, match="GEOSPACEXR_ASI_ALTITUDE.*unknown setting"):
        gxc.reload()


def test_unrelated_environment_variables_are_ignored(monkeypatch):
    for var in ("GEOSPACEXR_REF_GCMPROCPY", "GEOSPACEXR_REF_UCALGARY", "GEOSPACEXR_NOT_A_SECTION"):
        monkeypatch.delenv(var, raising=False)
    before = gxc.reload()
    monkeypatch.setenv("GEOSPACEXR_REF_GCMPROCPY", "/usr/bin/python3")
    monkeypatch.setenv("GEOSPACEXR_REF_UCALGARY", "/usr/bin/python3")
    monkeypatch.setenv("GEOSPACEXR_NOT_A_SECTION", "1")
    after = gxc.reload()  # no ConfigError, and nothing taken from them
    assert after.as_dict() == before.as_dict()
    assert after.sources == before.sources
    assert "GEOSPACEXR_REF" not in gxc.describe(after)
    # a configuration variable set next to them is still read
    monkeypatch.setenv("GEOSPACEXR_ASI_ALTITUDE_KM", "120")
    cfg = gxc.reload()
    assert (
        cfg.asi.altitude_km == 120.0
        and cfg.sources["asi.altitude_km"] == "GEOSPACEXR_ASI_ALTITUDE_KM"
    )


def test_override_context_and_unknown_key():
    with gxc.override({"asi.altitude_km": 150}) as cfg:
        assert cfg.asi.altitude_km == 150.0
        assert gxc.resolve(None, "asi.altitude_km") == 150.0
    assert gxc.get().asi.altitude_km == 110.0
    with pytest.raises(ConfigError, match="asi.altitude"), gxc.override({"asi.altitude": 1}):
        pass
    with (
        pytest.raises(ConfigError, match="expected a number"),
        gxc.override({"asi.altitude_km": "x"}),
    ):
        pass


def test_get_unknown_key():
    with pytest.raises(ConfigError, match="unknown configuration key"):
        gxc.get().get("asi.nope")


def test_describe_lists_every_key_with_its_source(monkeypatch):
    monkeypatch.setenv("GEOSPACEXR_SERVE_PORT", "6001")
    gxc.reload()
    text = gxc.describe()
    for key in gxc.keys():
        assert key in text
    assert "6001" in text and "[GEOSPACEXR_SERVE_PORT]" in text


def test_config_file_must_be_a_small_regular_file(tmp_path, monkeypatch):
    import os

    from geospacexr import config
    from geospacexr.errors import ConfigError

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(fifo))
    with pytest.raises(ConfigError, match="not a regular file"):  # no blocking read
        config.reload()
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * config.MAX_FILE_BYTES + b"\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(big))
    with pytest.raises(ConfigError, match="larger than"):
        config.reload()
    deep = tmp_path / "deep.toml"
    deep.write_text("[asi]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(deep))
    with pytest.raises(ConfigError, match="TOML"):
        config.reload()
    monkeypatch.delenv("GEOSPACEXR_CONFIG")
    config.reload()
