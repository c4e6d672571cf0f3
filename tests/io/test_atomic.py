import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import xarray as xr

from geospacexr.io.atomic import atomic_path, atomic_write, write_netcdf


def leftovers(folder):
    return [p.name for p in folder.iterdir() if ".part" in p.name]


def test_atomic_write_replaces_the_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target, "w") as fh:
        fh.write("new")
        assert target.read_text() == "old"  # not visible until done
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_failure_keeps_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target, "w") as fh:
        fh.write("half")
        raise RuntimeError("writer died")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_atomic_path_keeps_the_suffix_for_format_detection(tmp_path):
    with atomic_path(tmp_path / "fig.png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_bytes(b"x")
    assert (tmp_path / "fig.png").read_bytes() == b"x"


def test_refuses_append_mode(tmp_path):
    with pytest.raises(ValueError, match="whole files"), atomic_write(tmp_path / "a", "ab"):
        pass


def test_write_netcdf_round_trip(tmp_path):
    ds = xr.Dataset({"a": ("x", [1.0, 2.0])}, attrs={"geospacexr_kind": "asi"})
    path = write_netcdf(ds, tmp_path / "a.nc")
    with xr.open_dataset(path) as back:
        xr.testing.assert_identical(back.load(), ds)


def test_killed_writer_leaves_old_file_intact(tmp_path):
    target = tmp_path / "big.bin"
    target.write_bytes(b"old content")
    script = textwrap.dedent(
        f"""
        import sys, time
        from geospacexr.io.atomic import atomic_write
        with atomic_write({str(target)!r}) as fh:
            for i in range(10000):
                fh.write(b"x" * 65536)
                fh.flush()
                if i == 20:
                    print("half", flush=True)
                time.sleep(0.001)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "half"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert target.read_bytes() == b"old content"
    # the killed writer's temporary is hidden and marked as partial
    assert all(name.startswith(".big.bin.") for name in leftovers(tmp_path))


def test_special_targets_are_refused_before_anything_is_written(tmp_path):
    import os

    from geospacexr.errors import InvalidArgumentError
    from geospacexr.io.atomic import atomic_path, atomic_write

    real = tmp_path / "real.txt"
    real.write_text("keep")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target, what in ((fifo, "FIFO"), (link, "symbolic link"), (folder, "directory")):
        with pytest.raises(InvalidArgumentError, match=what):
            with atomic_write(target) as fh:
                fh.write(b"x")
    with pytest.raises(InvalidArgumentError, match="character device"):
        with atomic_path("/dev/null"):
            pass
    assert real.read_text() == "keep" and link.is_symlink() and fifo.is_fifo()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_stale_parts_of_dead_writers_are_removed_on_the_next_write(tmp_path):
    import os
    import subprocess
    import sys

    from geospacexr.io import atomic

    target = tmp_path / "out.nc"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(dead.stdout)
    host = atomic._host()
    stale = tmp_path / f".out.nc.{host}.{dead_pid}.abc123.part.nc"
    live = tmp_path / f".out.nc.{host}.{os.getpid()}.def456.part.nc"
    other_host = tmp_path / f".out.nc.elsewhere-{host}.{dead_pid}.ghi789.part.nc"
    other_target = tmp_path / f".other.nc.{host}.{dead_pid}.jkl012.part.nc"
    for p in (stale, live, other_host, other_target):
        p.write_bytes(b"half")
    with atomic.atomic_write(target) as fh:
        fh.write(b"whole")
    assert target.read_bytes() == b"whole"
    assert not stale.exists()
    assert live.exists() and other_host.exists() and other_target.exists()


def _dead_pid():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_the_next_write_cleans_a_killed_writers_part(tmp_path):
    target = tmp_path / "big.bin"
    script = textwrap.dedent(
        f"""
        from geospacexr.io.atomic import atomic_write
        with atomic_write({str(target)!r}) as fh:
            fh.write(b"x" * 65536)
            fh.flush()
            print("half", flush=True)
            import time; time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "half"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert len(leftovers(tmp_path)) == 1
    with atomic_write(target) as fh:
        fh.write(b"whole")
    assert target.read_bytes() == b"whole"
    assert leftovers(tmp_path) == []


def _netcdf(path):
    write_netcdf(xr.Dataset({"a": ("x", [1.0])}), path)


def _figure(path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from geospacexr.plot.common import save_figure

    save_figure(Figure(figsize=(1, 1)), path)


def _movie(path):
    import numpy as np

    pytest.importorskip("PIL")
    from geospacexr.plot.movie import write_frames

    write_frames(iter([np.zeros((4, 4, 3), np.uint8)] * 2), path)


@pytest.mark.parametrize(
    ("writer", "name"),
    [(_netcdf, "k.nc"), (_figure, "f.png"), (_movie, "m.gif")],
    ids=["netcdf-keogram", "figure", "movie"],
)
def test_every_writer_path_removes_stale_parts_of_its_target(tmp_path, writer, name):
    from geospacexr.io import atomic

    stale = tmp_path / f".{name}.{atomic._host()}.{_dead_pid()}.abc.part{Path(name).suffix}"
    stale.write_bytes(b"half")
    writer(tmp_path / name)
    assert (tmp_path / name).stat().st_size > 0
    assert leftovers(tmp_path) == []


def test_check_target_is_public_and_the_old_name_remains(tmp_path):
    from geospacexr.errors import InvalidArgumentError
    from geospacexr.io import atomic

    assert atomic._check_target is atomic.check_target
    atomic.check_target(tmp_path / "missing.nc")  # a new file: fine
    (tmp_path / "f.nc").write_bytes(b"x")
    atomic.check_target(tmp_path / "f.nc")  # a regular file: fine
    with pytest.raises(InvalidArgumentError, match="directory"):
        atomic.check_target(tmp_path)
