"""Building AuroraX search requests from Python arguments.

The request bodies are the AuroraX API's (``api/v1/{conjunctions,ephemeris,data_products}/
search``). Everything is checked here, before anything is sent:

* times: anything :class:`pandas.Timestamp` understands (``"2020-01-01T06:00"``, a
  ``datetime``, ``numpy.datetime64``); time-zone aware values are converted to UT; sent as
  ``%Y-%m-%dT%H:%M:%S`` (whole seconds, no ``Z``);
* criteria blocks: dicts with ``programs``, ``platforms``, ``instrument_types``,
  ``metadata_filters`` (space blocks also ``hemisphere``: ``"northern"``/``"southern"``;
  ad-hoc blocks ``locations``: ``[(lat, lon), ...]`` in degrees); at most
  :data:`MAX_BLOCKS` blocks in all;
* metadata filters: :func:`metadata_filter` (or a list of expressions, AND-ed, or the API's own
  ``{"logical_operator", "expressions"}`` dict); each expression is
  :func:`expression` ``(key, operator, values)`` with the operators in :data:`OPERATORS`;
* maximum distances: one number (km) for every pair, or a dict of pairs (``"ground1-space1"``)
  whose missing pairs take ``default_distance``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import config
from ..errors import InvalidArgumentError

__all__ = [
    "CONJUNCTION_TYPES",
    "HEMISPHERES",
    "MAX_BLOCKS",
    "ML_KEYS",
    "OPERATORS",
    "cloud_free",
    "conjunction_query",
    "data_products_query",
    "ephemeris_query",
    "expression",
    "format_time",
    "max_distances",
    "metadata_filter",
]

#: The operators the API accepts in a metadata-filter expression.
OPERATORS = ("=", "!=", ">", "<", ">=", "<=", "between", "in", "not in")
#: The conjunction types: north or south B-trace footprints, or geographic positions.
CONJUNCTION_TYPES = ("nbtrace", "sbtrace", "geographic")
#: Space-block hemispheres.
HEMISPHERES = ("northern", "southern")
#: The most criteria blocks (ground + space + events + adhoc) one conjunction search takes.
MAX_BLOCKS = 10
#: Machine-learning classification keys of the ephemeris metadata and their documented values
#: (confidences are percentages 0-100, compared with ``>=`` etc.).
ML_KEYS: dict[str, tuple[str, ...]] = {
    "calgary_cloud_ml_v1": ("classified as cloudy", "classified as not cloudy", "not classified"),
    "calgary_cloud_ml_v1_confidence": (),
    "calgary_apa_ml_v1": (),
    "calgary_apa_ml_v1_confidence": (),
    "clausen_ml_oath": ("arc", "diffuse", "discrete", "cloudy", "moon", "no aurora"),
}
_BLOCK_KEYS = {
    "ground": ("programs", "platforms", "instrument_types", "metadata_filters"),
    "space": ("programs", "platforms", "instrument_types", "metadata_filters", "hemisphere"),
    "events": ("platforms", "instrument_types", "metadata_filters"),
    "adhoc": ("locations",),
}
#: The API's time format.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def format_time(value: Any, argument: str = "time") -> str:
    """A time as the API writes it (``%Y-%m-%dT%H:%M:%S``, UT).

    Args:
        value: A string, ``datetime``, ``numpy.datetime64`` or ``pandas.Timestamp``.
        argument: The argument's name, for the error message.

    Returns:
        The formatted time.

    Raises:
        InvalidArgumentError: If it is not a time.
    """
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{value!r} is not a time ({exc})", argument) from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise InvalidArgumentError("a time is needed, got NaT/None", argument)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.strftime(TIME_FORMAT)


def _strings(value: Any, argument: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Iterable):
        raise InvalidArgumentError(
            f"expected a string or a list of strings, got {value!r}", argument
        )
    out = []
    for item in value:
        if not isinstance(item, str) or not item:
            raise InvalidArgumentError(f"expected non-empty strings, got {item!r}", argument)
        out.append(item)
    return out


def expression(key: str, operator: str, values: Any) -> dict[str, Any]:
    """One metadata-filter expression.

    Args:
        key: A metadata key (e.g. ``"calgary_cloud_ml_v1"``, ``"nbtrace_region"``).
        operator: One of :data:`OPERATORS`. ``"between"`` takes two values, ``"in"``/``"not in"``
            one or more, the others one.
        values: A value or a list of values (numbers are sent as text, as the API expects).

    Returns:
        ``{"key", "operator", "values"}``.

    Raises:
        InvalidArgumentError: An empty key, an unknown operator, a wrong number of values.
    """
    if not isinstance(key, str) or not key:
        raise InvalidArgumentError(f"a metadata key is a non-empty string, got {key!r}", "key")
    op = operator.lower() if isinstance(operator, str) else operator
    if op not in OPERATORS:
        raise InvalidArgumentError(
            f"{operator!r} is not an operator of the API; use one of {', '.join(OPERATORS)}",
            "operator",
        )
    items = list(values) if isinstance(values, list | tuple) else [values]
    texts = []
    for v in items:
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidArgumentError(f"{key}: {v!r} is not a value", "values")
        texts.append(v if isinstance(v, str) else str(v))
    if not texts:
        raise InvalidArgumentError(f"{key}: at least one value is needed", "values")
    if op == "between" and len(texts) != 2:
        raise InvalidArgumentError(f"{key}: 'between' takes two values, got {len(texts)}", "values")
    if op not in ("between", "in", "not in") and len(texts) != 1:
        raise InvalidArgumentError(
            f"{key}: {op!r} takes one value, got {len(texts)} (use 'in' for several)", "values"
        )
    known = ML_KEYS.get(key)
    if known and op in ("=", "!=", "in", "not in"):
        unknown = [t for t in texts if t not in known]
        if unknown:
            raise InvalidArgumentError(
                f"{key}: {unknown} not among the classes {list(known)}", "values"
            )
    return {"key": key, "operator": op, "values": texts}


def metadata_filter(
    *expressions: dict[str, Any] | tuple[str, str, Any], logical_operator: str = "AND"
) -> dict[str, Any]:
    """A metadata filter: expressions joined by AND or OR.

    Args:
        *expressions: :func:`expression` dicts or ``(key, operator, values)`` tuples.
        logical_operator: ``"AND"`` or ``"OR"`` (any case).

    Returns:
        The API's ``{"logical_operator", "expressions"}``.

    Raises:
        InvalidArgumentError: An unknown logical operator or a bad expression.

    Example:
        >>> metadata_filter(("calgary_cloud_ml_v1", "=", "classified as not cloudy"),
        ...                 ("calgary_cloud_ml_v1_confidence", ">=", 80))["logical_operator"]
        'AND'
    """
    op = str(logical_operator).upper()
    if op not in ("AND", "OR"):
        raise InvalidArgumentError(
            f"{logical_operator!r} is neither 'AND' nor 'OR'", "logical_operator"
        )
    built = []
    for e in expressions:
        if isinstance(e, Mapping):
            if set(e) - {"key", "operator", "values"}:
                raise InvalidArgumentError(
                    f"an expression has keys key, operator, values; got {sorted(e)}",
                    "metadata_filters",
                )
            built.append(expression(e.get("key", ""), e.get("operator", "="), e.get("values", [])))
        elif isinstance(e, tuple | list) and len(e) == 3:
            built.append(expression(*e))
        else:
            raise InvalidArgumentError(
                f"an expression is a dict or a (key, operator, values) tuple, got {e!r}",
                "metadata_filters",
            )
    return {"logical_operator": op, "expressions": built}


def cloud_free(min_confidence: float | None = None) -> dict[str, Any]:
    """A metadata filter for ASI minutes that the platform classified as not cloudy.

    Args:
        min_confidence: Also require ``calgary_cloud_ml_v1_confidence`` at least this, percent
            (0-100).

    Returns:
        A :func:`metadata_filter` (for a ground block's ``metadata_filters``).
    """
    items: list[Any] = [("calgary_cloud_ml_v1", "=", "classified as not cloudy")]
    if min_confidence is not None:
        if not 0 <= float(min_confidence) <= 100:
            raise InvalidArgumentError(
                f"{min_confidence!r} is not a percentage in [0, 100]", "min_confidence"
            )
        items.append(("calgary_cloud_ml_v1_confidence", ">=", min_confidence))
    return metadata_filter(*items)


def _filter(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        if "expressions" in value:
            return metadata_filter(
                *value["expressions"], logical_operator=value.get("logical_operator", "AND")
            )
        raise InvalidArgumentError(
            "a metadata filter is metadata_filter(...), a list of expressions, or "
            f"{{'logical_operator', 'expressions'}}; got keys {sorted(value)}",
            "metadata_filters",
        )
    if isinstance(value, Sequence) and not isinstance(value, str):
        return metadata_filter(*value)
    raise InvalidArgumentError(f"not a metadata filter: {value!r}", "metadata_filters")


def _block(kind: str, block: Any, index: int) -> dict[str, Any]:
    argument = f"{kind}[{index}]"
    if not isinstance(block, Mapping):
        raise InvalidArgumentError(f"a criteria block is a dict, got {block!r}", argument)
    unknown = set(block) - set(_BLOCK_KEYS[kind])
    if unknown:
        raise InvalidArgumentError(
            f"unknown keys {sorted(unknown)}; a {kind} block takes {', '.join(_BLOCK_KEYS[kind])}",
            argument,
        )
    if kind == "adhoc":
        locations = []
        for loc in block.get("locations") or []:
            try:
                lat, lon = (float(v) for v in loc)
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    f"a location is (lat, lon), got {loc!r}", argument
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 360):
                raise InvalidArgumentError(f"({lat}, {lon}) is not a position", argument)
            locations.append({"lat": lat, "lon": lon})
        if not locations:
            raise InvalidArgumentError("an adhoc block needs at least one location", argument)
        return {"locations": locations}
    out: dict[str, Any] = {}
    if kind != "events":
        out["programs"] = _strings(block.get("programs"), argument)
    else:
        out["programs"] = ["events"]
    out["platforms"] = _strings(block.get("platforms"), argument)
    out["instrument_types"] = _strings(block.get("instrument_types"), argument)
    if kind == "space":
        hemi = _strings(block.get("hemisphere"), argument)
        bad = [h for h in hemi if h not in HEMISPHERES]
        if bad:
            raise InvalidArgumentError(f"hemisphere {bad} not in {HEMISPHERES}", argument)
        out["hemisphere"] = hemi
    out["ephemeris_metadata_filters"] = _filter(block.get("metadata_filters"))
    return out


def max_distances(
    counts: Mapping[str, int], distances: float | Mapping[str, float] | None, default: float
) -> dict[str, float]:
    """Every pair's maximum distance (km), as the API wants: ``{"ground1-space1": km, ...}``.

    Args:
        counts: Number of blocks of each kind (``ground``, ``space``, ``events``, ``adhoc``).
        distances: One distance for every pair, or a dict of pairs (either order,
            ``"ground1-space1"`` or ``"space1-ground1"``); ``None``: ``default`` everywhere.
        default: The distance of pairs that ``distances`` does not name, km.

    Returns:
        One entry per pair of blocks.

    Raises:
        InvalidArgumentError: A pair naming a block that does not exist, or a negative distance.
    """
    labels = [
        f"{kind}{i}"
        for kind in ("ground", "space", "events", "adhoc")
        for i in range(1, counts.get(kind, 0) + 1)
    ]
    pairs = [f"{a}-{b}" for a, b in itertools.combinations(labels, 2)]

    def km(value: Any, where: str) -> float:
        try:
            out = float(value)
        except (TypeError, ValueError):
            out = math.nan
        if not math.isfinite(out) or out < 0:
            raise InvalidArgumentError(
                f"{where}: {value!r} is not a distance >= 0 km", "max_distances"
            )
        return out

    if distances is None or not isinstance(distances, Mapping):
        value = km(default if distances is None else distances, "max_distances")
        return dict.fromkeys(pairs, value)
    given: dict[str, float] = {}
    for name, value in distances.items():
        a, _, b = str(name).partition("-")
        key = f"{a}-{b}" if f"{a}-{b}" in pairs else f"{b}-{a}"
        if key not in pairs:
            raise InvalidArgumentError(
                f"{name!r} is not a pair of the blocks given; pairs: {', '.join(pairs)}",
                "max_distances",
            )
        given[key] = km(value, str(name))
    base = km(default, "default_distance")
    return {p: given.get(p, base) for p in pairs}


def conjunction_query(
    start: Any,
    end: Any,
    *,
    ground: Sequence[Mapping[str, Any]] = (),
    space: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    adhoc: Sequence[Mapping[str, Any]] = (),
    conjunction_types: Sequence[str] = ("nbtrace",),
    distances: float | Mapping[str, float] | None = None,
    default_distance: float | None = None,
) -> dict[str, Any]:
    """The body of ``POST conjunctions/search``.

    Args:
        start: First time searched (UT).
        end: Last time searched (UT).
        ground: Ground-instrument blocks.
        space: Spacecraft blocks.
        events: Event blocks (the ``events`` program).
        adhoc: Blocks of fixed locations.
        conjunction_types: Any of :data:`CONJUNCTION_TYPES`.
        distances: See :func:`max_distances`.
        default_distance: Distance of pairs not named, km (default
            ``aurorax.default_distance_km``, 300).

    Returns:
        The request body.

    Raises:
        InvalidArgumentError: Fewer than two or more than :data:`MAX_BLOCKS` blocks, an end
            before the start, or any bad part.
    """
    t0, t1 = format_time(start, "start"), format_time(end, "end")
    if t1 < t0:
        raise InvalidArgumentError(f"end {t1} is before start {t0}", "end")
    blocks = {"ground": ground, "space": space, "events": events, "adhoc": adhoc}
    for kind, value in blocks.items():
        if isinstance(value, Mapping):
            blocks[kind] = [value]
    total = sum(len(v) for v in blocks.values())
    if total < 2 or total > MAX_BLOCKS:
        raise InvalidArgumentError(
            f"a conjunction search takes 2 to {MAX_BLOCKS} criteria blocks in all, got {total}",
            "ground",
        )
    types = _strings(conjunction_types, "conjunction_types")
    bad = [t for t in types if t not in CONJUNCTION_TYPES]
    if bad or not types:
        raise InvalidArgumentError(
            f"{bad or types} not among {CONJUNCTION_TYPES}", "conjunction_types"
        )
    built = {k: [_block(k, b, i) for i, b in enumerate(v)] for k, v in blocks.items()}
    counts = {k: len(v) for k, v in built.items()}
    return {
        "start": t0,
        "end": t1,
        "ground": built["ground"],
        "space": built["space"],
        "events": built["events"],
        "adhoc": built["adhoc"],
        "conjunction_types": types,
        "max_distances": max_distances(
            counts, distances, config.resolve(default_distance, "aurorax.default_distance_km")
        ),
    }


def _sources(programs: Any, platforms: Any, instrument_types: Any) -> dict[str, list[str]]:
    return {
        "programs": _strings(programs, "programs"),
        "platforms": _strings(platforms, "platforms"),
        "instrument_types": _strings(instrument_types, "instrument_types"),
    }


def ephemeris_query(
    start: Any,
    end: Any,
    *,
    programs: Any = None,
    platforms: Any = None,
    instrument_types: Any = None,
    metadata_filters: Any = None,
) -> dict[str, Any]:
    """The body of ``POST ephemeris/search`` (see :func:`geospacexr.aurorax.ephemeris`)."""
    t0, t1 = format_time(start, "start"), format_time(end, "end")
    if t1 < t0:
        raise InvalidArgumentError(f"end {t1} is before start {t0}", "end")
    sources = _sources(programs, platforms, instrument_types)
    sources["ephemeris_metadata_filters"] = _filter(metadata_filters)
    return {"data_sources": sources, "start": t0, "end": t1}


def data_products_query(
    start: Any,
    end: Any,
    *,
    programs: Any = None,
    platforms: Any = None,
    instrument_types: Any = None,
    data_product_types: Any = None,
    metadata_filters: Any = None,
) -> dict[str, Any]:
    """The body of ``POST data_products/search`` (see :func:`geospacexr.aurorax.data_products`)."""
    t0, t1 = format_time(start, "start"), format_time(end, "end")
    if t1 < t0:
        raise InvalidArgumentError(f"end {t1} is before start {t0}", "end")
    sources = _sources(programs, platforms, instrument_types)
    sources["data_product_metadata_filters"] = _filter(metadata_filters)
    return {
        "data_sources": sources,
        "start": t0,
        "end": t1,
        "data_product_type_filters": _strings(data_product_types, "data_product_types"),
    }
