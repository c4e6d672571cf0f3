"""Import the built-in reader modules so that their ``@register_reader`` lines run."""

from . import (
    asi,  # noqa: F401
    asigrid,  # noqa: F401
    calibration,  # noqa: F401
    dmap,  # noqa: F401
    gcm,  # noqa: F401
    lfm,  # noqa: F401
    mage,  # noqa: F401
    omni,  # noqa: F401
    qindenton,  # noqa: F401
    riometer,  # noqa: F401
    skymap,  # noqa: F401
    spectrograph,  # noqa: F401
    swmf,  # noqa: F401
)
