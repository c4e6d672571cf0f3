"""Shared test configuration: options, an isolated configuration, shared real data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# environment variables that tests keep: the real-data folder and reference interpreters
KEEP = ("GEOSPACEXR_SHARED_DATA", "GEOSPACEXR_REF_")
SHARED_DATA = Path(os.environ.get("GEOSPACEXR_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")
    parser.addoption(
        "--ui",
        action="store_true",
        default=False,
        help="require the browser tests (fail instead of skipping when Chromium is missing)",
    )
    parser.addoption("--no-ui", action="store_true", default=False, help="skip the browser tests")
    parser.addoption(
        "--live", action="store_true", default=False, help="run the tests marked live (network)"
    )


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config, items):
    slow = pytest.mark.skip(reason="slow test: run with --runslow")
    browser = chromium_path()
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(slow)
        if "ui" in item.keywords:
            if config.getoption("--no-ui"):
                item.add_marker(pytest.mark.skip(reason="browser tests disabled with --no-ui"))
            elif browser is None and not config.getoption("--ui"):
                item.add_marker(
                    pytest.mark.skip(
                        reason="browser test: Chromium not found (apt-get install chromium); "
                        "--ui makes this a failure"
                    )
                )


@pytest.fixture(scope="session")
def sample_cache(tmp_path_factory) -> Path:
    """One cache folder for the whole session, so samples are generated once."""
    return tmp_path_factory.mktemp("gx-cache")


@pytest.fixture(autouse=True)
def isolated_config(monkeypatch, tmp_path_factory, sample_cache):
    """Every test runs with no user configuration file and a private cache."""
    import geospacexr.config as gxc

    for var in list(os.environ):
        if var.startswith("GEOSPACEXR_") and not var.startswith(KEEP):
            monkeypatch.delenv(var)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.setenv("GEOSPACEXR_PATHS_CACHE_DIR", str(sample_cache))
    gxc.reload()
    yield
    monkeypatch.undo()
    gxc.reload()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real instrument files of ``../shared/data`` (tests skip when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.fail("--ui was given but Chromium is not installed (apt-get install chromium)")
    return path
