"""Worker process of the robustness harness: ``worker.py JOB.json``.

The job names the reader, the format's own opener, the first computation, the plausible time
window, a memory limit (``RLIMIT_AS``), a per-case timeout and the case files. For each case the
worker prints ``START i`` before trying it and ``RESULT {json}`` after, with the outcome and the
CPU seconds the case used (all openers and the computation):

* ``ok``: both ``geospacexr.open`` (reader detection included) and the format's own opener read
  the file, ``.load()`` it and compute on it;
* ``error``: a ``geospacexr.errors`` exception (not caused by a ``MemoryError``);
* ``foreign``: any other exception, at open, load or computation;
* ``memory``: a ``MemoryError``, raised or wrapped in a geospacexr error;
* ``timeout``: the case used more than its CPU-time limit (or, seen by the parent, gave no
  answer within its wall-clock limit);
* ``wrong-time``: read "ok" with a time outside the format's plausible window (a time that
  wrapped around, or an impossible one the case was built with);
* ``wrong-data``: read "ok" although the case must be refused (HDF5 external storage, virtual
  datasets).

A crash (the worker dies) is seen by the parent process.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import resource
import signal
import sys
import time
import traceback
import warnings

#: Outcomes from good to bad; a case's outcome is its worst over the openers.
ORDER = ["ok", "error", "wrong-data", "wrong-time", "foreign", "memory", "timeout", "crash"]


#: Exit status of a worker asking the parent to run the rest of its cases in a new one.
RESTART = 75


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _memory_cause(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _times(ds) -> list:
    """Every time the Dataset holds: datetime64 values and the validity attributes."""
    import numpy as np

    out = []
    for var in ds.variables.values():
        if var.dtype.kind == "M":
            values = np.asarray(var.values).ravel()
            out.extend(values[~np.isnat(values)].astype("datetime64[s]").tolist())
    for key in ("valid_start", "valid_end"):
        text = ds.attrs.get(key)
        if isinstance(text, str) and text:
            try:
                out.append(np.datetime64(text, "s").astype(object))
            except ValueError:
                pass
    return out


def _first_var(ds, names):
    for name in names:
        if name in ds.data_vars:
            return name
    return next(iter(ds.data_vars))


def compute_asi(ds, companion):
    """A frame mean and a CCD keogram."""
    from geospacexr.asi.keogram import keogram

    float(ds["image"].isel(time=0).mean())
    keogram(ds).values.sum()


def compute_skymap(ds, companion):
    """A geographic keogram of the companion frames mapped with the (damaged) skymap."""
    from geospacexr.asi.keogram import keogram

    keogram(companion, skymap=ds, axis="geo").values.sum()


def compute_calibration(ds, companion):
    """Calibrate the companion REGO frames with the (damaged) file."""
    from geospacexr.asi.calibration import calibrate

    if "flat_field_multiplier" in ds.data_vars:
        out = calibrate(companion, flatfield=ds)
    else:
        out = calibrate(companion, rayleighs=ds)
    float(out[_first_var(out, ["image"])].mean())


def compute_grid(ds, companion):
    """The mean of the first grid frame."""
    float(ds[_first_var(ds, ["image"])].isel(time=0).mean())


def compute_gcm(ds, companion):
    """A latitude-longitude slice at a middle level of the first time, through ``ds.gcm``."""
    levels = [v for v in ds.data_vars if {"lev", "ilev"} & set(ds[v].dims)]
    var = next((v for v in ("TN", "T") if v in levels), levels[0] if levels else "TN")
    level = None
    if var in ds.data_vars:
        dim = next(d for d in ds[var].dims if d in ("lev", "ilev"))
        level = float(ds[dim][ds.sizes[dim] // 2])
    ds.gcm.lat_lon(var, time=ds["time"].values[0], level=level).values.sum()


def compute_mhd(ds, companion):
    """The mean density and the largest field magnitude of the first step (MHD runs)."""
    one = ds.isel(time=0)
    float(one["D"].mean())
    float(((one["Bx"] ** 2 + one["By"] ** 2 + one["Bz"] ** 2) ** 0.5).max())


def compute_ionosphere(ds, companion):
    """The northern cross polar cap potential and the upward current of the first step."""
    one = ds.isel(time=0).sel(hemisphere="north")
    float(one["potential"].max() - one["potential"].min())
    float(one["fac"].where(one["fac"] > 0).sum())


def compute_spectrograph_raw(ds, companion):
    """The mean raw count of the first frame and the number of dark frames."""
    float(ds["counts"].isel(time=0).mean())
    int(ds["dark"].sum())


def compute_spectrograph(ds, companion):
    """Green-line intensities per bin and a red-line keogram."""
    from geospacexr.asi.spectrograph import emission_intensity, spectrograph_keogram

    float(emission_intensity(ds, "green").sum())
    float(spectrograph_keogram(ds, "red").sum())


def compute_spect_skymap(ds, companion):
    """A green keogram of the companion L1 spectra placed with the (damaged) skymap."""
    from geospacexr.asi.spectrograph import spectrograph_keogram

    float(spectrograph_keogram(companion, "green", skymap=ds, height_km=110).lat.sum())


def compute_riometer(ds, companion):
    """Absorption from a one-day quiet-day curve (every band of an HSR file)."""
    from geospacexr import rio

    float(rio.absorption(ds, days=1, rank=1, bins=48, min_samples=1).mean())


def compute_omni(ds, companion):
    """Every variable's mean, the T96 inputs at each record's time (rb.drivers) and the TS05
    W parameters from the solar wind (rb.wparams) where the Dataset has it."""
    from geospacexr.rb.drivers import drivers_at
    from geospacexr.rb.wparams import ts05_w

    for name in ds.data_vars:
        float(ds[name].mean())
    sources = {k: v for k, v in {"pdyn": "Pdyn", "by": "By_GSM", "bz": "Bz_GSM"}.items() if v in ds}
    drivers_at(ds, ds.time.values, sources)
    if all(v in ds for v in ("Bz_GSM", "flow_speed", "proton_density")):
        w = ts05_w(ds, spinup_efolds=0)
        float(w["W1"].mean())


def compute_none(ds, companion):
    """No computation (readers registered by the harness's own test)."""


COMPUTE = {
    "none": compute_none,
    "asi": compute_asi,
    "skymap": compute_skymap,
    "spectrograph-raw": compute_spectrograph_raw,
    "spectrograph": compute_spectrograph,
    "spect-skymap": compute_spect_skymap,
    "calibration": compute_calibration,
    "grid": compute_grid,
    "gcm": compute_gcm,
    "mhd": compute_mhd,
    "ionosphere": compute_ionosphere,
    "riometer": compute_riometer,
    "omni": compute_omni,
}


def run_case(case: dict, job: dict, openers: list, companion) -> tuple[str, str]:
    """Run one case with every opener; returns the worst ``(outcome, detail)``."""
    import numpy as np

    from geospacexr.errors import GeospacexrError

    lo, hi = (np.datetime64(t, "s").astype(object) for t in job["window"])
    compute = COMPUTE[job["compute"]]
    worst = ("ok", "")
    which = case.get("openers", "both")
    if which != "both" and len(openers) == 2:
        openers = openers[:1] if which == "open" else openers[1:]
    for where, opener in openers:
        outcome, detail, wrong = "ok", "", ""
        # a CPU-time budget (all threads): a loaded machine does not turn slow cases into
        # timeouts; a case that blocks without using CPU is killed by the parent's watchdog
        signal.setitimer(signal.ITIMER_PROF, job["timeout"])
        try:
            ds = opener(case["path"])
            ds.load()
            # checked before computing: a reader that hands out a wrong time is wrong even if
            # the computation then refuses the Dataset
            bad = [t for t in _times(ds) if not lo <= t <= hi]
            if bad:
                wrong = f"read ok with times {', '.join(str(b) for b in bad[:3])}"
            compute(ds, companion)
            if wrong:
                outcome, detail = "wrong-time", wrong
            elif case["refuse"]:
                outcome, detail = "wrong-data", "read ok although it must be refused"
        except _Timeout:
            outcome, detail = "timeout", f"more than {job['timeout']} s of CPU time"
        except MemoryError:
            outcome, detail = "memory", f"MemoryError (over {job['memory_mb']} MiB)"
        except GeospacexrError as exc:
            if _memory_cause(exc):
                outcome = "memory"
                detail = f"MemoryError wrapped as {type(exc).__name__}: {exc}"[:300]
            elif wrong:
                outcome, detail = "wrong-time", f"{wrong} (then {type(exc).__name__})"
            else:
                outcome, detail = "error", f"{type(exc).__name__}: {exc}"[:300]
        except Exception as exc:
            outcome = "foreign"
            tb = traceback.extract_tb(exc.__traceback__)
            place = f"{tb[-1].filename.split('site-packages/')[-1]}:{tb[-1].lineno}" if tb else ""
            detail = f"{type(exc).__name__}: {str(exc)[:200]} (at {place})"
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        if ORDER.index(outcome) > ORDER.index(worst[0]):
            worst = (outcome, f"{where}: {detail}")
        elif worst[0] == "ok" and outcome == "error" and not worst[1]:
            worst = (outcome, f"{where}: {detail}")
    return worst


def main() -> None:
    """Run the job named on the command line."""
    with open(sys.argv[1]) as f:
        job = json.load(f)
    limit = job["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    warnings.simplefilter("ignore")
    # a crash in C code prints the Python stack to stderr, which the parent reports
    faulthandler.enable()
    import geospacexr

    module, name = job["opener"].split(":")
    own = getattr(importlib.import_module(module), name)
    reader = job["reader"]
    if job.get("forced"):
        openers = [("geospacexr.open(reader=)", lambda p: geospacexr.open(p, reader=reader))]
    else:
        openers = [("geospacexr.open", geospacexr.open), (job["opener"], own)]
    # imports and reader registration happen before the first case's clock starts
    from geospacexr.io.registry import readers

    readers()
    for module in ("geospacexr.asi.keogram", "geospacexr.asi.calibration", "geospacexr.gcm"):
        importlib.import_module(module)
    companion = None
    if job.get("companion"):
        companion = geospacexr.open(job["companion"]).isel(time=slice(0, 2)).load()
    signal.signal(signal.SIGPROF, _alarm)
    if job.get("warmup"):  # the undamaged file once, off the clock: numba compiles, caches fill
        try:
            run_case(
                {"path": job["warmup"], "refuse": False}, dict(job, timeout=600), openers, companion
            )
        except BaseException:  # the control case reports a broken file or harness
            pass
    for i, case in enumerate(job["cases"]):
        print(f"START {i}", flush=True)
        cpu = time.process_time()
        outcome, detail = run_case(case, job, openers, companion)
        cpu = round(time.process_time() - cpu, 2)
        result = {"i": i, "outcome": outcome, "detail": detail, "cpu": cpu}
        print("RESULT " + json.dumps(result), flush=True)
        if outcome in ("timeout", "memory") and i + 1 < len(job["cases"]):
            # interrupted half-way (an import, a numba registration...): the next cases run
            # in a fresh worker so that they do not meet a half-initialised process
            sys.exit(RESTART)


if __name__ == "__main__":
    main()
