"""The TS05 storm-time driving variables W1..W6 computed from a solar-wind time series.

Tsyganenko & Sitnov (2005, JGR 110, A03208, doi:10.1029/2004JA010798) drive each of the six
current systems of the TS05 model (two tail modes, the symmetric and the partial ring current,
the region 1 and region 2 Birkeland currents) by a time integral of the solar wind over its
past, sampled every 5 minutes::

    W_i(t_n) = (r_i / 12) * sum_{k <= n} S_i(t_k) * exp(-r_i (t_n - t_k)),   (t in hours)
    S_i = (N / 5)^lambda_i * (V / 400)^beta_i * (Bs / 5)^gamma_i,

with ``N`` the solar-wind density (cm^-3, proton density times 1.16 for a 4 % He++
abundance), ``V`` the flow speed (km/s), ``Bs = -Bz`` (nT, GSM) for southward IMF and 0
otherwise, ``r_i`` the relaxation rate (1/h) and ``r_i / 12 = r_i * 5 min / 60`` the weight of
one 5-min sample. The coefficients are those of the published model: the parameter file of
Tsyganenko's ``Prepare_input_4.for`` (elements 45-68 of ``Parameters.par``), the code that
made his yearly ``YYYY_OMNI_5m_with_TS05_variables.dat`` files, and elements 45-68 of the
``A`` array of the TS05 (June 2006) code. Qin-Denton files were made with another set (two
decimals; r = 0.39, 0.70, 0.031, 0.58, 1.15, 0.88), so their W2 (most), W1, W4 and W6 differ
from these: see "Checked against published W" in the rb documentation.

The sum is evaluated exactly by the recursion ``W_n = q W_{n-1} + (r/12) S_n`` with
``q = exp(-r/12)`` (a first-order IIR filter), so a constant ``S`` held from ``t_0`` gives
``W_n = (r/12) S (1 - q^(n+1)) / (1 - q)`` and, long after, ``(r/12) S / (1 - q)`` (not
``S``: the 5-min sum of a decaying exponential); after ``S`` drops to 0, ``W`` decays as
``exp(-r t)``, an e-folding time of ``60 / r_i`` minutes (2.6 h for W1, 31 h for W3, 52 min for
W5). Tsyganenko's code stops each sum where ``r_i (t_n - t_k) > 10``: the difference is below
``exp(-10) = 4.5e-5`` of the steady W of the strongest driving in the omitted past.

Data gaps (as Tsyganenko's ``Fill_IMF_gaps.for`` / ``Fill_SW_gaps.for``): gaps in the IMF
(``By``, ``Bz``) and in the plasma (``V``, ``N``, ``Pdyn``) up to ``rb.w_max_gap_minutes``
(2 h out of the box) are filled by linear interpolation in time and flagged 2 (measured: 1,
missing: -1, Tsyganenko's flags); a longer gap leaves NaN. The sums restart after a gap (the
past before it is unknown), so W is NaN during a *spin-up* of ``rb.w_spinup_efolds``
e-folding times of each mode after the start of the series and after each long gap (3 out of
the box: the unknown past then weighs at most ``exp(-3) = 5 %``; 8 h for W1 but 94 h for
W3). Tsyganenko instead starts each sum at a quiet time (northward IMF and a quiet SYM-H for
2 h) with W = 0; ``spinup_efolds=0`` gives that convention (W from the first sample on). Every
unfilled gap is listed in ``attrs["w_gaps"]`` (JSON) and reported in one
:class:`~geospacexr.errors.DataWarning`.

Input cadence: 1-min (or any divisor of 5 min) averages are averaged into 5-min bins (a bin
with no valid minute is a gap); 5-min averages are used as they are; hourly (any multiple of
5 min) averages are held over their 5-min slots, a coarser approximation the model was not
fitted with (the hourly average smooths the southward excursions).
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import DataWarning, InvalidArgumentError, MissingVariableError

__all__ = [
    "HELIUM_FACTOR",
    "STEP_MINUTES",
    "TS05_W_COEFFICIENTS",
    "source_functions",
    "ts05_w",
    "w_series",
]

#: The sampling step of the W sums, minutes.
STEP_MINUTES = 5
#: Proton density to solar-wind density (4 % He++; ``Prepare_input_4.for``).
HELIUM_FACTOR = 1.16

#: ``r`` (1/h), ``lambda`` (density exponent), ``beta`` (speed exponent), ``gamma`` (Bs exponent)
#: of W1..W6: ``Parameters.par`` elements 45-50 and, per mode, 51-53, 54-56 ... 66-68.
TS05_W_COEFFICIENTS: dict[str, tuple[float, ...]] = {
    "r": (0.383403, 0.648176, 0.0318752, 0.581168, 1.15070, 0.843004),
    "lambda": (0.394732, 0.550920, 0.387365, 0.436819, 0.405553, 1.26131),
    "beta": (0.846509, 0.180725, 2.26596, 1.28211, 1.62290, 2.42297),
    "gamma": (0.916555, 0.898772, 1.29123, 1.33199, 0.699074, 0.537116),
}

_STEP_NS = STEP_MINUTES * 60 * 1_000_000_000
_IMF = ("By_GSM", "Bz_GSM")
_PLASMA = ("flow_speed", "proton_density", "Pdyn")
_NEEDED = ("Bz_GSM", "flow_speed", "proton_density")


def source_functions(density: Any, speed: Any, bz: Any) -> np.ndarray:
    """The driving functions ``S_i`` of the six TS05 modes.

    ``S_i = (N/5)^lambda_i (V/400)^beta_i (Bs/5)^gamma_i`` with ``N = 1.16 x density``
    and ``Bs = max(-Bz, 0)``; NaN where an input is NaN or not positive (density, speed).

    Args:
        density: Proton density, cm^-3.
        speed: Solar-wind flow speed, km/s.
        bz: IMF Bz (GSM), nT.

    Returns:
        ``float64`` array of shape ``(..., 6)``.
    """
    n = np.asarray(density, dtype=np.float64) * HELIUM_FACTOR / 5.0
    v = np.asarray(speed, dtype=np.float64) / 400.0
    b = np.asarray(bz, dtype=np.float64)
    bs = np.where(b < 0, -b, 0.0) / 5.0
    ok = (n > 0) & (v > 0) & np.isfinite(b)
    n, v = np.where(ok, n, 1.0), np.where(ok, v, 1.0)
    lam, beta, gamma = (np.asarray(TS05_W_COEFFICIENTS[k]) for k in ("lambda", "beta", "gamma"))
    with np.errstate(divide="ignore"):
        s = n[..., None] ** lam * v[..., None] ** beta * bs[..., None] ** gamma
    return np.where(ok[..., None], s, np.nan)


def w_series(s: np.ndarray) -> np.ndarray:
    """W1..W6 of 5-min samples of the driving functions (sums restarting after each NaN).

    Args:
        s: ``(n, 6)`` driving functions at consecutive 5-min samples (NaN: no data).

    Returns:
        ``(n, 6)`` W values (NaN where ``s`` is NaN); each run of valid samples is summed from
        its own start (no spin-up masking here: see :func:`ts05_w`).
    """
    from scipy.signal import lfilter

    s = np.asarray(s, dtype=np.float64)
    out = np.full(s.shape, np.nan)
    good = np.all(np.isfinite(s), axis=-1)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], good.astype(np.int8), [0]))))
    r = np.asarray(TS05_W_COEFFICIENTS["r"])
    weight = r * STEP_MINUTES / 60.0
    q = np.exp(-weight)
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        for i in range(6):  # W_n = q W_{n-1} + (r/12) S_n
            out[start:stop, i] = lfilter([weight[i]], [1.0, -q[i]], s[start:stop, i])
    return out


def _cadence_ns(ds: xr.Dataset, stamps: np.ndarray) -> int:
    cadence = ds.attrs.get("cadence_s")
    if cadence is not None:
        try:
            value = float(cadence)
        except (TypeError, ValueError):
            value = float("nan")
        if math.isfinite(value) and value > 0:
            return round(value * 1e9)
    step = np.diff(stamps)
    if step.size == 0:
        raise InvalidArgumentError(
            "one record and no attrs['cadence_s']: the interval it covers is unknown", "omni"
        )
    return int(np.median(step))


def _to_grid(
    values: np.ndarray, stamps: np.ndarray, grid0: int, n: int, cadence: int
) -> np.ndarray:
    """Values on the 5-min grid: bin means (finer input) or held averages (coarser)."""
    out = np.full(n, np.nan)
    ok = np.isfinite(values)
    if cadence < _STEP_NS:
        slot = (stamps[ok] - grid0) // _STEP_NS
        inside = (slot >= 0) & (slot < n)
        total = np.bincount(slot[inside], weights=values[ok][inside], minlength=n)
        count = np.bincount(slot[inside], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        return out
    per = cadence // _STEP_NS
    first = (stamps[ok] - grid0) // _STEP_NS
    for k in range(per):  # a handful of offsets (12 for hourly averages)
        slot = first + k
        inside = (slot >= 0) & (slot < n)
        out[slot[inside]] = values[ok][inside]
    return out


def _fill_gaps(values: np.ndarray, max_slots: int) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation across NaN runs of at most ``max_slots``; flags 1 / 2 / -1."""
    good = np.isfinite(values)
    flags = np.where(good, 1, -1).astype(np.int8)
    if good.sum() < 2 or good.all():
        return values.copy(), flags
    index = np.arange(values.size)
    known = index[good]
    filled = np.interp(index, known, values[good])
    after = np.searchsorted(known, index)  # first known at or after each sample
    before = after - 1
    inside = (before >= 0) & (after < known.size)
    length = np.where(inside, known[np.clip(after, 0, known.size - 1)]
                      - known[np.clip(before, 0, known.size - 1)] - 1, 0)  # fmt: skip
    fill = ~good & inside & (length <= max_slots)
    out = np.where(good | fill, filled, np.nan)
    flags[fill] = 2
    return out, flags


