"""Pure functions on TIE-GCM / WACCM-X Datasets: slices, heights, densities, derived, emissions."""

from . import derived, emissions
from .composition import density, mean_molecular_mass, total_number_density
from .derived import available, list_derived, register_derived
from .difference import difference
from .emissions import list_emissions, register_emission
from .epflux import epflux
from .heights import at_height, column_heights
from .slices import (
    along_track,
    global_mean,
    lat_lon,
    lat_time,
    lev_lat,
    lev_lon,
    lev_time,
    lon_time,
    var_time,
    zonal_mean,
)
from .variables import field, variables

__all__ = [
    "along_track",
    "at_height",
    "available",
    "column_heights",
    "density",
    "derived",
    "difference",
    "emissions",
    "epflux",
    "field",
    "global_mean",
    "lat_lon",
    "lat_time",
    "lev_lat",
    "lev_lon",
    "lev_time",
    "list_derived",
    "list_emissions",
    "lon_time",
    "mean_molecular_mass",
    "register_derived",
    "register_emission",
    "total_number_density",
    "var_time",
    "variables",
    "zonal_mean",
]
