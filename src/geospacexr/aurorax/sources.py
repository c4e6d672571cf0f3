"""What the AuroraX platform holds: its data sources and their daily availability, as Datasets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError, ServiceError
from ._http import Client
from .query import format_time
from .search import SOURCE_FIELDS, _source_name, _texts

__all__ = ["FORMATS", "availability", "data_sources"]

#: The ``format`` values of the data-source endpoints, least to most detail.
FORMATS = ("identifier_only", "basic_info", "with_metadata", "full_record")
#: Availability kinds -> (API path, field of each record, variable, units, long name).
AVAILABILITY = {
    "ephemeris": (
        "api/v1/availability/ephemeris",
        "available_ephemeris",
        "minutes",
        "min",
        "minutes of ephemeris per day",
    ),
    "data_products": (
        "api/v1/availability/data_products",
        "available_data_products",
        "count",
        "1",
        "data products per day",
    ),
}


def _filters(
    program: Any, platform: Any, instrument_type: Any, source_type: Any, owner: Any
) -> dict[str, Any]:
    out = {
        "program": program,
        "platform": platform,
        "instrument_type": instrument_type,
        "source_type": source_type,
        "owner": owner,
    }
    for name, value in out.items():
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidArgumentError(f"expected a non-empty string, got {value!r}", name)
    return out


def availability(
    start: Any,
    end: Any,
    program: str | None = None,
    platform: str | None = None,
    instrument_type: str | None = None,
    source_type: str | None = None,
    owner: str | None = None,
    kind: str = "ephemeris",
    *,
    client: Client | None = None,
) -> xr.Dataset:
    """Daily availability of ephemeris (minutes) or data products (counts) per data source.

    ``GET api/v1/availability/{ephemeris,data_products}?start&end&program...`` (dates only: the
    times' days are sent as ``%Y-%m-%d``).

    Args:
        start: First day (UT).
        end: Last day (UT).
        program: Only this program.
        platform: Only this platform.
        instrument_type: Only this instrument type.
        source_type: Only this source type (``"leo"``, ``"ground"``...).
        owner: Only sources of this owner.
        kind: ``"ephemeris"`` or ``"data_products"``.
        client: The connection.

    Returns:
        A Dataset on (``data_source``, ``date``): ``minutes`` (ephemeris: minutes of the day
        held) or ``count`` (data products), 0 where the API lists nothing; the sources'
        ``program``, ``platform``, ``instrument_type``, ``source_type``, ``identifier`` along
        ``data_source`` (named ``program/platform/instrument_type``).

    Raises:
        InvalidArgumentError: A bad argument (nothing is sent).
        ServiceError: A subclass per failure.
    """
    if kind not in AVAILABILITY:
        raise InvalidArgumentError(f"{kind!r} is not one of {tuple(AVAILABILITY)}", "kind")
    path, field, var, units, long_name = AVAILABILITY[kind]
    d0, d1 = format_time(start, "start")[:10], format_time(end, "end")[:10]
    if d1 < d0:
        raise InvalidArgumentError(f"end {d1} is before start {d0}", "end")
    params = {
        "start": d0,
        "end": d1,
        **_filters(program, platform, instrument_type, source_type, owner),
    }
    client = client or Client()
    records = client.json("GET", path, params=params)
    if not isinstance(records, list):
        raise ServiceError(f"{client.name}: {path} did not answer a list", url=client.url(path))
    dates = np.arange(np.datetime64(d0, "D"), np.datetime64(d1, "D") + 1)
    names = [_source_name(r.get("data_source") or {}) for r in records]
    table = np.zeros((len(records), dates.size))
    index = {str(d): i for i, d in enumerate(dates)}
    for row, r in enumerate(records):
        for day, value in (r.get(field) or {}).items():
            col = index.get(str(day)[:10])
            if col is not None and value is not None:
                table[row, col] = float(value)
    srcs = [r.get("data_source") or {} for r in records]
    data = {var: (("data_source", "date"), table, {"units": units, "long_name": long_name})}
    for f in SOURCE_FIELDS:
        data[f] = ("data_source", _texts([s.get(f) for s in srcs]), {"long_name": f})
    ds = xr.Dataset(
        data,
        coords={"data_source": _texts(names), "date": dates.astype("datetime64[ns]")},
    )
    ds.attrs.update(
        {
            "geospacexr_kind": "aurorax_availability",
            "source": "AuroraX search API",
            "availability_kind": kind,
        }
    )
    return ds


def data_sources(
    program: str | None = None,
    platform: str | None = None,
    instrument_type: str | None = None,
    source_type: str | None = None,
    owner: str | None = None,
    format: str = "basic_info",
    include_stats: bool = False,
    *,
    client: Client | None = None,
) -> xr.Dataset:
    """The data sources (satellites, ground instruments, event lists) of the platform.

    ``GET api/v1/data_sources?program&platform&...&format&include_stats``.

    Args:
        program: Only this program.
        platform: Only this platform.
        instrument_type: Only this instrument type.
        source_type: Only this source type.
        owner: Only sources of this owner.
        format: One of :data:`FORMATS` (how much the API returns per source).
        include_stats: Also ask for each source's statistics (counts, first/last loaded).
        client: The connection.

    Returns:
        A Dataset along ``data_source`` (``program/platform/instrument_type``) with the fields
        of :data:`~geospacexr.aurorax.search.SOURCE_FIELDS` that the format returns, and, for
        richer formats, ``owner``, ``metadata``, ``ephemeris_metadata_schema``,
        ``data_product_metadata_schema``, ``stats`` as JSON strings.

    Raises:
        InvalidArgumentError: A bad argument (nothing is sent).
        ServiceError: A subclass per failure.
    """
    if format not in FORMATS:
        raise InvalidArgumentError(f"{format!r} is not one of {FORMATS}", "format")
    params = {
        **_filters(program, platform, instrument_type, source_type, owner),
        "format": format,
        "include_stats": "true" if include_stats else "false",
    }
    client = client or Client()
    records = client.json("GET", "api/v1/data_sources", params=params)
    if not isinstance(records, list):
        raise ServiceError(f"{client.name}: data_sources did not answer a list")
    present: list[str] = []
    for r in records:
        if not isinstance(r, Mapping):
            raise ServiceError(f"{client.name}: a data source is not an object: {r!r:.80}")
        present += [k for k in r if k not in present]
    data = {}
    for key in present:
        values = [r.get(key) for r in records]
        if key in SOURCE_FIELDS or all(
            v is None or isinstance(v, str | int | float) for v in values
        ):
            data[key] = ("data_source", _texts(values), {"long_name": key.replace("_", " ")})
        else:
            data[key] = (
                "data_source",
                _texts([json.dumps(v) for v in values]),
                {"long_name": f"{key.replace('_', ' ')} (JSON)"},
            )
    names = [_source_name(r) for r in records]
    ds = xr.Dataset(data, coords={"data_source": _texts(names)})
    ds.attrs.update(
        {
            "geospacexr_kind": "aurorax_data_sources",
            "source": "AuroraX search API",
            "format": format,
        }
    )
    return ds
