import dataclasses
import math
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


# ------------------------------------------------------------------------------------------------
# Allowed values (issue 16, point 7): every key, through every way a value comes in


def _field(key):
    section, _, name = key.partition(".")
    return gxc._fields()[(section, name)]


def _bad_values(key):
    """One value beyond every bound of ``key`` (and NaN for a number), as Python values."""
    lim = gxc.limits(key)
    base = str(_field(key).type).replace(" | None", "")
    bad = []
    if base in ("int", "float"):
        step = 1 if base == "int" else 0.5
        if "min" in lim:
            bad.append(lim["min"] - step)
        if "gt" in lim:
            bad.append(lim["gt"])
        if "max" in lim and lim["max"] < gxc.INT_MAX:
            bad.append(lim["max"] + step)
        if "lt" in lim:
            bad.append(lim["lt"])
        if base == "float":
            bad.append(math.nan)
            bad.append(math.inf)
        bad = [int(v) if base == "int" else float(v) for v in bad]
    elif "choices" in lim:
        bad.append("bogus")
    elif key == "serve.address":
        bad += ["bad address!", "http://x:80", "-x-.org"]
    elif key == "servers.ucalgary_url":
        bad += ["ftp://example.org/data", "not a url"]
    elif base in ("Path", "str"):
        bad.append("a\x00b")
    return bad


def _toml(value):
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if math.isinf(value) else repr(value))
    if isinstance(value, str):
        return '"' + value.replace("\x00", "\\u0000") + '"'
    return str(value)


CASES = [(key, value) for key in gxc.keys() for value in _bad_values(key)]


def test_every_numeric_and_choice_key_has_a_refused_value():
    keys_with_cases = {key for key, _ in CASES}
    for key in gxc.keys():
        base = str(_field(key).type).replace(" | None", "")
        if base != "bool":
            assert key in keys_with_cases, key


def test_the_defaults_all_pass():
    for section, cls in gxc._SECTIONS.items():
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            key = f"{section}.{f.name}"
            if default is not None:
                assert gxc.check_value(key, default) == default, key
    cfg = gxc.reload()
    others = {k: v for k, v in cfg.sources.items() if k != "paths.cache_dir"}  # set by conftest
    assert all(source.startswith("default") for source in others.values())


