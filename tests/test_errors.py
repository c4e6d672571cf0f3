import pytest

from geospacexr import errors


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (errors.FileFormatError, ValueError),
        (errors.MissingVariableError, KeyError),
        (errors.WrongKindError, TypeError),
        (errors.ConfigError, ValueError),
        (errors.DownloadError, OSError),
        (errors.NoFilesError, FileNotFoundError),
        (errors.SampleDataError, LookupError),
        (errors.IncompatibleInputError, ValueError),
        (errors.ReaderNotFoundError, errors.FileFormatError),
    ],
)
def test_hierarchy(cls, builtin):
    assert issubclass(cls, errors.GeospacexrError)
    assert issubclass(cls, builtin)


def test_file_format_error_names_the_file():
    exc = errors.FileFormatError("expected 'P5', found b'xx'", path="/data/a.pgm")
    assert str(exc).startswith("/data/a.pgm: ")
    assert exc.path == "/data/a.pgm"


def test_config_error_names_source_key_and_line():
    exc = errors.ConfigError("expected a number", source="/c.toml", key="asi.altitude_km", line=3)
    assert "/c.toml, line 3" in str(exc)
    assert "asi.altitude_km" in str(exc)
    assert (exc.source, exc.key, exc.line) == ("/c.toml", "asi.altitude_km", 3)


def test_missing_variable_message_is_not_quoted():
    assert str(errors.MissingVariableError("needs TN")) == "needs TN"
