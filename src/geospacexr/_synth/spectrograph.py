"""Synthetic TREx spectrograph files with an exact answer: raw L0 PGM, L1 HDF5 and the skymap.

The spectra are auroral lines on a flat background continuum (per spatial bin and time, in
R/nm): O I 557.7 nm, O I 630.0 nm, N2+ 427.8 nm and H-beta 486.1 nm carry a known brightness
(:func:`line_brightness`), plus Na 589.3 nm, N2+ 470.9 nm and O I 777.4 nm, which lie in none
of the integration bands. Each line is a triangle over three wavelength samples (the slit
image convolved with a pixel), so its trapezoidal integral over any band that holds those three
samples is its brightness exactly; the continuum (:func:`continuum`) is flat in wavelength, so
subtracting the background band's mean level leaves exactly the line. An auroral arc drifts
along the slit during the sample.

The layouts follow pyucalgarysrs 1.28's readers (``../shared/formats/aurorax_api.md``).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_path, atomic_write

__all__ = [
    "LINES",
    "SITES",
    "continuum",
    "line_brightness",
    "line_nodes",
    "spectra",
    "spectrograph_generator",
    "wavelengths",
]

#: Spectrograph sites (TREx meridian spectrographs; positions of the ASI sites there).
SITES: dict[str, dict[str, Any]] = {
    "rabb": {
        "name": "Rabbit Lake",
        "lat": 58.2225,
        "lon": -103.6803,
        "alt": 330.0,
        "device": "spect-02",
    },
    "luck": {
        "name": "Lucky Lake",
        "lat": 51.1540,
        "lon": -107.2620,
        "alt": 605.0,
        "device": "spect-03",
    },
}
N_WAVELENGTH = 1024
N_SPATIAL = 256
CADENCE_S = 15
#: Line centre (nm) -> (background R, arc peak R, arc half-width in bins, arc offset in bins).
LINES: dict[str, tuple[float, float, float, float, float]] = {
    "green": (557.7, 1200.0, 9000.0, 10.0, 0.0),
    "red": (630.0, 300.0, 1500.0, 25.0, -15.0),
    "blue": (427.8, 150.0, 2500.0, 10.0, 0.0),
    "hbeta": (486.1, 40.0, 350.0, 30.0, 30.0),
}
#: Lines outside every integration band: centre (nm) and brightness (R), constant.
_OTHER_LINES = ((589.3, 200.0), (470.9, 300.0), (777.4, 800.0))
#: The integration bands the triangles must lie in (PyAuroraX's line bands, nm).
_BANDS = {
    "green": (555.5, 558.5),
    "red": (628.5, 631.5),
    "blue": (424.8, 428.3),
    "hbeta": (484.6, 487.6),
}
_RAW_OFFSET = 600  # counts: bias + dark current of a raw frame
_RAW_GAIN = 0.8  # counts per (R/nm)


def wavelengths() -> np.ndarray:
    """The detector's wavelength grid (nm, 1024 samples, a slightly non-linear dispersion)."""
    p = np.arange(N_WAVELENGTH, dtype=np.float64)
    w = 385.0 + 0.405 * p + 1.5e-5 * p * (p - (N_WAVELENGTH - 1))
    # the files store float32 wavelengths: the exact answer is computed on those values
    return w.astype(np.float32).astype(np.float64)


def line_nodes(centre: float, band: tuple[float, float] | None = None) -> int:
    """Index of the middle sample of a line's triangle (its three samples inside ``band``)."""
    w = wavelengths()
    k = np.arange(1, N_WAVELENGTH - 1)
    ok = np.ones(k.size, dtype=bool)
    if band is not None:
        ok = (w[k - 1] >= band[0]) & (w[k + 1] <= band[1])
    if not ok.any():
        raise ValueError(f"no three samples of the grid lie in {band}")
    k = k[ok]
    return int(k[np.argmin(np.abs(w[k] - centre))])


def _arc_centre(seconds: np.ndarray) -> np.ndarray:
    """Spatial bin of the arc: drifting from bin 170 to bin 110 over ten minutes."""
    return 170.0 - 60.0 * np.asarray(seconds, dtype=np.float64) / 600.0


def line_brightness(line: str, seconds: np.ndarray) -> np.ndarray:
    """The exact brightness (R) of a line, ``(time, spatial)``.

    Args:
        line: ``"green"``, ``"red"``, ``"blue"`` or ``"hbeta"``.
        seconds: Times since the sample's first spectrum (s).

    Returns:
        float64 ``(time, 256)``.
    """
    _, base, peak, width, offset = LINES[line]
    bins = np.arange(N_SPATIAL, dtype=np.float64)
    centre = _arc_centre(np.atleast_1d(seconds))[:, None] + offset
    profile = np.exp(-0.5 * ((bins[None, :] - centre) / width) ** 2)
    # a slight gradient along the slit in the diffuse background
    return base * (1.0 + 0.2 * bins[None, :] / N_SPATIAL) + peak * profile


