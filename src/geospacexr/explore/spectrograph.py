"""The spectrograph part of the ASI explorer: the slit on the image and its keogram.

No science here: intensities come from :func:`geospacexr.asi.spectrograph.emission_intensity`,
the keogram from :func:`~geospacexr.asi.spectrograph.spectrograph_keogram` and the slit's bins on
the CCD from :func:`~geospacexr.asi.spectrograph.slit_on_ccd`, each computed once per emission or
height. The ASI explorer (:class:`geospacexr.explore.asi.AsiExplorer`) owns the time: the slit
shows the spectrum nearest its frame, the keogram's cursor stands at the frame's time, and a
click on the keogram moves the frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..asi import spectrograph as _spect
from ..errors import GeospacexrError, InvalidArgumentError
from ..plot.spectrograph import SLIT_CMAP, SLIT_SCALE_R

__all__ = ["SpectrographView", "as_spectrograph"]

#: Step of the mapping-height slider, km.
_HEIGHT_STEP_KM = 5.0
#: A frame farther than this many spectrograph cadences from every spectrum gets no slit colour.
_CADENCES_NEAR = 1.0
#: Width of the slit's outline on the image, screen pixels.
_OUTLINE_PX = 0.5

Spectrograph = xr.Dataset | str | os.PathLike[str] | Sequence[Any] | Mapping[str, Any]


def as_spectrograph(
    spectrograph: Spectrograph, skymap: xr.Dataset | str | os.PathLike[str] | None = None
) -> tuple[xr.Dataset, xr.Dataset | None]:
    """The calibrated spectra and the slit's skymap from what a user gives.

    Args:
        spectrograph: An L1 spectrograph Dataset, file(s) of one (opened with
            :func:`geospacexr.open_asi`), or a mapping with ``"l1"`` (and ``"skymap"``), as
            ``datasets.open_sample("trex_spect-rabb")`` returns.
        skymap: The spectrograph skymap, or its file (default: the mapping's ``"skymap"``).

    Returns:
        ``(spectra, skymap)``; the skymap is ``None`` when none was given.

    Raises:
        InvalidArgumentError: If the spectra are not calibrated (raw counts have no
            wavelengths) or the skymap is not a spectrograph skymap.
    """
    from .. import open_asi, open_skymap

    if isinstance(spectrograph, Mapping) and not isinstance(spectrograph, xr.Dataset):
        if skymap is None:
            skymap = spectrograph.get("skymap")
        if "l1" not in spectrograph:
            raise InvalidArgumentError(
                "a mapping of spectrograph data needs its calibrated spectra under 'l1'",
                argument="spectrograph",
            )
        spectrograph = spectrograph["l1"]
    if not isinstance(spectrograph, xr.Dataset):
        spectrograph = open_asi(spectrograph)
    if spectrograph.attrs.get("geospacexr_kind") != "spectrograph" or "spectra" not in spectrograph:
        raise InvalidArgumentError(
            "needs calibrated (L1) spectrograph spectra (open_asi of the *_spectra_cal_*.h5 "
            f"files); got a {spectrograph.attrs.get('geospacexr_kind', 'unknown')!r} Dataset "
            f"of level {spectrograph.attrs.get('level', '?')!r}",
            argument="spectrograph",
        )
    if skymap is not None and not isinstance(skymap, xr.Dataset):
        skymap = open_skymap(skymap)
    if skymap is not None and "lat_edge" not in skymap:
        raise InvalidArgumentError(
            "needs the spectrograph's skymap (spect_skymap_*.sav), not an imager's",
            argument="spectrograph_skymap",
        )
    return spectrograph, skymap


class SpectrographView:
    """Widgets and plots of one spectrograph in the ASI explorer.

    Args:
        spectra: Calibrated spectra (see :func:`as_spectrograph`).
        skymap: The spectrograph's skymap (bins' positions; needed for the slit on the image).
        imager_skymap: The imager's skymap (needed for the slit on the image).
        on_time: Called with a time when the keogram is clicked (the explorer moves its frame).
    """

    def __init__(
        self,
        spectra: xr.Dataset,
        skymap: xr.Dataset | None,
        imager_skymap: xr.Dataset | None,
        on_time: Callable[[np.datetime64], None],
    ) -> None:
        import panel as pn

        from .streaming import StreamedPlot

        self.spectra = spectra
        self.skymap = skymap
        self.imager_skymap = imager_skymap
        self._on_time = on_time
        self.times = spectra["time"].values
        steps = np.diff(self.times).astype("timedelta64[ns]").astype(np.float64)
        #: The spectrograph's cadence, ns (NaN for a single spectrum).
        self.cadence_ns = float(np.median(steps)) if steps.size else float("nan")
        default = float(config.resolve(None, "asi.altitude_km"))
        # the imager's skymap cannot be extrapolated: its altitudes bound the height (else the
        # spectrograph skymap's, which PyAuroraX's interpolation may extend)
        source = imager_skymap if imager_skymap is not None else skymap
        low, high = default, default
        if source is not None:
            alts = np.asarray(source["altitude"].values, dtype=np.float64)
            low, high = float(alts.min()), float(alts.max())
        self.emission = pn.widgets.Select(
            label="spectrograph emission", options=_spect.list_emissions(), value="green"
        )
        self.height = pn.widgets.FloatSlider(
            label="slit height (km)",
            start=min(low, default),
            end=max(high, default, min(low, default) + _HEIGHT_STEP_KM),
            step=_HEIGHT_STEP_KM,
            value=default,
            disabled=skymap is None,
        )
        self.scale = pn.widgets.RangeSlider(
            label="slit scale (R)",
            start=0.0,
            end=2 * SLIT_SCALE_R[1],
            value=SLIT_SCALE_R,
            step=100.0,
        )
        self.note = pn.pane.Markdown("", visible=False, margin=(0, 10))
        self.keogram_pane = pn.pane.HoloViews(min_height=260, sizing_mode="stretch_width")
        self.keogram_view = StreamedPlot(self.keogram_pane, self._tap_stream)
        self._intensity: dict[str, xr.DataArray] = {}
        self._slit: dict[float, xr.Dataset] = {}
        self._raster: dict[tuple[Any, ...], Any] = {}
        self._layer: tuple[Any, Any] = (None, None)  # (what it shows, the slit's layer)
        self.widgets = [self.emission, self.height, self.scale, self.note]

    # --- data (each computed once per emission or height) ---------------------------------
    def intensity(self) -> xr.DataArray:
        """The chosen emission's intensity ``(time, spatial)`` in R."""
        name = str(self.emission.value)
        if name not in self._intensity:
            self._intensity[name] = _spect.emission_intensity(self.spectra, name).compute()
        return self._intensity[name]

    def slit(self) -> xr.Dataset | None:
        """The slit's bins on the imager's CCD at the chosen height (``None`` without skymaps)."""
        if self.skymap is None or self.imager_skymap is None:
            return None
        height = float(self.height.value)
        if height not in self._slit:
            self._slit = {height: _spect.slit_on_ccd(self.skymap, self.imager_skymap, height)}
        return self._slit[height]

    def nearest(self, time: np.datetime64) -> int | None:
        """Index of the spectrum nearest ``time``, or ``None`` when none is near it."""
        gaps = np.abs((self.times - time).astype("timedelta64[ns]").astype(np.float64))
        k = int(np.argmin(gaps))
        limit = _CADENCES_NEAR * self.cadence_ns if np.isfinite(self.cadence_ns) else 0.0
        return k if gaps[k] <= limit else None

    # --- plots ---------------------------------------------------------------------------
    def slit_layer(self, time: np.datetime64) -> Any:
        """The slit's bins on the image, coloured by the spectrum nearest ``time``."""
        import holoviews as hv

        slit = self.slit()
        k = self.nearest(time)
        self._say(time, k)
        key = (k, str(self.emission.value), float(self.height.value), tuple(self.scale.value))
        if self._layer[0] == key:  # frames between two spectra share one layer
            return self._layer[1]
        paths = []
        if slit is not None:
            values = self.intensity().values[k] if k is not None else None
            for b in np.flatnonzero(slit["inside"].values):
                paths.append(
                    {
                        "x": slit["x"].values[b],
                        "y": slit["y"].values[b],
                        "intensity": float(values[b]) if values is not None else np.nan,
                    }
                )
        units = self.intensity().attrs.get("units", "R")
        layer = hv.Polygons(
            paths, ["x", "y"], hv.Dimension("intensity", label=f"slit intensity ({units})")
        ).opts(
            color="intensity",
            cmap=SLIT_CMAP,
            clim=tuple(self.scale.value),
            line_color="white",
            line_width=_OUTLINE_PX,
            line_alpha=0.5,
            colorbar=False,
            tools=["hover"],
        )
        self._layer = (key, layer)
        return layer

    def keogram_plot(self, time: np.datetime64) -> Any:
        """The spectrograph keogram with a cursor at ``time``."""
        import holoviews as hv

        key = (str(self.emission.value), float(self.height.value), tuple(self.scale.value))
        if key not in self._raster:
            self._raster = {key: self._keogram_raster()}
        cursor = hv.VLine(time).opts(color="red", line_width=1.5)
        return self._raster[key] * cursor

    def _keogram_raster(self) -> Any:
        import holoviews as hv

        keo = _spect.spectrograph_keogram(
            self.spectra,
            str(self.emission.value),
            skymap=self.skymap,
            height_km=float(self.height.value),
        )
        units = keo.attrs.get("units", "R")
        vdim = hv.Dimension("intensity", label=f"intensity ({units})")
        rows = keo["lat"].values if "lat" in keo.coords else keo["spatial"].values
        ylabel = (
            f"latitude at {float(self.height.value):g} km (°N)"
            if "lat" in keo.coords
            else "spatial bin"
        )
        order = np.argsort(rows)
        data = (keo["time"].values, rows[order], np.asarray(keo.values, dtype=float)[order])
        options = dict(
            cmap=SLIT_CMAP,
            clim=tuple(self.scale.value),
            tools=["tap", "hover"],
            responsive=True,
            min_height=260,
            colorbar=True,
            title=f"spectrograph keogram: {keo.attrs.get('long_name', '')} (click to jump)",
            xlabel="time (UT)",
            ylabel=ylabel,
        )
        # its rows are not the imager keogram's CCD rows: a dimension of their own (plots of
        # one page share the axes of dimensions of the same name)
        row = "lat" if "lat" in keo.coords else "spatial"
        return hv.QuadMesh(data, ["time", row], vdim).opts(line_alpha=0, **options)

    def _say(self, time: np.datetime64, k: int | None) -> None:
        if k is not None and (self.skymap is None or self.imager_skymap is None):
            missing = "the spectrograph's skymap" if self.skymap is None else "the imager's skymap"
            self.note.object = f"The slit is drawn on the image when {missing} is given."
            self.note.visible = True
        elif k is None:
            first, last = (
                np.datetime_as_string(t, unit="s").replace("T", " ")
                for t in (self.times[0], self.times[-1])
            )
            self.note.object = (
                f"No spectrum near this frame (the spectrograph has {first} to {last} UT): the "
                "slit is drawn without colour."
            )
            self.note.visible = True
        else:
            self.note.visible = False

    def _tap_stream(self) -> list[Any]:
        import holoviews as hv

        tap = hv.streams.Tap(x=None, y=None)
        tap.add_subscriber(self._clicked)
        return [tap]

    def _clicked(self, x: Any = None, y: Any = None) -> None:
        if x is None:
            return
        t = (
            np.datetime64(x, "ns")
            if not isinstance(x, (int, float))
            else np.datetime64(int(x * 1e6), "ns")
        )
        self._on_time(t)

    def show(self, time: np.datetime64) -> None:
        """Redraw the keogram's cursor (and its raster after a new emission, height or scale)."""
        try:
            self.keogram_view.show(self.keogram_plot(time), key=tuple(self.scale.value))
        except (GeospacexrError, ValueError) as exc:
            self.note.object = f"**Cannot draw the spectrograph keogram:** {exc}"
            self.note.visible = True
