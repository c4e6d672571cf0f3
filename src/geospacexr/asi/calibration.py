"""From counts to Rayleighs: dark-frame correction, flat field, exposure normalisation."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import IncompatibleInputError

__all__ = ["calibrate"]


def calibrate(
    ds: xr.Dataset,
    flatfield: xr.Dataset | None = None,
    rayleighs: xr.Dataset | None = None,
    dark_box: int | None = 5,
    exposure_s: float | None = None,
) -> xr.Dataset:
    """Calibrate REGO or TREx NIR counts to Rayleighs.

    The steps, in PyAuroraX's order:

    1. dark-frame correction: each frame's mean over its first ``dark_box`` rows and columns (a
       corner outside the field of view, in the images' orientation) is truncated to an integer
       and subtracted, negative values clipped to 0;
    2. flat field: multiplied by the flat-field file's multiplier;
    3. Rayleighs: multiplied by the Rayleighs file's R per DN per second and divided by the
       exposure in seconds.

    Two differences from PyAuroraX, on purpose: the flat-fielded counts stay floating point
    (PyAuroraX writes them back into the uint16 array, truncating each pixel to an integer, up to
    1 DN), and the exposure is each frame's own (``exposure_ms`` from the files) unless
    ``exposure_s`` is given (PyAuroraX uses a fixed 2.0 s for REGO and 5.0 s for NIR). With
    ``exposure_s`` set, the result differs from PyAuroraX's only by that truncation.

    Args:
        ds: An ``asi`` Dataset of REGO or TREx NIR counts.
        flatfield: A flat-field ``calibration`` Dataset (:func:`geospacexr.open_calibration`).
        rayleighs: A Rayleighs ``calibration`` Dataset.
        dark_box: Size of the dark corner box in pixels, or ``None`` to skip the dark step.
        exposure_s: Exposure in seconds for every frame (default: each frame's ``exposure_ms``).

    Returns:
        A copy of ``ds`` whose ``image`` is float32, in Rayleighs (``units = "R"``) when
        ``rayleighs`` is given, else dark- and flat-corrected counts.

    Raises:
        IncompatibleInputError: If a calibration is for another instrument or image size.
        MissingVariableError: If ``exposure_ms`` is needed and missing.
    """
    require(ds, "asi", ["image"], where="calibrate")
    for cal, kind in ((flatfield, "flatfield"), (rayleighs, "rayleighs")):
        if cal is None:
            continue
        require(cal, "calibration", where=f"calibrate ({kind})")
        if cal.attrs.get("calibration_type") != kind:
            raise IncompatibleInputError(
                f"the {kind} argument is a {cal.attrs.get('calibration_type')} calibration file"
            )
        if (
            cal.attrs.get("instrument")
            and ds.attrs.get("instrument")
            and cal.attrs["instrument"] != ds.attrs["instrument"]
        ):
            raise IncompatibleInputError(
                f"the {kind} calibration is for {cal.attrs['instrument']}, "
                f"the images are {ds.attrs['instrument']}"
            )
    images = ds["image"].values
    counts = images.astype(np.float64)
    if dark_box:
        dark = np.trunc(images[:, :dark_box, :dark_box].astype(np.float64).mean(axis=(1, 2)))
        counts = np.clip(counts - dark[:, None, None], 0.0, None)
    units = "counts"
    if flatfield is not None:
        multiplier = flatfield["flat_field_multiplier"].values
        if multiplier.shape != counts.shape[1:]:
            raise IncompatibleInputError(
                f"the flat field is {multiplier.shape[1]}x{multiplier.shape[0]}, "
                f"the images {counts.shape[2]}x{counts.shape[1]}"
            )
        counts = counts * multiplier
    if rayleighs is not None:
        if exposure_s is None:
            require(ds, "asi", ["exposure_ms"], where="calibrate (exposure)")
            seconds = ds["exposure_ms"].values.astype(np.float64) / 1000.0
        else:
            seconds = np.full(counts.shape[0], float(exposure_s))
        counts = counts * float(rayleighs["rayleighs_per_dn_per_s"]) / seconds[:, None, None]
        units = "R"
    out = ds.copy()
    out["image"] = (
        ds["image"].dims,
        counts.astype(np.float32),
        {"long_name": "calibrated image", "units": units},
    )
    out.attrs["calibration"] = ", ".join(
        s
        for s in (
            f"dark frame ({dark_box}x{dark_box} corner)" if dark_box else "",
            f"flat field {flatfield.attrs.get('source_file', '')}" if flatfield is not None else "",
            f"Rayleighs {rayleighs.attrs.get('source_file', '')}" if rayleighs is not None else "",
        )
        if s
    )
    return out
