"""The instrument table, as seen from the ASI namespace.

The table itself lives in :mod:`geospacexr.io.instruments` (readers need it, and ``io`` imports no
science); this module re-exports it so that users find it next to the ASI functions::

    >>> from geospacexr.asi import instruments
    >>> instruments.get_instrument("trex_blue").label
    'TREx Blueline'
"""

from ..io.instruments import (
    FALLBACK_COLOUR,
    DownloadLayout,
    FileType,
    Instrument,
    TableView,
    UnknownInstrumentError,
    colour_of,
    get_instrument,
    hex_colour,
    imager_regex,
    instrument_of_calibration,
    instrument_of_file,
    instrument_of_imager,
    instrument_of_skymap_project,
    instruments,
    label_of,
    list_instruments,
    reader_patterns,
    register_instrument,
    unregister_instrument,
)

__all__ = [
    "FALLBACK_COLOUR",
    "DownloadLayout",
    "FileType",
    "Instrument",
    "TableView",
    "UnknownInstrumentError",
    "colour_of",
    "get_instrument",
    "hex_colour",
    "imager_regex",
    "instrument_of_calibration",
    "instrument_of_file",
    "instrument_of_imager",
    "instrument_of_skymap_project",
    "instruments",
    "label_of",
    "list_instruments",
    "reader_patterns",
    "register_instrument",
    "unregister_instrument",
]
