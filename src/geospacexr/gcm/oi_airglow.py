"""The OI 557.7 nm and 630.0 nm airglow model, now :mod:`geospacexr.gcm.emissions.oi`.

Kept so that ``geospacexr.gcm.oi_airglow`` and ``from geospacexr.gcm import oi_airglow`` keep
working: this name is bound to that very module (the same functions, constants and helpers, so
monkeypatching either name patches both).
"""

import sys

from .emissions import oi as _oi

sys.modules[__name__] = _oi