def continuum(seconds: np.ndarray) -> np.ndarray:
    """The flat background continuum (R/nm), ``(time, spatial)``."""
    bins = np.arange(N_SPATIAL, dtype=np.float64)
    t = np.atleast_1d(np.asarray(seconds, dtype=np.float64))[:, None]
    return 20.0 + 6.0 * np.cos(bins[None, :] / 40.0) + 0.01 * t


def _add_line(out: np.ndarray, w: np.ndarray, k: int, brightness: np.ndarray) -> None:
    """Add a triangle peaking at sample ``k`` whose integral is ``brightness`` (time, spatial)."""
    peak = 2.0 * brightness / (w[k + 1] - w[k - 1])
    out[:, k, :] += peak


def spectra(seconds: np.ndarray) -> np.ndarray:
    """The calibrated spectra (R/nm), float64 ``(time, wavelength, spatial)``."""
    w = wavelengths()
    seconds = np.atleast_1d(seconds)
    out = np.repeat(continuum(seconds)[:, None, :], N_WAVELENGTH, axis=1)
    for name, (centre, *_) in LINES.items():
        _add_line(out, w, line_nodes(centre, _BANDS[name]), line_brightness(name, seconds))
    for centre, brightness in _OTHER_LINES:
        _add_line(out, w, line_nodes(centre), np.full((seconds.size, N_SPATIAL), brightness))
    return out


def _stamp(t: np.datetime64, unit: str = "us") -> str:
    return np.datetime_as_string(t, unit=unit).replace("T", " ") + " UTC"


def _write_gzip(path: Path, content: bytes, mtime: int) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename=path.name[:-3], mode="wb", fileobj=buf, mtime=mtime) as gz:
        gz.write(content)
    with atomic_write(path) as fh:
        fh.write(buf.getvalue())


def _raw_file(
    path: Path, site: str, times: list[np.datetime64], frames: np.ndarray, dark: bool
) -> None:
    info = SITES[site]
    head = (
        f'#"Site unique ID" {site}\n#"Imager unique ID" {info["device"]}\n'
        f'#"Site name" {info["name"]}\n#"Geographic latitude" {info["lat"]:.4f}\n'
        f'#"Geographic longitude" {info["lon"]:.4f}\n#"Geographic altitude" {info["alt"]:.0f} m\n'
        '#"Project unique ID" trex\n'
    )
    parts = []
    for i, (t, frame) in enumerate(zip(times, frames, strict=True)):
        keys = (
            f'#"Mode UID" {"dark" if dark else "spectra"}\n'
            f'#"Shutter state" {"closed" if dark else "open"}\n'
            '#"CCD temperature" -40.00 C\n'
            f'#"Image request start" {_stamp(t)}\n'
            f'#"Exposure plus readout" {CADENCE_S * 1000 - 50:.4f} ms\n'
        )
        header = "P5\n" + (head if i == 0 else "") + keys + f"{N_SPATIAL} {N_WAVELENGTH}\n65535\n"
        parts.append(header.encode("ascii"))
        parts.append(frame.astype(">u2").tobytes())
    mtime = int((times[-1] - np.datetime64("1970-01-01", "us")) / np.timedelta64(1, "s"))
    _write_gzip(path, b"".join(parts), mtime)


def _l1_file(path: Path, site: str, times: list[np.datetime64], values: np.ndarray) -> None:
    import h5py

    info = SITES[site]
    with atomic_path(path) as tmp, h5py.File(tmp, "w", track_order=True) as f:
        data = f.create_group("data")
        # the file layout: [wavelength, spatial, time]
        data.create_dataset(
            "spectra",
            data=np.moveaxis(values.astype(np.float32), 0, -1),
            chunks=(N_WAVELENGTH, N_SPATIAL, 1),
            compression="gzip",
            compression_opts=4,
        )
        data.create_dataset(
            "timestamp",
            data=np.array([_stamp(t, "s").encode() for t in times]),
        )
        data.create_dataset("wavelength", data=wavelengths().astype(np.float32))
        meta = f.create_group("metadata/file")
        for key, value in {
            "site_unique_id": site,
            "device_unique_id": info["device"],
            "site_name": info["name"],
            "geographic_latitude": f"{info['lat']:.4f}",
            "geographic_longitude": f"{info['lon']:.4f}",
            "geographic_altitude": f"{info['alt']:.0f}",
            "data_level": "L1",
            "units": "R/nm",
            "comment": "geospacexr synthetic sample",
        }.items():
            meta.attrs[key] = value


