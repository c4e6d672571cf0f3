"""The instrument table, as seen from the ASI namespace.

The table itself lives in :mod:`geospacexr.io.instruments` (readers need it, and ``io`` imports no
science); this module re-exports it so that users find it next to the ASI functions::

    >>> from geospacexr.asi import instruments
    >>> instruments.get_instrument("trex_blue").label
    'TREx Blueline'
"""

from ..io import instruments as _table

#: The same public names as :mod:`geospacexr.io.instruments` (one list, kept there).
__all__ = list(_table.__all__)
globals().update({name: getattr(_table, name) for name in __all__})