def ts05_w(
    omni: xr.Dataset,
    max_gap_minutes: float | None = None,
    spinup_efolds: float | None = None,
) -> xr.Dataset:
    """TS05 inputs with W1..W6 on a 5-min grid, computed from an OMNI-like time series.

    See the module for the method, gaps and spin-up.

    Args:
        omni: A Dataset along ``time`` (the start of each average) holding ``Bz_GSM`` (nT),
            ``flow_speed`` (km/s) and ``proton_density`` (cm^-3), e.g.
            :func:`geospacexr.open_omni` of 1-min or 5-min HRO files; its other variables
            (``By_GSM``, ``Pdyn``, ``SYM_H``, ``Dst``, ``Kp`` ...) are carried over as 5-min
            averages.
        max_gap_minutes: Longest IMF or plasma gap filled by linear interpolation; default
            config ``rb.w_max_gap_minutes``.
        spinup_efolds: W is NaN for this many e-folding times (``1/r_i``) of each mode after
            the start of the series and after each unfilled gap; default config
            ``rb.w_spinup_efolds`` (0: from the first sample, as if the past were quiet).

    Returns:
        A Dataset of kind ``"omni"`` on a 5-min ``time`` (``attrs["cadence_s"] = 300``):
        ``W1``..``W6``, the carried variables, ``Pdyn`` (from the input, or
        ``1.937e-6 N V^2`` nPa when the input has none), ``IMF_flag`` and ``SW_flag``
        (1 measured, 2 interpolated, -1 missing); attrs ``w_gaps`` (JSON list of
        ``[start, end]`` of the unfilled gaps), ``w_max_gap_minutes``, ``w_spinup_efolds``.
        Usable as ``drivers=`` of :func:`~geospacexr.rb.invariants.lstar` with
        ``model="ts05"``.

    Raises:
        InvalidArgumentError: Not a Dataset along ``time``; times not increasing; a cadence
            neither a divisor nor a multiple of 5 min; a negative gap limit or spin-up.
        MissingVariableError: A needed variable is missing.

    Example:
        >>> import geospacexr
        >>> from geospacexr.rb.wparams import ts05_w
        >>> omni = geospacexr.datasets.open_sample("omni-1min")
        >>> w = ts05_w(omni, spinup_efolds=0)
        >>> int(w.attrs["cadence_s"]), sorted(v for v in w.data_vars if v.startswith("W"))[:2]
        (300, ['W1', 'W2'])
    """
    if not isinstance(omni, xr.Dataset) or "time" not in omni.dims:
        raise InvalidArgumentError(
            "expected a Dataset of solar-wind averages along 'time' "
            "(e.g. geospacexr.open_omni of 1-min or 5-min HRO files)",
            "omni",
        )
    missing = [v for v in _NEEDED if v not in omni]
    if missing:
        raise MissingVariableError(
            f"the TS05 W parameters need {', '.join(_NEEDED)}; the Dataset lacks "
            f"{', '.join(missing)} (open OMNI HRO files with geospacexr.open_omni)"
        )
    gap = float(config.resolve(max_gap_minutes, "rb.w_max_gap_minutes"))
    efolds = float(config.resolve(spinup_efolds, "rb.w_spinup_efolds"))
    if not (math.isfinite(gap) and gap >= 0):
        raise InvalidArgumentError(f"max_gap_minutes must be >= 0, got {gap}", "max_gap_minutes")
    if not (math.isfinite(efolds) and efolds >= 0):
        raise InvalidArgumentError(f"spinup_efolds must be >= 0, got {efolds}", "spinup_efolds")
    stamps = omni["time"].values.astype("datetime64[ns]").astype(np.int64)
    if stamps.size == 0:
        raise InvalidArgumentError("the Dataset holds no record", "omni")
    if np.any(np.diff(stamps) <= 0):
        raise InvalidArgumentError("the times must increase strictly", "omni")
    cadence = _cadence_ns(omni, stamps)
    if not (cadence > 0 and (_STEP_NS % cadence == 0 or cadence % _STEP_NS == 0)):
        raise InvalidArgumentError(
            f"a cadence of {cadence / 1e9:g} s: the W sums need averages whose cadence divides "
            "5 min (1-min, 5-min) or is a multiple of it (hourly)",
            "omni",
        )
    grid0 = int(stamps[0] // _STEP_NS * _STEP_NS)
    # up to the last slot the last average fills (its own slot for finer averages, stamped at
    # their start or, as some Qin-Denton files, at their centre; ``per`` slots for coarser):
    # no empty slot after the data
    n = int((stamps[-1] - grid0) // _STEP_NS + max(cadence // _STEP_NS, 1))
    times = (grid0 + np.arange(n, dtype=np.int64) * _STEP_NS).astype("datetime64[ns]")
    carried = [
        name for name, da in omni.data_vars.items()
        if da.dims == ("time",) and np.issubdtype(da.dtype, np.number)
    ]  # fmt: skip
    grid = {
        name: _to_grid(np.asarray(omni[name].values, np.float64), stamps, grid0, n, cadence)
        for name in carried
    }
    slots = int(gap // STEP_MINUTES)
    imf_flags = np.ones(n, np.int8)
    sw_flags = np.ones(n, np.int8)
    for name in (*_IMF, *_PLASMA):
        if name in grid:
            grid[name], flags = _fill_gaps(grid[name], slots)
            target = imf_flags if name in _IMF else sw_flags
            np.copyto(target, flags, where=(flags == -1) | ((flags == 2) & (target != -1)))
    if "Pdyn" not in grid:  # Tsyganenko's Pdyn: 1.16 x 1.67e-6 N V^2
        grid["Pdyn"] = 1.937e-6 * grid["proton_density"] * grid["flow_speed"] ** 2
    s = source_functions(grid["proton_density"], grid["flow_speed"], grid["Bz_GSM"])
    w = w_series(s)
    # spin-up after the start and after each unfilled gap
    good = np.all(np.isfinite(s), axis=1)
    run_start = np.maximum.accumulate(np.where(good & ~np.r_[False, good[:-1]], np.arange(n), 0))
    age_h = (np.arange(n) - run_start) * STEP_MINUTES / 60.0
    r = np.asarray(TS05_W_COEFFICIENTS["r"])
    w[age_h[:, None] * r[None, :] < efolds] = np.nan
    gaps = _gap_list(good, times)
    if gaps:
        longest = max((np.datetime64(b) - np.datetime64(a)) for a, b in gaps)
        warnings.warn(
            f"{len(gaps)} gap(s) in the IMF or plasma not filled (longer than {gap:g} min, or at "
            f"an end of the series; the longest "
            f"{longest.astype('timedelta64[m]')}): no W there, and W restarts after each with "
            f"a spin-up of {efolds:g} e-folding times (attrs['w_gaps'] lists them)",
            DataWarning,
            stacklevel=2,
        )
    data_vars: dict[str, Any] = {}
    for name in grid:
        attrs = (
            {k: v for k, v in omni[name].attrs.items() if k in ("units", "long_name")}
            if name in omni
            else {"units": "nPa", "long_name": "solar-wind dynamic pressure"}
        )
        data_vars[name] = ("time", grid[name], attrs)
    for i in range(6):
        data_vars[f"W{i + 1}"] = (
            "time",
            w[:, i],
            {
                "units": "1",
                "long_name": f"TS05 driving variable W{i + 1}",
                "relaxation_rate_per_hour": TS05_W_COEFFICIENTS["r"][i],
            },
        )
    flag_doc = "1 measured, 2 interpolated inside a short gap, -1 missing"
    data_vars["IMF_flag"] = (
        "time",
        imf_flags,
        {"long_name": "IMF data flag", "flag_meanings": flag_doc},
    )
    data_vars["SW_flag"] = (
        "time",
        sw_flags,
        {"long_name": "plasma data flag", "flag_meanings": flag_doc},
    )
    attrs = {k: v for k, v in omni.attrs.items() if k not in ("cadence_s", "layout")}
    attrs.update(
        geospacexr_kind="omni",
        layout="ts05-w-5min",
        cadence_s=STEP_MINUTES * 60,
        w_method="Tsyganenko & Sitnov (2005), JGR 110, A03208 (geospacexr.rb.wparams)",
        w_max_gap_minutes=gap,
        w_spinup_efolds=efolds,
        w_gaps=json.dumps(gaps),
    )
    return xr.Dataset(
        data_vars,
        coords={"time": ("time", times, {"long_name": "start of the 5-min average (UT)"})},
        attrs=attrs,
    )


def _gap_list(good: np.ndarray, times: np.ndarray) -> list[list[str]]:
    """``[start, end)`` of each run of samples without W inputs (inside the series)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([1], good.astype(np.int8), [1]))))
    step = np.timedelta64(_STEP_NS, "ns")
    out = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        stop = times[b - 1] + step
        out.append([str(times[a].astype("datetime64[s]")), str(stop.astype("datetime64[s]"))])
    return out
