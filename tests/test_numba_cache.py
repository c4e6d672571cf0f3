"""numba's cache goes to <paths.cache_dir>/numba when the package folder is not writable."""

import os
import subprocess
import sys
from pathlib import Path

import geospacexr

PACKAGE = str(Path(geospacexr.__file__).resolve().parent)

# Simulates an installation whose package folder is read-only (tests may run as root, for whom
# chmod does not make a folder unwritable): os.access reports no write permission under it.
SCRIPT = """
import os, sys
read_only = sys.argv[1] == "read-only"
real_access = os.access

def access(path, mode, *args, **kwargs):
    if read_only and mode & os.W_OK and os.path.abspath(str(path)).startswith({package!r}):
        return False
    return real_access(path, mode, *args, **kwargs)

os.access = access
import geospacexr
from geospacexr.rb import _kernel

print(os.environ.get("NUMBA_CACHE_DIR"))
print(_kernel.dipole_field(30000.0, 0.0, 0.0, 1.0, 5.0, 0.0, 0.0)[2])
"""


def _run(mode, tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(package=PACKAGE), mode],
        capture_output=True,
        text=True,
        check=True,
        env={**base, "GEOSPACEXR_PATHS_CACHE_DIR": str(tmp_path / "cache"), **env},
    )
    return proc.stdout.split()


def test_unwritable_package_caches_in_the_configured_folder(tmp_path):
    folder, bz = _run("read-only", tmp_path)
    assert folder == str(tmp_path / "cache" / "numba")
    assert float(bz) == 240.0  # the dipole's 30000 nT / 5^3, compiled and run
    index = [p.name for p in (tmp_path / "cache" / "numba").rglob("*.nbi")]
    assert any(name.startswith("_kernel.dipole_field") for name in index), index


def test_writable_package_and_user_setting_are_left_alone(tmp_path):
    folder, _ = _run("writable", tmp_path)
    assert folder == "None"
    own = str(tmp_path / "mine")
    folder, _ = _run("read-only", tmp_path, NUMBA_CACHE_DIR=own)
    assert folder == own
    assert not (tmp_path / "cache" / "numba").exists()
