"""Child processes of a movie writer die with it, and its temporary is cleaned by the next write.

Each test starts a Python child that writes a movie (or renders frames in a process pool), kills
it with SIGKILL, then polls until the grandchildren (ffmpeg, frame workers) are gone. A process
counts as gone when /proc no longer lists it or it is a zombie (in a container the reaper of
orphans may be slow to collect it). Linux only: the checks read /proc.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux"
)

SRC = str(Path(__file__).resolve().parents[2] / "src")
GONE_WITHIN_S = 20.0  # generous: a check of behaviour, not of speed


def gone(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_gone(pids, within=GONE_WITHIN_S):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = [p for p in pids if not gone(p)]
        if not alive:
            return []
        time.sleep(0.05)
    return [p for p in pids if not gone(p)]


def start(script, *args, cwd=None):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )


def read_pids(proc, count):
    pids = []
    for _ in range(count):
        line = proc.stdout.readline()
        assert line, "the child ended before reporting its processes"
        pids.append(int(line))
    return pids


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def parts(folder):
    return [p.name for p in Path(folder).iterdir() if ".part" in p.name]


def test_popen_tied_child_dies_with_its_parent(tmp_path):
    """A child that never reads its stdin (``sleep``) survives its parent without the tie."""
    script = """
        import subprocess, sys, time
        from geospacexr._children import popen_tied
        tied = popen_tied(["sleep", "60"])
        free = subprocess.Popen(["sleep", "60"])
        print(tied.pid, flush=True); print(free.pid, flush=True)
        time.sleep(60)
    """
    proc = start(script)
    tied, free = read_pids(proc, 2)
    try:
        assert not gone(tied) and not gone(free)
        proc.kill()
        proc.wait(timeout=10)
        assert wait_gone([tied]) == []
        # the untied one is the control: the kernel did not end it on its own
        assert not gone(free)
    finally:
        kill([tied, free])


def test_ffmpeg_dies_with_the_killed_writer_and_the_next_write_leaves_no_part(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    target = tmp_path / "m.mp4"
    # The writer renders slowly; once ffmpeg runs, a helper process inherits ffmpeg's stdin pipe
    # (as any process forked by user code would): killing the writer then does not close the
    # pipe, so only the death signal can end ffmpeg.
    script = """
        import os, subprocess, sys, time
        import numpy as np
        from geospacexr.plot.movie import write_movie

        def ffmpeg_pid():  # once the trampoline has exec'd it
            for _ in range(400):
                pid = find_ffmpeg()
                if pid:
                    return pid
                time.sleep(0.05)

        def find_ffmpeg():
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/stat") as fh:
                            fields = fh.read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    try:
                        exe = os.readlink(f"/proc/{entry}/exe")
                    except OSError:
                        continue
                    if int(fields[1]) == os.getpid() and "ffmpeg" in exe:
                        return int(entry)

        def render(i):
            if i == 3:
                pid = ffmpeg_pid()
                pipe = os.readlink(f"/proc/{pid}/fd/0")
                ours = []
                for fd in os.listdir(f"/proc/{os.getpid()}/fd"):
                    try:
                        if os.readlink(f"/proc/{os.getpid()}/fd/{fd}") == pipe:
                            ours.append(int(fd))
                    except OSError:
                        pass  # the listing's own descriptor, closed by now
                assert ours, "ffmpeg's stdin pipe not found"
                helper = subprocess.Popen(["sleep", "60"], pass_fds=ours,
                                          stdout=subprocess.DEVNULL)
                print(pid, flush=True); print(helper.pid, flush=True)
            if i >= 3:
                time.sleep(60)
            return np.full((64, 64, 3), 10 * i, dtype=np.uint8)

        write_movie(render, 100, sys.argv[1], parallel="none", progress=False)
    """
    proc = start(script, target)
    ffmpeg, helper = read_pids(proc, 2)
    try:
        assert ffmpeg is not None and not gone(ffmpeg)
        assert parts(tmp_path)  # the writer's temporary exists
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert wait_gone([ffmpeg]) == [], "ffmpeg outlived its parent"
        assert not gone(helper)  # the pipe was still held open: the signal did it
    finally:
        kill([ffmpeg, helper])
    stale = parts(tmp_path)
    assert stale and all(name.startswith(".m.mp4.") for name in stale)
    assert not target.exists()

    import numpy as np

    from geospacexr.plot.movie import write_movie

    write_movie(
        lambda i: np.zeros((16, 16, 3), np.uint8), 2, target, parallel="none", progress=False
    )
    assert target.stat().st_size > 0
    assert parts(tmp_path) == []


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_frame_workers_die_with_the_killed_writer(tmp_path, start_method):
    (tmp_path / "slowframes.py").write_text(
        textwrap.dedent(
            """
            import os, time
            import numpy as np

            def render(i):
                # one write(2) of a few bytes: atomic on a pipe, so the two workers' lines
                # cannot interleave (print may write the number and its newline apart)
                os.write(1, b"%d\\n" % os.getpid())
                time.sleep(60)
                return np.zeros((8, 8, 3), np.uint8)
            """
        )
    )
    script = """
        import multiprocessing, sys
        sys.path.insert(0, sys.argv[2])
        import slowframes
        from geospacexr.plot import movie

        method = sys.argv[3]
        if method == "spawn":
            movie._context = lambda: multiprocessing.get_context("spawn")
        gen = movie.render_frames(slowframes.render, 4, workers=2, parallel="processes",
                                  progress=False)
        next(gen)
    """
    proc = start(script, tmp_path / "m.mp4", tmp_path, start_method, cwd=tmp_path)
    workers = sorted(set(read_pids(proc, 2)))
    try:
        assert len(workers) == 2 and not any(gone(p) for p in workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # each worker is in the middle of a 60 s frame: only the watchdog can end it now
        assert wait_gone(workers) == [], "frame workers outlived their parent"
    finally:
        kill(workers)


def test_die_with_parent_outside_multiprocessing_is_a_no_op():
    from geospacexr._children import die_with_parent

    assert die_with_parent() is False  # no parent sentinel in the test process


def test_popen_tied_refuses_preexec_fn():
    from geospacexr._children import popen_tied

    with pytest.raises(TypeError, match="preexec_fn"):
        popen_tied(["true"], preexec_fn=lambda: None)
