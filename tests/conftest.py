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


#: ``pytest -n 2 --dist loadgroup`` (pytest-xdist, the README's test command) runs each
#: ``xdist_group`` on one worker. Every test module and notebook is its own group (its module and
#: session fixtures are made once, as in a serial run), except these, which share one so that
#: they never run beside each other on two loaded cores:
#: the files that start a dask LocalCluster (each of its worker processes competes for the cores)
DASK_CLUSTER_FILES = ("tests/test_scale.py", "notebooks/12-scaling.ipynb")
#: ...and the files with browser tests (headless Chromium against a Bokeh server in the test's
#: process): two of them at once time out on two cores. Found by their ``ui`` mark.
BROWSER_GROUP = "browser"
DASK_CLUSTER_GROUP = "dask-cluster"


def _relative(item) -> str:
    path = Path(str(item.path)).resolve()
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def xdist_groups(items) -> dict[str, str]:
    """The ``xdist_group`` of each test file (path relative to the repository, ``/``-separated)."""
    groups: dict[str, str] = {}
    for item in items:
        rel = _relative(item)
        if rel in DASK_CLUSTER_FILES:
            groups[rel] = DASK_CLUSTER_GROUP
        elif item.get_closest_marker("ui") is not None:
            groups[rel] = BROWSER_GROUP
        else:
            groups.setdefault(rel, rel)
    return groups


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    groups = xdist_groups(items)
    slow = pytest.mark.skip(reason="slow test: run with --runslow")
    browser = chromium_path()
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(groups[_relative(item)]))
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
