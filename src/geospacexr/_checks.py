"""The one helper every accessor method and pure function uses to check its input Dataset."""

from __future__ import annotations

from collections.abc import Iterable

import xarray as xr

from .errors import MissingVariableError, WrongKindError

__all__ = ["KIND_HELP", "require"]

#: What each kind is and how to get one (used in error messages).
KIND_HELP: dict[str, tuple[str, str]] = {
    "gcm": (
        "a TIE-GCM or WACCM-X dataset",
        "open one with geospacexr.open_tiegcm or geospacexr.open_waccmx",
    ),
    "asi": ("an all-sky imager (ASI) dataset", "open one with geospacexr.open_asi"),
    "asi_grid": (
        "an ASI mosaic on a latitude/longitude grid",
        "build one with geospacexr.asi.mosaic",
    ),
    "skymap": ("an ASI skymap", "open one with geospacexr.open_skymap"),
    "calibration": ("an ASI calibration", "open one with geospacexr.open_calibration"),
    "bfield": ("a magnetic-field dataset", "evaluate a model from geospacexr.rb.models"),
    "particles": (
        "a particle (position, pitch angle) dataset",
        "build one with geospacexr.rb.particles",
    ),
    "superdarn": ("a SuperDARN dataset", "open one with geospacexr.open"),
    "mhd": (
        "a magnetosphere MHD dataset",
        "open one with geospacexr.open_gamera (MAGE), geospacexr.open_swmf or geospacexr.open_lfm",
    ),
    "riometer": (
        "a riometer dataset",
        "open one with geospacexr.open_riometer",
    ),
    "ionosphere": ("an ionosphere (ReMIX) dataset", "open one with geospacexr.open_remix"),
    "spectrograph": (
        "a TREx spectrograph dataset",
        "open one with geospacexr.open_asi (trex_spect_raw or trex_spect_l1 files)",
    ),
    "omni": (
        "an OMNI solar-wind and geomagnetic-index dataset",
        "open one with geospacexr.open_omni",
    ),
}


def _describe(kind: str | None) -> str:
    if kind is None:
        return (
            "this Dataset has no attrs['geospacexr_kind'] (it was not made by a geospacexr reader)"
        )
    what = KIND_HELP.get(kind, (f"a {kind!r} dataset", ""))[0]
    return f"this looks like {what} (geospacexr_kind={kind!r})"


def require(
    ds: object,
    kinds: str | Iterable[str],
    variables: Iterable[str] = (),
    where: str = "this function",
) -> xr.Dataset:
    """Check that ``ds`` is a Dataset of an accepted kind holding the needed variables.

    Args:
        ds: The object to check.
        kinds: Accepted ``attrs["geospacexr_kind"]`` values.
        variables: Variables or coordinates that must be present.
        where: The caller, for the message (e.g. ``"ds.asi.keogram"``).

    Returns:
        ``ds``, unchanged.

    Raises:
        WrongKindError: If ``ds`` is not a Dataset or is of another kind.
        MissingVariableError: If variables are missing (all of them are named).
    """
    accepted = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if not isinstance(ds, xr.Dataset):
        raise WrongKindError(f"{where} needs an xarray.Dataset, not {type(ds).__name__}")
    kind = ds.attrs.get("geospacexr_kind")
    if kind not in accepted:
        want = " or ".join(KIND_HELP.get(k, (repr(k), ""))[0] for k in accepted)
        how = "; ".join(h for k in accepted if (h := KIND_HELP.get(k, ("", ""))[1]))
        raise WrongKindError(
            f"{_describe(kind)}; {where} needs {want}" + (f": {how}" if how else "")
        )
    missing = [v for v in variables if v not in ds.variables]
    if missing:
        raise MissingVariableError(
            f"{where} needs the variable(s) {', '.join(missing)}, which this {kind} Dataset lacks "
            f"(it has: {', '.join(map(str, ds.data_vars)) or 'no data variables'})"
        )
    return ds