@pytest.mark.parametrize("key, value", CASES, ids=[f"{k}={v!r}" for k, v in CASES])
def test_out_of_range_in_the_file_is_refused(tmp_path, monkeypatch, key, value):
    section, _, name = key.partition(".")
    path = write(tmp_path, f"# comment\n[{section}]\n{name} = {_toml(value)}\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(ConfigError) as info:
        gxc.reload()
    msg = str(info.value)
    assert key in msg and str(path) in msg and "line 3" in msg, msg
    assert info.value.key == key and info.value.line == 3
    shown = repr(value) if isinstance(value, str) else gxc._number(value)
    secret = _field(key).metadata.get("secret")  # an API key is never shown, even refused
    assert (shown not in msg and "the value" in msg) if secret else shown in msg, msg
    if key not in ("serve.address", "servers.ucalgary_url") and not isinstance(value, str):
        assert gxc.allowed(key) in msg, msg  # the allowed range is named


@pytest.mark.parametrize(
    "key, value", [(k, v) for k, v in CASES if "\x00" not in str(v)], ids=lambda x: str(x)
)
def test_out_of_range_in_the_environment_is_refused(monkeypatch, key, value):
    var = f"GEOSPACEXR_{key.replace('.', '_').upper()}"
    monkeypatch.setenv(var, str(value))
    with pytest.raises(ConfigError) as info:
        gxc.reload()
    assert var in str(info.value) and key in str(info.value)
    assert info.value.source == var


@pytest.mark.parametrize("key, value", CASES, ids=[f"{k}={v!r}" for k, v in CASES])
def test_out_of_range_through_override_is_refused(key, value):
    with pytest.raises(ConfigError) as info, gxc.override({key: value}):
        pass
    assert key in str(info.value) and info.value.source == "override"
    assert gxc.get().as_dict() == gxc.reload().as_dict()  # nothing stayed in force


def test_the_issue_cases_name_key_value_and_range(monkeypatch):
    cases = {
        "servers.timeout_s": ("nan", "nan"),
        "servers.retries": ("0", "[1, 100]"),
        "serve.port": ("99999999", "[0, 65535]"),
        "io.workers": ("-5", ">= 0"),
        "rb.accuracy": ("bogus", "'fast', 'default', 'high'"),
        "gcm.time_chunk": ("-3", ">= 1"),
    }
    for key, (text, allowed) in cases.items():
        var = f"GEOSPACEXR_{key.replace('.', '_').upper()}"
        monkeypatch.setenv(var, text)
        with pytest.raises(ConfigError) as info:
            gxc.reload()
        msg = str(info.value)
        assert key in msg and text in msg and allowed in msg and var in msg, msg
        monkeypatch.delenv(var)
    gxc.reload()


def test_rb_accuracy_choices_are_the_presets():
    from geospacexr.rb.invariants import ACCURACY

    assert set(gxc.RB_ACCURACY_PRESETS) == set(ACCURACY)
    with gxc.override({"rb.accuracy": "high"}) as cfg:
        assert cfg.rb.accuracy == "high"


def test_a_plain_new_field_gets_limits_from_its_type_and_name(monkeypatch):
    @dataclasses.dataclass(frozen=True)
    class NewIoConfig(gxc.IoConfig):  # plain fields added to a section, as engineers do
        max_things: int = 10
        max_size_mb: float = 1.0
        timeout_s: float = 2.0
        altitude_km: float = 1.0
        count: int = 3
        offset: float = -4.0
        note: str = "x"
        ranged: float = dataclasses.field(default=0.5, metadata={"min": 0, "max": 1})

    monkeypatch.setitem(gxc._SECTIONS, "io", NewIoConfig)
    assert gxc.limits("io.max_things") == {"min": 1, "max": gxc.INT_MAX}
    assert gxc.limits("io.max_size_mb") == {"gt": 0}
    assert gxc.limits("io.timeout_s") == {"min": 0}
    assert gxc.limits("io.altitude_km") == {"min": 0}
    assert gxc.limits("io.count") == {"min": 0, "max": gxc.INT_MAX}
    assert gxc.limits("io.offset") == {}
    assert gxc.limits("io.ranged") == {"min": 0, "max": 1}
    refused = {
        "io.max_things": 0,
        "io.max_size_mb": 0.0,
        "io.timeout_s": -1.0,
        "io.count": -1,
        "io.offset": math.nan,
        "io.ranged": 1.5,
        "io.note": "a\x00b",
    }
    for key, value in refused.items():
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")), gxc.override({key: value}):
            pass
    with gxc.override({"io.offset": -1e9, "io.count": 0, "io.ranged": 1}) as cfg:
        assert cfg.io.offset == -1e9  # no bound but finiteness
    monkeypatch.setenv("GEOSPACEXR_IO_MAX_THINGS", "0")
    with pytest.raises(ConfigError, match="GEOSPACEXR_IO_MAX_THINGS"):
        gxc.reload()
    monkeypatch.delenv("GEOSPACEXR_IO_MAX_THINGS")
    monkeypatch.setitem(gxc._SECTIONS, "io", gxc.IoConfig)
    gxc.reload()


def test_addresses_and_urls():
    for good in ("127.0.0.1", "0.0.0.0", "::1", "localhost", "my-host.example.org", "a.b."):
        assert gxc.check_address(good) is None, good
    for bad in ("", "a b", "http://x", "x:80", "-x", "x" * 300, "1.2.3.999", "\x00"):
        assert gxc.check_address(bad), bad
    with gxc.override({"servers.ucalgary_url": "http://127.0.0.1:8080/data"}) as cfg:
        assert cfg.servers.ucalgary_url.startswith("http://127.0.0.1")


def test_an_uncreatable_cache_dir_is_a_config_error_naming_the_key(tmp_path, monkeypatch):
    from geospacexr import datasets

    blocker = tmp_path / "file"
    blocker.write_text("x")  # a file where the cache folder should be
    monkeypatch.setenv("GEOSPACEXR_PATHS_CACHE_DIR", str(blocker / "cache"))
    gxc.reload()
    with pytest.raises(ConfigError) as info:
        datasets.sample_path("themis-gill")
    msg = str(info.value)
    assert "paths.cache_dir" in msg and "GEOSPACEXR_PATHS_CACHE_DIR" in msg and str(blocker) in msg
    assert not (blocker.parent / "cache").exists()
    monkeypatch.setenv("GEOSPACEXR_PATHS_SAMPLE_DIR", str(blocker / "samples"))
    gxc.reload()
    with pytest.raises(ConfigError, match="paths.sample_dir"):
        datasets.sample_path("themis-gill")
    with pytest.raises(ConfigError, match="paths.cache_dir"):
        gxc.make_folder(blocker / "x")
    assert gxc.make_folder(tmp_path / "a" / "b").is_dir()
