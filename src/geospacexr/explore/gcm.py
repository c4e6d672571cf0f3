"""The GCM explorer: every slice of a TIE-GCM / WACCM-X run, live.

It holds no science: each widget change calls the functions of :mod:`geospacexr.gcm` (the same as
``ds.gcm``), caches the result per parameter set, and redraws a HoloViews (Bokeh) plot. Bad input
(a height above the model top, a variable the file cannot compute) shows a message and keeps the
session alive.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .. import gcm as _gcm
from ..errors import GeospacexrError
from ..resources import coastlines

__all__ = ["SLICES", "GcmExplorer", "explore"]

#: Slice types offered by the explorer (the functions of geospacexr.gcm).
SLICES = ("lat_lon", "lev_lat", "lev_lon", "lev_time", "lat_time", "lon_time", "var_time")
_VERTICAL = ("level", "height", "pressure")


def _fields(ds: xr.Dataset) -> list[str]:
    names = [
        str(v)
        for v, da in ds.data_vars.items()
        if "time" in da.dims and {"lat", "lon"} <= set(da.dims)
    ]
    derived = [n for n in _gcm.derived.available(ds) if n not in names]
    rates = [n for n in _gcm.emissions.available(ds) if not n.startswith("OH_VIB_")]
    return sorted(names) + derived + [n for n in rates if n not in names]


class GcmExplorer:
    """Widgets and plot of the GCM explorer; ``.panel`` is the Panel layout.

    Args:
        ds: A ``gcm`` Dataset.
        control: Optional control run, for difference mode.
    """

    def __init__(self, ds: xr.Dataset, control: xr.Dataset | None = None) -> None:
        import holoviews as hv
        import panel as pn

        if "bokeh" not in hv.Store.renderers:
            hv.extension("bokeh", logo=False)
        _gcm.variables(ds)  # checks the kind with a clear message
        self.ds = ds
        self.control = control
        self._cache: OrderedDict[tuple[Any, ...], xr.DataArray] = OrderedDict()
        times = ds["time"].values
        self.times = times
        fields = _fields(ds)
        default = "TN" if "TN" in fields else fields[0]
        heights = (
            _gcm.column_heights(ds, "lev").isel(time=0).values if "ZG" in ds or "Z" in ds else None
        )
        # the range every column covers, so any slider value gives a full map
        self.height_range = (
            (
                float(np.nanmax(np.nanmin(heights, axis=0))),
                float(np.nanmin(np.nanmax(heights, axis=0))),
            )
            if heights is not None
            else (100.0, 500.0)
        )
        lev = ds["lev"].values
        self.variable = pn.widgets.Select(label="variable", options=fields, value=default)
        self.slice = pn.widgets.Select(label="slice", options=list(SLICES), value="lat_lon")
        self.time = pn.widgets.Player(
            label="time",
            start=0,
            end=max(len(times) - 1, 0),
            value=0,
            loop_policy="loop",
            interval=400,
            width=300,
        )
        self.vertical = pn.widgets.RadioButtonGroup(
            label="vertical", options=list(_VERTICAL), value="level"
        )
        self.level = pn.widgets.FloatSlider(
            label="level",
            start=float(lev.min()),
            end=float(lev.max()),
            value=float(np.round(np.median(lev), 2)),
            step=0.05,
        )
        self.height = pn.widgets.FloatSlider(
            label="height (km)",
            start=round(self.height_range[0] + 1),
            end=round(self.height_range[1] - 1),
            value=300.0,
            step=5.0,
        )
        p = ds["pressure"].values
        self.log_pressure = pn.widgets.FloatSlider(
            label="log10 pressure (hPa)",
            start=float(np.log10(np.nanmin(p))),
            end=float(np.log10(np.nanmax(p))),
            value=float(np.log10(np.nanmedian(p))),
            step=0.1,
        )
        self.lat = pn.widgets.FloatSlider(
            label="latitude", start=-90.0, end=90.0, value=40.0, step=0.5
        )
        self.lon = pn.widgets.FloatSlider(
            label="longitude", start=-180.0, end=180.0, value=0.0, step=0.5
        )
        self.zonal = pn.widgets.Checkbox(label="zonal mean (lev-lat, lat-time)", value=True)
        self.local_time = pn.widgets.Checkbox(label="local time", value=False)
        self.cmap = pn.widgets.Select(
            label="colour map",
            options=["viridis", "plasma", "inferno", "cividis", "RdBu_r", "coolwarm"],
            value="viridis",
        )
        self.logz = pn.widgets.Checkbox(label="log colour scale", value=False)
        self.projection = pn.widgets.Select(
            label="projection", options=["global", "north polar", "south polar"], value="global"
        )
        self.difference = pn.widgets.Checkbox(
            label="difference to control", value=False, disabled=control is None
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.time_label = pn.pane.Markdown(self._time_text(0))
        self.plot = pn.pane.HoloViews(sizing_mode="stretch_width", min_height=420)
        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(lambda x=None, y=None: self.tap(x, y))
        self.export_png = pn.widgets.FileDownload(
            callback=self._png, filename="slice.png", label="PNG", button_type="primary"
        )
        self.export_nc = pn.widgets.FileDownload(
            callback=self._netcdf, filename="slice.nc", label="NetCDF"
        )
        for w in (
            self.variable,
            self.slice,
            self.time,
            self.vertical,
            self.level,
            self.height,
            self.log_pressure,
            self.lat,
            self.lon,
            self.zonal,
            self.local_time,
            self.cmap,
            self.logz,
            self.projection,
            self.difference,
        ):
            w.param.watch(self._changed, "value")
        self.panel = pn.Row(
            pn.Column(
                "## GCM explorer",
                self.variable,
                self.slice,
                self.time,
                self.time_label,
                self.vertical,
                self.level,
                self.height,
                self.log_pressure,
                self.lat,
                self.lon,
                self.zonal,
                self.local_time,
                self.cmap,
                self.logz,
                self.projection,
                self.difference,
                pn.Row(self.export_png, self.export_nc),
                width=330,
            ),
            pn.Column(self.message, self.plot, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
        self._update_visibility()
        self.refresh()

    # -- state -------------------------------------------------------------------------------
    def _time_text(self, index: int) -> str:
        return f"**{np.datetime_as_string(self.times[index], unit='m').replace('T', ' ')} UT**"

    def _changed(self, event: Any) -> None:
        if event.obj is self.time:
            self.time_label.object = self._time_text(int(self.time.value))
        self._update_visibility()
        self.refresh()

    def _update_visibility(self) -> None:
        kind = self.slice.value
        horizontal = kind in ("lat_lon", "lat_time", "lon_time", "var_time")
        self.vertical.visible = horizontal
        self.level.visible = horizontal and self.vertical.value == "level"
        self.height.visible = horizontal and self.vertical.value == "height"
        self.log_pressure.visible = horizontal and self.vertical.value == "pressure"
        self.lat.visible = kind in ("lev_lon", "lev_time", "lon_time", "var_time")
        self.lon.visible = kind in ("lev_time", "var_time") or (
            kind in ("lev_lat", "lat_time") and not self.zonal.value
        )
        self.zonal.visible = kind in ("lev_lat", "lat_time")
        self.local_time.visible = kind == "lat_lon"
        self.projection.visible = kind == "lat_lon" and not self.local_time.value
        self.time.visible = kind in ("lat_lon", "lev_lat", "lev_lon")

    def _vertical_kwargs(self) -> dict[str, float]:
        mode = self.vertical.value
        if mode == "height":
            return {"height": float(self.height.value)}
        if mode == "pressure":
            return {"pressure": float(10**self.log_pressure.value)}
        return {"level": float(self.level.value)}

    def _source(self) -> xr.Dataset:
        if self.difference.value and self.control is not None:
            key = ("__difference__",)
            if key not in self._cache:
                self._cache[key] = _gcm.difference(self.ds, self.control)
            return self._cache[key]  # type: ignore[return-value]
        return self.ds

    def parameters(self) -> tuple[Any, ...]:
        """The parameter set that determines the current slice (the cache key)."""
        kind = self.slice.value
        time = self.times[int(self.time.value)]
        v = tuple(sorted(self._vertical_kwargs().items()))
        lat, lon = (
            float(self.lat.value),
            (
                None
                if self.zonal.value and kind in ("lev_lat", "lat_time")
                else float(self.lon.value)
            ),
        )
        return (
            self.variable.value,
            kind,
            str(time),
            v,
            lat,
            lon,
            bool(self.local_time.value),
            bool(self.difference.value),
        )

    def data(self) -> xr.DataArray:
        """The current slice, from the pure functions (cached per parameter set)."""
        key = self.parameters()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        var, kind, time, vertical, lat, lon, local_time, _ = key
        ds = self._source()
        vkw = dict(vertical) if _gcm.slices.vertical_dim(_gcm.field(ds, var)) else {}
        t = np.datetime64(time)
        if kind == "lat_lon":
            out = _gcm.lat_lon(ds, var, time=t, local_time=local_time or None, **vkw)
        elif kind == "lev_lat":
            out = _gcm.lev_lat(ds, var, time=t, lon=lon)
        elif kind == "lev_lon":
            out = _gcm.lev_lon(ds, var, time=t, lat=lat)
        elif kind == "lev_time":
            out = _gcm.lev_time(ds, var, lat=lat, lon=lon)
        elif kind == "lat_time":
            out = _gcm.lat_time(ds, var, lon=lon, **vkw)
        elif kind == "lon_time":
            out = _gcm.lon_time(ds, var, lat=lat, **vkw)
        else:
            out = _gcm.var_time(ds, var, lat=lat, lon=lon, **vkw)
        out = out.load()
        self._cache[key] = out
        while len(self._cache) > max(config.get().cache.explorer_results, 0):
            self._cache.popitem(last=False)
        return out

    # -- drawing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute (or fetch) the slice and redraw; errors become a message, not a crash."""
        try:
            da = self.data()
            self.plot.object = self._figure(da)
            self.message.visible = False
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw this slice:** {exc}"
            self.message.visible = True

    def _figure(self, da: xr.DataArray) -> Any:
        import holoviews as hv

        label = f"{da.name} [{da.attrs.get('units', '')}]"
        title = f"{da.attrs.get('long_name', da.name)}"
        opts = {
            "cmap": self.cmap.value,
            "logz": bool(self.logz.value),
            "colorbar": True,
            "tools": ["hover", "tap"],
            "responsive": True,
            "min_height": 400,
            "title": title,
            "clabel": label,
        }
        finite = da.values[np.isfinite(da.values)]
        if da.ndim == 1:
            return hv.Curve((da["time"].values, da.values), "time", label).opts(
                responsive=True, min_height=400, title=title, tools=["hover"]
            )
        if self.difference.value and finite.size:  # differences: colours centred on zero
            bound = float(np.abs(finite).max())
            opts.update(cmap="RdBu_r", clim=(-bound, bound))
        xdim = da.dims[-1]
        ydim = da.dims[0]
        values = da.transpose(ydim, xdim).values
        if (
            self.slice.value == "lat_lon"
            and not self.local_time.value
            and self.projection.value != "global"
        ):
            return self._polar(da, opts)
        mesh = hv.QuadMesh((da[xdim].values, da[ydim].values, values), [xdim, ydim], label).opts(
            **opts
        )
        if self.slice.value == "lat_lon" and not self.local_time.value:
            self._tap.source = mesh  # a click picks the position of the other slices
            lines = hv.Path([line for line in coastlines()]).opts(color="black", line_width=0.6)
            return (mesh * lines).opts(xlim=(-180, 180), ylim=(-90, 90))
        if ydim in ("lev", "ilev") and self.ds.attrs.get("model") == "WACCM-X":
            mesh = mesh.opts(logy=True, invert_yaxis=True)
        return mesh

    def _polar(self, da: xr.DataArray, opts: dict[str, Any]) -> Any:
        import cartopy.crs as ccrs
        import geoviews as gv

        north = self.projection.value == "north polar"
        sel = da.where(da["lat"] >= 30) if north else da.where(da["lat"] <= -30)
        lons = np.append(da["lon"].values, da["lon"].values[0] + 360.0)
        values = np.concatenate([sel.values, sel.values[:, :1]], axis=1)
        proj = ccrs.NorthPolarStereo() if north else ccrs.SouthPolarStereo()
        mesh = gv.QuadMesh(
            (lons, da["lat"].values, values), ["lon", "lat"], str(da.name), crs=ccrs.PlateCarree()
        )
        keep = [
            line
            for line in coastlines()
            if (line[:, 1].max() > 30 if north else line[:, 1].min() < -30)
        ]
        coast = gv.Path(keep, crs=ccrs.PlateCarree()).opts(color="black", line_width=0.6)
        return (
            mesh.opts(**{k: v for k, v in opts.items() if k != "tools"}, tools=["hover"]) * coast
        ).opts(projection=proj)

    # -- export -------------------------------------------------------------------------------
    def _png(self) -> io.BytesIO:
        from ..plot import gcm as plot_gcm

        da = self.data()
        kind = self.slice.value
        ds = self._source()
        time = self.times[int(self.time.value)]
        if kind == "lat_lon":
            fig = plot_gcm.plot_lat_lon(
                ds,
                self.variable.value,
                time,
                local_time=bool(self.local_time.value) or None,
                **self._vertical_kwargs(),
            )
        elif kind in ("lev_lat", "lev_lon"):
            extra = (
                {"lon": None if self.zonal.value else float(self.lon.value)}
                if kind == "lev_lat"
                else {"lat": float(self.lat.value)}
            )
            fig = getattr(plot_gcm, f"plot_{kind}")(ds, self.variable.value, time, **extra)
        else:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(8, 4), layout="constrained")
            ax = fig.add_subplot()
            if da.ndim == 1:
                ax.plot(da["time"].values, da.values)
            else:
                ax.pcolormesh(
                    da[da.dims[-1]].values, da[da.dims[0]].values, da.values, shading="nearest"
                )
            ax.set_title(str(da.name))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        buf.seek(0)
        return buf

    def _netcdf(self) -> io.BytesIO:
        da = self.data()
        data = da.to_dataset(name=str(da.name) or "slice").to_netcdf()
        return io.BytesIO(bytes(data))

    def tap(self, x: float, y: float) -> None:
        """A click on the lat-lon map: pick that longitude/latitude for the other slices.

        Args:
            x: Longitude clicked.
            y: Latitude clicked.
        """
        if x is not None and y is not None:
            self.lon.value = float(np.clip(x, -180, 180))
            self.lat.value = float(np.clip(y, -90, 90))


def explore(ds: xr.Dataset, control: xr.Dataset | None = None) -> Any:
    """A live explorer of a GCM run (a Panel component; displays inline in Jupyter).

    Args:
        ds: A ``gcm`` Dataset.
        control: Optional control run for difference mode.

    Returns:
        The Panel layout (``GcmExplorer(ds).panel``).
    """
    return GcmExplorer(ds, control).panel