def _skymap_file(folder: Path, site: str, valid_start: str) -> str:
    from ..geodesy import look_to_geographic
    from ..io.idlsav import IdlStruct, write_sav

    info = SITES[site]
    # bin edges from the northern to the southern horizon (5 degrees above each), along the
    # geographic meridian; the reader reverses them as pyucalgarysrs does
    zenith = np.linspace(-85.0, 85.0, N_SPATIAL + 1)
    az = np.where(zenith < 0, 0.0, 180.0)
    el_edge = 90.0 - np.abs(zenith)
    centre_za = 0.5 * (zenith[:-1] + zenith[1:])
    altitudes = np.array([90000.0, 110000.0, 150000.0], dtype=np.float32)
    lats, lons = [], []
    for alt in altitudes:
        la, lo = look_to_geographic(
            info["lat"], info["lon"], info["alt"] / 1000.0, az, el_edge, alt / 1000.0
        )
        lats.append(la)
        lons.append(lo % 360.0)
    generated = "Mon Feb 01 00:00:00 2021"
    generation = IdlStruct(
        {
            "DATE_GENERATED": generated,
            "AUTHOR": "geospacexr sample data (synthetic)",
            "VALID_INTERVAL_START": valid_start,
            "VALID_INTERVAL_STOP": "+",
            "DATE_TIME_USED": valid_start[:8] + "_UT06",
            "DATA_LOC": "synthetic",
            "CODE_USED": "geospacexr._synth.spectrograph",
            "OPTICAL_PROJECTION": np.zeros((2, 9)),
            "OPTICAL_ORIENTATION": np.zeros(3),
            "CCD_CENTER": np.array([(N_SPATIAL - 1) / 2, (N_WAVELENGTH - 1) / 2]),
            "IMG_FLIP": np.array([1, 0], dtype=np.uint8),
            "PIXEL_ASPECT_RATIO": np.float64(1.0),
        }
    )
    skymap = IdlStruct(
        {
            "GENERATION_INFO": generation,
            "SITE_UID": site,
            "IMAGER_UID": info["device"],
            "PROJECT_UID": "spect",
            "IMAGER_UNIX_TIME": np.int32(0),
            "SITE_MAP_LATITUDE": np.float32(info["lat"]),
            "SITE_MAP_LONGITUDE": np.float32(info["lon"] % 360.0),
            "SITE_MAP_ALTITUDE": np.float32(info["alt"]),
            "FULL_ELEVATION": (90.0 - np.abs(centre_za)).astype(np.float32),
            "FULL_MAP_ALTITUDE": altitudes,
            "FULL_MAP_LATITUDE": np.stack(lats).astype(np.float32),
            "FULL_MAP_LONGITUDE": np.stack(lons).astype(np.float32),
        }
    )
    name = f"spect_skymap_{site}_{valid_start[:8]}-+_v01.sav"
    write_sav(folder / name, {"skymap": skymap}, date=generated)
    return name


def spectrograph_generator(
    site: str, start: str, minutes: int, seed: int
) -> Callable[[Path], list[str]]:
    """A generator of a spectrograph sample: raw minute files, a dark file, L1 and the skymap.

    Args:
        site: A key of :data:`SITES`.
        start: First spectrum time (ISO, on a whole minute).
        minutes: Minutes of raw and L1 spectra (15 s cadence).
        seed: Seed of the raw frames' noise.

    Returns:
        ``generate(folder) -> [file names]``.
    """

    def generate(folder: Path) -> list[str]:
        rng = np.random.default_rng(seed)
        info = SITES[site]
        first = np.datetime64(start, "m").astype("datetime64[us]")
        per_minute = 60 // CADENCE_S
        n = minutes * per_minute
        times = [first + np.timedelta64(k * CADENCE_S, "s") for k in range(n)]
        seconds = np.arange(n, dtype=np.float64) * CADENCE_S
        values = spectra(seconds)
        names = []
        for m in range(minutes):
            sl = slice(m * per_minute, (m + 1) * per_minute)
            light = values[sl] * _RAW_GAIN + _RAW_OFFSET
            counts = np.clip(rng.poisson(light) + rng.normal(0, 3, light.shape), 0, 65535)
            stamp = np.datetime_as_string(first + np.timedelta64(m, "m"), unit="m")
            base = stamp.replace("-", "").replace(":", "").replace("T", "_")
            name = f"{base}_{site}_{info['device']}_spectra.pgm.gz"
            _raw_file(folder / name, site, times[sl], counts.astype(np.uint16), dark=False)
            names.append(name)
        # one minute of dark frames after the data (shutter closed: bias and dark current)
        dark_first = first + np.timedelta64(minutes, "m")
        dark_times = [dark_first + np.timedelta64(k * CADENCE_S, "s") for k in range(per_minute)]
        dark = np.clip(
            rng.normal(_RAW_OFFSET, 3, (per_minute, N_WAVELENGTH, N_SPATIAL)), 0, 65535
        ).astype(np.uint16)
        stamp = np.datetime_as_string(dark_first, unit="m")
        base = stamp.replace("-", "").replace(":", "").replace("T", "_")
        name = f"{base}_{site}_{info['device']}_spectra_dark.pgm.gz"
        _raw_file(folder / name, site, dark_times, dark, dark=True)
        names.append(name)
        hour = np.datetime_as_string(first, unit="h").replace("-", "").replace("T", "_")
        name = f"{hour}_{site}_{info['device']}_spectra_cal_v01.h5"
        _l1_file(folder / name, site, times, values)
        names.append(name)
        names.append(_skymap_file(folder, site, hour[:8] + "00"))
        return names

    return generate
