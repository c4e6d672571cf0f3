"""Worker process of the robustness harness: ``worker.py READER MEMORY_MB TIMEOUT_S FILE...``.

For each file it prints ``START i`` before trying it and ``RESULT {json}`` after: ``ok`` is true
when the file read and loaded completely or raised a ``geospacexr.errors`` exception.
"""

import json
import resource
import signal
import sys
import traceback
import warnings


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def main() -> None:
    reader, memory_mb, timeout, files = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        sys.argv[4:],
    )
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import geospacexr
    from geospacexr.errors import GeospacexrError

    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("ignore")
    for i, path in enumerate(files):
        print(f"START {i}", flush=True)
        ok, detail = True, ""
        signal.alarm(timeout)
        try:
            ds = geospacexr.open(path, reader=reader)
            if hasattr(ds, "load"):
                ds.load()
        except GeospacexrError as exc:
            detail = f"{type(exc).__name__}: {exc}"[:300]
        except _Timeout:
            ok, detail = False, f"hang: more than {timeout} s"
        except MemoryError:
            ok, detail = False, f"memory blow-up (over {memory_mb} MiB)"
        except Exception as exc:
            ok, detail = False, "".join(traceback.format_exception(exc))[-1500:]
        finally:
            signal.alarm(0)
        print("RESULT " + json.dumps({"i": i, "ok": ok, "detail": detail}), flush=True)


if __name__ == "__main__":
    main()
