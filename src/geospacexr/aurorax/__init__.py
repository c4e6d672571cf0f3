"""The AuroraX platform from Python: conjunction, ephemeris and data-product searches, as xarray.

Searches run on the AuroraX search API (``aurorax.api_url``); each call builds the request from
Python arguments (checked before anything is sent), submits it, polls until the result is ready
(``aurorax.poll_interval_s``, at most ``aurorax.timeout_s``, with a progress bar) and returns
xarray objects:

* :func:`conjunctions` -> a Dataset along ``conjunction``;
* :func:`ephemeris` -> one Dataset per data source along ``epoch``;
* :func:`data_products` -> a Dataset along ``data_product`` with the URLs;
* :func:`availability`, :func:`data_sources` -> what the platform holds;
* :func:`compare_footprints` -> the platform's footprints against ours;
* :mod:`geospacexr.aurorax.atm` -> the TREx Auroral Transport Model (run by the UCalgary SRS API).

``wait=False`` returns a :class:`Search` to poll, wait for or cancel. Failures raise the
:class:`~geospacexr.errors.ServiceError` family (see :mod:`geospacexr.aurorax._http`). Needs the
``aurorax`` extra (``requests``).

Example:
    >>> import geospacexr.aurorax as ax
    >>> ds = ax.conjunctions(  # doctest: +SKIP
    ...     "2020-01-01T00:00", "2020-01-01T06:00",
    ...     ground=[{"programs": ["themis-asi"], "platforms": ["gillam"],
    ...              "metadata_filters": ax.cloud_free(min_confidence=80)}],
    ...     space=[{"programs": ["swarm"], "platforms": ["swarma"]}],
    ...     max_distances=500)
"""

from __future__ import annotations

from . import atm
from ._http import Client
from .compare import compare_footprints
from .query import (
    CONJUNCTION_TYPES,
    ML_KEYS,
    OPERATORS,
    cloud_free,
    expression,
    metadata_filter,
)
from .search import (
    EphemerisResult,
    Search,
    conjunctions,
    conjunctions_dataset,
    data_products,
    data_products_dataset,
    ephemeris,
    ephemeris_datasets,
)
from .sources import availability, data_sources

__all__ = [
    "CONJUNCTION_TYPES",
    "ML_KEYS",
    "OPERATORS",
    "Client",
    "EphemerisResult",
    "Search",
    "atm",
    "availability",
    "cloud_free",
    "compare_footprints",
    "conjunctions",
    "conjunctions_dataset",
    "data_products",
    "data_products_dataset",
    "data_sources",
    "ephemeris",
    "ephemeris_datasets",
    "expression",
    "metadata_filter",
]
