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


#: ``pytest -n 2 --dist loadfile`` (pytest-xdist, the README's test command) runs each test file
#: or notebook on one worker, so its module and session fixtures are made once as in a serial
#: run. These files share one unit of work each (:func:`pytest_xdist_make_scheduler`), so that
#: they never run beside each other on two loaded cores: the files that start a dask
#: LocalCluster (each of its worker processes competes for the cores)...
DASK_CLUSTER_FILES = ("tests/test_scale.py", "notebooks/12-scaling.ipynb")
#: ...and the files with browser tests (headless Chromium against a Bokeh server in the test's
#: process): two of them at once would time out on two cores. A file with a test marked ``ui``
#: that is missing here is a usage error (:func:`pytest_collection_modifyitems`).
BROWSER_FILES = (
    "tests/explore/test_app.py",
    "tests/explore/test_gcm_explorer.py",
    "tests/explore/test_mhd_explorer_browser.py",
    "tests/explore/test_spectrograph_riometer_browser.py",
    "tests/explore/test_superdarn_explorer_browser.py",
)
#: The unit of work of each of those files.
SHARED_UNITS = {
    **dict.fromkeys(DASK_CLUSTER_FILES, "dask-cluster"),
    **dict.fromkeys(BROWSER_FILES, "browser"),
}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: ignored when it is not installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the files of :data:`SHARED_UNITS` on one worker per unit.

    (pytest-xdist's ``loadgroup`` with ``xdist_group`` marks would do this, but it groups by
    rewriting node ids, which pytest 9.2 no longer lets it do: pytest-xdist issue 1386.)
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedUnitsScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return SHARED_UNITS.get(path, path)

    return SharedUnitsScheduling(config, log)


def _relative(item) -> str:
    path = Path(str(item.path)).resolve()
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def pytest_collection_modifyitems(config, items):
    unlisted = sorted(
        {_relative(item) for item in items if item.get_closest_marker("ui") is not None}
        - set(BROWSER_FILES)
    )
    if unlisted:
        raise pytest.UsageError(
            f"browser tests in {', '.join(unlisted)}: add the file to BROWSER_FILES in "
            "tests/conftest.py (browser files never run beside each other under pytest-xdist)"
        )
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
