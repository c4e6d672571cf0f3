"""Colour decisions shared by the explorers and the static figures (pure, no plotting import).

Which quantities are signed (winds, EP flux, electric potential, any difference), which colour map
they get (diverging for signed, sequential otherwise), which colour limits (symmetric about zero
for signed), and how a logarithmic colour bar labels its ticks (``10⁶``, ``3×10⁵``: never
``1.000e+6``). The Bokeh and matplotlib formatters at the bottom import their library lazily.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "DIVERGING",
    "LOG_TICK_JS",
    "SEQUENTIAL",
    "SIGNED_VARIABLES",
    "SIGNED_WORDS",
    "bokeh_log_formatter",
    "colour_limits",
    "default_cmap",
    "is_signed",
    "log_tick_label",
    "matplotlib_log_formatter",
]

#: Variables whose sign is physical (winds, vertical velocities, EP flux, potential, fields).
SIGNED_VARIABLES = frozenset(
    {
        "UN",
        "VN",
        "WN",
        "U",
        "V",
        "W",
        "OMEGA",
        "POTEN",
        "UI_ExB",
        "VI_ExB",
        "WI_ExB",
        "EPVY",
        "EPVZ",
        "EPVDIV",
        "EX",
        "EY",
        "EZ",
        "PHIM2D",  # the geomagnetic grid's potential, fields and currents (TIE-GCM)
        "ED1",
        "ED2",
        "JE13D",
        "JE23D",
    }
)
#: Default colour map of signed quantities (diverging, white at zero with symmetric limits).
DIVERGING = "RdBu_r"
#: Default colour map of every other quantity.
SEQUENTIAL = "viridis"

#: Words of a ``long_name`` that mark a signed quantity whatever the variable's name.
SIGNED_WORDS = ("wind", "velocity", "motion", "difference", "drift", "flux divergence")

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def is_signed(
    name: str | None, attrs: Mapping[str, Any] | None = None, difference: bool = False
) -> bool:
    """Whether a quantity is signed (its zero is meaningful and both signs occur).

    Args:
        name: Variable name (``"UN"``, ``"EPVDIV"``...).
        attrs: Attributes of the variable or its Dataset; a ``difference`` attribute (set by
            ``geospacexr.gcm.difference``) or ``signed=True`` marks it signed.
        difference: True for a difference to a control run (always signed).

    Returns:
        True for winds, EP flux, potential, electric fields, any difference, and any quantity
        whose ``long_name`` speaks of winds, velocities, motion, drifts or differences
        (:data:`SIGNED_WORDS`).
    """
    attrs = attrs or {}
    if difference or "difference" in attrs:
        return True
    flag = attrs.get("signed")
    if flag is not None:
        return bool(flag)
    if str(name) in SIGNED_VARIABLES:
        return True
    long_name = str(attrs.get("long_name", "")).lower()
    return any(word in long_name for word in SIGNED_WORDS)


def default_cmap(signed: bool) -> str:
    """The default colour map: :data:`DIVERGING` for signed quantities, else :data:`SEQUENTIAL`.

    Args:
        signed: Whether the quantity is signed (see :func:`is_signed`).

    Returns:
        A Matplotlib/Bokeh colour-map name.
    """
    return DIVERGING if signed else SEQUENTIAL


def colour_limits(
    values: Any,
    symmetric: bool,
    log: bool = False,
    percentile: float | None = None,
) -> tuple[float, float]:
    """Colour limits of ``values``.

    Args:
        values: Array-like; NaN and infinities are ignored.
        symmetric: Limits ``(-b, b)`` with ``b`` the largest absolute value (signed quantities).
        log: Logarithmic scale: limits over the positive values only (ignores ``symmetric``).
        percentile: If given (e.g. 1), clip at this and ``100 - percentile`` percentiles
            (robust to a few extreme cells) instead of the minimum and maximum.

    Returns:
        ``(low, high)`` with ``low < high`` (a constant or empty field gets a unit-wide range).
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if log:
        finite = finite[finite > 0]
        if finite.size == 0:
            return 1.0, 10.0
    if finite.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if percentile is not None:
        lo, hi = (float(v) for v in np.percentile(finite, [percentile, 100.0 - percentile]))
    else:
        lo, hi = float(finite.min()), float(finite.max())
    if symmetric and not log:
        bound = max(abs(lo), abs(hi)) or 1.0
        return -bound, bound
    if lo == hi:
        return (lo / 10.0, lo * 10.0) if log else (lo - 0.5, hi + 0.5)
    return lo, hi


def log_tick_label(value: float) -> str:
    """A logarithmic-axis tick label: ``10⁶`` for powers of ten, ``3×10⁵`` otherwise.

    Args:
        value: The tick value.

    Returns:
        The label (``"0"`` for zero; a leading ``−`` for negative values).
    """
    if value == 0 or not np.isfinite(value):
        return "0" if value == 0 else str(value)
    sign = "−" if value < 0 else ""
    exponent = int(np.floor(np.log10(abs(value)) + 1e-9))
    mantissa = abs(value) / 10.0**exponent
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    if abs(mantissa - 1.0) < 1e-6:
        return sign + power
    return f"{sign}{mantissa:.3g}×{power}"


#: Bokeh ``CustomJSTickFormatter`` code with the rule of :func:`log_tick_label`.
LOG_TICK_JS = """
if (tick === 0 || !isFinite(tick)) { return String(tick); }
const sup = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶",
             "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"};
const sign = tick < 0 ? "−" : "";
const a = Math.abs(tick);
const e = Math.floor(Math.log10(a) + 1e-9);
const m = a / Math.pow(10, e);
const p = "10" + String(e).split("").map((c) => sup[c]).join("");
if (Math.abs(m - 1) < 1e-6) { return sign + p; }
return sign + String(Number(m.toPrecision(3))) + "×" + p;
"""


def bokeh_log_formatter() -> Any:
    """A Bokeh tick formatter with the :func:`log_tick_label` rule (for log colour bars)."""
    from bokeh.models import CustomJSTickFormatter

    return CustomJSTickFormatter(code=LOG_TICK_JS)


def matplotlib_log_formatter() -> Any:
    """A Matplotlib tick formatter with the :func:`log_tick_label` rule."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: log_tick_label(value))
