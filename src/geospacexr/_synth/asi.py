"""Synthetic all-sky imager files in the instruments' real formats (used by geospacexr.datasets)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..io.atomic import atomic_write

#: Real site parameters (from the files' own headers).
#: Site positions: GILL from its own files' headers; RANK, SNKQ and TPAS from the THEMIS GBO
#: station list (thm_asi_stations.pro, H. Frey, 2008). Imager ids of GILL, RANK and TPAS are the
#: real ones (from the files and the 2023 grid file's site lists); SNKQ's is illustrative.
THEMIS_SITES: dict[str, dict[str, Any]] = {
    "gill": {"name": "Gillam", "lat": 56.3539, "lon": -94.6557, "alt": 0.0, "imager": "themis19"},
    "rank": {
        "name": "Rankin Inlet",
        "lat": 62.828,
        "lon": -92.113,
        "alt": 0.0,
        "imager": "themis31",
    },
    "snkq": {"name": "Sanikiluaq", "lat": 56.536, "lon": -79.231, "alt": 0.0, "imager": "themis32"},
    "tpas": {"name": "The Pas", "lat": 53.994, "lon": -100.941, "alt": 0.0, "imager": "themis05"},
}

#: SMILE all-sky imager sites. ATHA's position is the one in the real SMILE ATHA skymap
#: (``SITE_MAP_LATITUDE/LONGITUDE`` 54.602631, 246.355728, as pyaurorax's
#: ``create_mosaic_smile_asi`` notebook prints it), identical to the real THEMIS ATHA skymap in
#: the shared test data; ``smile-31`` is the imager of the real ATHA files pyucalgarysrs's test
#: suite downloads. The altitude is the skymaps' 0.0.
SMILE_SITES: dict[str, dict[str, Any]] = {
    "atha": {
        "name": "Athabasca",
        "lat": 54.602631,
        "lon": -113.644272,
        "alt": 0.0,
        "imager": "smile-31",
    },
}

_THEMIS_FILE_KEYS = (
    ("Revised", "2006-05-22"),
    ("Project unique ID", "themis-gbo"),
    ("Site unique ID", "{site}"),
    ("Imager unique ID", "{imager}"),
    ("Imager model", "starlight Xpress MX716 with THEMIS all-sky optics"),
    ("Imager comment", "geospacexr sample data (synthetic)"),
    ("Ccd type", "Sony ICX249AL"),
    ("Ccd xsize", "752 pixels"),
    ("Ccd ysize", "290 pixels"),
    ("Ccd background", "3300"),
    ("Pixel depth", "16 bits"),
    ("Pixel aspect ratio", "0.5181"),
    ("Optical type", "THEMIS all-sky"),
    ("Optical projection", "a1=1.5,a3=0.0,b2=0.0,b4=0.0"),
    ("Optical center", "x0=382,y0=150"),
    ("Computer name", "{site} i686"),
    ("Operating system", "Linux 2.4.37.11"),
    ("Project unique ID", "THEMIS"),
    ("Site unique ID", "{site}"),
    ("Site name", "{name}"),
    ("Geodetic latitude", "{lat:.4f}"),
    ("Geodetic Longitude", "{lon:.4f}"),
    ("Geodetic altitude", "{alt:.1f}"),
)


def _themis_frames(minutes: int, seed: int, size: int = 256, per_minute: int = 20) -> np.ndarray:
    """Synthesise ``minutes * per_minute`` raw THEMIS frames (rows as stored in the file).

    The sky: an east-west auroral arc at 110 km drifting equatorward at about 0.8 km/s (Gaussian
    north-south profile, 20 km wide, brightness modulated along the arc), van Rhijn brightening
    towards the horizon, airglow background, fixed stars, CCD bias near 3300 counts, shot and
    read noise. The lens is an equidistant fisheye (zenith angle proportional to radius, 90
    degrees at the field-of-view edge); north is towards row 0 and east towards column 0, as
    in the raw THEMIS files.
    """
    rng = np.random.default_rng(seed)
    centre = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    radius = size * 0.46
    r = np.hypot(yy - centre, xx - centre)
    inside = r <= radius
    zenith = np.deg2rad(90.0 * np.clip(r / radius, 0, 1))
    azimuth = np.arctan2(centre - xx, centre - yy)  # 0 = north (row 0), 90 deg = east (col 0)
    altitude = 110.0
    ground = altitude * np.tan(np.minimum(zenith, np.deg2rad(84)))
    north_km = ground * np.cos(azimuth)
    east_km = ground * np.sin(azimuth)
    van_rhijn = 1.0 / np.sqrt(1 - (6371.0 / (6371.0 + altitude)) ** 2 * np.sin(zenith) ** 2)
    vignette = np.cos(zenith) ** 0.5
    stars = np.zeros((size, size))
    for _ in range(40):
        sy, sx = rng.uniform(0.1, 0.9, 2) * size
        stars += rng.uniform(300, 2500) * np.exp(-((yy - sy) ** 2 + (xx - sx) ** 2) / 1.2)
    n = minutes * per_minute
    frames = np.empty((n, size, size), dtype=np.uint16)
    for k in range(n):
        t = k * 60.0 / per_minute
        arc_north = 220.0 - 0.8 * t
        along = 1.0 + 0.35 * np.sin(2 * np.pi * (east_km / 300.0 + t / 90.0))
        arc = 6000.0 * along * np.exp(-0.5 * ((north_km - arc_north) / 20.0) ** 2)
        sky = (900.0 + arc) * van_rhijn * vignette + stars
        signal = np.where(inside, sky, 0.0)
        counts = 3300.0 + signal + rng.normal(0.0, 1.0, signal.shape) * np.sqrt(25.0**2 + signal)
        frames[k] = np.clip(np.rint(counts), 0, 65535).astype(np.uint16)
    return frames


def _write_themis_minute(
    path: Path,
    frames: np.ndarray,
    start: np.datetime64,
    site: str,
    seq0: int,
    imager: str | None = None,
    exposure_line: str = '#"Exposure plus initial readout"    985.07 ms\n',
) -> None:
    info = THEMIS_SITES[site]
    fields = {"site": site, **info, **({"imager": imager} if imager else {})}
    head = "".join(f'#"{k}" {v.format(**fields)}\n' for k, v in _THEMIS_FILE_KEYS)
    if imager and not imager.startswith("themis"):
        head = head.replace('#"Project unique ID" THEMIS', '#"Project unique ID" REGO')
    parts = []
    for i, frame in enumerate(frames):
        t_req = start + np.timedelta64(63119 + 3_000_000 * i, "us")
        t_read = t_req + np.timedelta64(985_070, "us")
        stamp = lambda t: np.datetime_as_string(t, unit="us").replace("T", " ") + " UTC"  # noqa: E731
        keys = (
            f'#"Mode unique ID" full\n#"Mode sequence number" {seq0 + i}\n#"CCD device" /dev/ccdA\n'
            '#"Exposure options" WIDTH=512 HEIGHT=256 XBIN=2 YBIN=1 XOFFSET=126 YOFFSET=22 '
            "MSEC=999\n"
            f'#"Image request start" {stamp(t_req)}\n#"Image readout start" {stamp(t_read)}\n'
            + exposure_line
        )
        header = (
            "P5\n" + (head if i == 0 else "") + keys + f"{frame.shape[1]} {frame.shape[0]}\n65535\n"
        )
        parts.append(header.encode("latin-1"))
        parts.append(frame.astype(">u2").tobytes())
    mtime = int((start - np.datetime64("1970-01-01T00:00:00", "s")) / np.timedelta64(1, "s"))
    with (
        atomic_write(path) as fh,
        gzip.GzipFile(
            filename=path.name.removesuffix(".gz"),
            mode="wb",
            fileobj=fh,
            mtime=mtime,
            compresslevel=6,
        ) as gz,
    ):
        gz.write(b"".join(parts))


def _geo_frames(
    site: str, minutes: int, seed: int, size: int = 256, per_minute: int = 20
) -> np.ndarray:
    """Frames of one site seeing one geographic auroral arc (the same arc for every site).

    The arc at 110 km runs east-west at latitude 58.6 degrees, drifting equatorward at about
    0.8 km/s, with brightness waves moving along it; each pixel's position at 110 km comes from
    the site's lens geometry (:func:`_fisheye`) and :func:`geospacexr.geodesy.look_to_geographic`,
    so the sites of a mosaic see a continuous arc.
    """
    from ..geodesy import look_to_geographic

    info = THEMIS_SITES[site]
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    az, el = _fisheye(size, rows, cols)
    inside = np.isfinite(el)
    lat, lon = look_to_geographic(
        info["lat"], info["lon"], 0.0, np.nan_to_num(az), np.where(inside, el, 45.0), 110.0
    )
    zenith = np.deg2rad(90.0 - np.where(inside, el, 0.0))
    van_rhijn = 1.0 / np.sqrt(1 - (6371.0 / 6481.0) ** 2 * np.sin(zenith) ** 2)
    vignette = np.cos(zenith) ** 0.5
    stars = np.zeros((size, size))
    for _ in range(40):
        sy, sx = rng.uniform(0.1, 0.9, 2) * size
        stars += rng.uniform(300, 2500) * np.exp(-((rows - sy) ** 2 + (cols - sx) ** 2) / 1.2)
    frames = np.empty((minutes * per_minute, size, size), dtype=np.uint16)
    for k in range(frames.shape[0]):
        t = k * 60.0 / per_minute
        arc_lat = 58.6 - 0.0072 * t + 0.15 * np.sin(np.deg2rad(4.0 * (lon + 95.0)))
        along = 1.0 + 0.35 * np.sin(2 * np.pi * ((lon + 95.0) / 6.0 + t / 90.0))
        arc = 6000.0 * along * np.exp(-0.5 * ((lat - arc_lat) / 0.18) ** 2)
        sky = np.where(inside, (900.0 + arc) * van_rhijn * vignette + stars, 0.0)
        counts = 3300.0 + sky + rng.normal(0.0, 1.0, sky.shape) * np.sqrt(25.0**2 + sky)
        frames[k] = np.clip(np.rint(counts), 0, 65535).astype(np.uint16)
    return frames


def themis_generator(site: str, day: str, minutes: int, seed: int) -> Callable[[Path], list[str]]:
    def generate(folder: Path) -> list[str]:
        info = THEMIS_SITES[site]
        frames = _geo_frames(site, minutes, seed)
        names = []
        for m in range(minutes):
            start = np.datetime64(day, "m") + np.timedelta64(m, "m")
            stamp = str(start).replace("-", "").replace(":", "").replace("T", "_")
            name = f"{stamp}_{site}_{info['imager']}_full.pgm.gz"
            _write_themis_minute(
                folder / name, frames[m * 20 : (m + 1) * 20], start, site, 2027380 + 20 * m
            )
            names.append(name)
        return names

    return generate


def rego_generator(site: str, day: str, minutes: int, seed: int) -> Callable[[Path], list[str]]:
    """REGO (630.0 nm) minute files: 512x512 frames every 3 s, 2 s exposures."""

    def generate(folder: Path) -> list[str]:
        frames = _themis_frames(minutes, seed, size=512)
        # the red line is dimmer than the green: scale the sky above the bias
        frames = (3300 + (frames.astype(np.float64) - 3300) * 0.25).clip(0, 65535).astype(np.uint16)
        names = []
        for m in range(minutes):
            start = np.datetime64(day, "m") + np.timedelta64(m, "m")
            stamp = str(start).replace("-", "").replace(":", "").replace("T", "_")
            name = f"{stamp}_{site}_rego-652_6300.pgm.gz"
            _write_themis_minute(
                folder / name, frames[m * 20 : (m + 1) * 20], start, site, 5310000 + 20 * m,
                imager="rego-652", exposure_line='#"Exposure plus readout"    2000.00 ms\n',
            )  # fmt: skip
            names.append(name)
        return names

    return generate


def rego_calibration_generator(
    detector: str, valid_start: str, rayleighs: float
) -> Callable[[Path], list[str]]:
    """A REGO Rayleighs file and a flat-field file (512x512 multiplier) in the real layout."""

    def generate(folder: Path) -> list[str]:
        from ..io.idlsav import write_sav

        size = 512
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
        r = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2) / (0.46 * size)
        flat = (1.0 / np.sqrt(np.cos(np.deg2rad(90.0 * np.clip(r, 0, 0.98))))).astype(np.float32)
        ray = f"REGO_Rayleighs_{detector}_{valid_start}-+_v02.sav"
        flt = f"REGO_flatfield_{detector}_{valid_start}-+_v02.sav"
        write_sav(
            folder / ray,
            {
                "author": "geospacexr sample data (synthetic)",
                f"rper_dnpersecond_{detector}": np.float64(rayleighs),
                f"rper_dnpersecond_{detector}_mean_value": np.float32(rayleighs),
                "input_data_dir": "synthetic",
            },
        )
        write_sav(
            folder / flt,
            {
                "author": "geospacexr sample data (synthetic)",
                f"flat_field_multiplier_{detector}": flat,
            },
        )
        return [ray, flt]

    return generate


# ---------------------------------------------------------------------------------------------
# Skymaps (IDL .sav) matching the synthetic images' lens
# ---------------------------------------------------------------------------------------------


def _fisheye(
    size: int,
    rows: np.ndarray,
    cols: np.ndarray,
    width: int | None = None,
    radius: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth/elevation (deg) of raw-image positions for the synthetic lens of _themis_frames.

    An equidistant fisheye centred on the image: zenith angle proportional to the distance from
    the centre, 90 degrees at ``radius`` pixels (``0.46 * size`` by default); north towards
    row 0, east towards column 0. ``size`` is the image height, ``width`` (default ``size``) its
    width.
    """
    centre = (size - 1) / 2
    centre_col = centre if width is None else (width - 1) / 2
    radius = size * 0.46 if radius is None else radius
    r = np.hypot(rows - centre, cols - centre_col)
    zenith = 90.0 * r / radius
    azimuth = np.rad2deg(np.arctan2(centre_col - cols, centre - rows)) % 360.0
    elevation = 90.0 - zenith
    outside = r > radius
    return np.where(outside, np.nan, azimuth), np.where(outside, np.nan, elevation)


def skymap_generator(
    site: str,
    valid_start: str,
    *,
    project: str = "themis",
    sites: dict[str, dict[str, Any]] | None = None,
    size: int = 256,
    version: str = "v02",
    generated: str = "Mon Jan 06 00:00:00 2014",
    width: int | None = None,
    radius: float | None = None,
) -> Callable[[Path], list[str]]:
    """A generator of a skymap ``.sav`` in the real structure layout, for the synthetic lens.

    Args:
        site: Site code, a key of ``sites``.
        valid_start: Start of validity, ``YYYYMMDDHH``.
        project: ``PROJECT_UID`` and file-name prefix (``themis``, ``smile``...).
        sites: Site table (``lat``, ``lon``, ``alt``, ``imager``); THEMIS_SITES by default.
        size: Image height (and width, unless ``width`` is given) in pixels.
        version: File version in the name (``v01``, ``v02``).
        generated: ``DATE_GENERATED`` (``%a %b %d %H:%M:%S %Y``), also the file's save date.
        width: Image width in pixels, when it differs from the height.
        radius: Fisheye radius in pixels (90 degrees zenith angle); ``0.46 * size`` by default.

    Returns:
        ``generate(folder) -> [file name]``.
    """

    def generate(folder: Path) -> list[str]:
        from ..geodesy import look_to_geographic
        from ..io.idlsav import IdlStruct, write_sav

        info = (THEMIS_SITES if sites is None else sites)[site]
        ncols = size if width is None else width
        lens = {"width": width, "radius": radius}
        # 32 x 32 bins of row_step x col_step pixels
        row_step, col_step = -(-size // 32), -(-ncols // 32)
        rows, cols = np.mgrid[0:size, 0:ncols].astype(np.float64)
        az, el = _fisheye(size, rows, cols, **lens)
        crow, ccol = np.mgrid[0 : size + 1, 0 : ncols + 1].astype(np.float64) - 0.5
        caz, cel = _fisheye(size, crow, ccol, **lens)
        altitudes = np.array([90000.0, 110000.0, 150000.0], dtype=np.float32)
        lon360 = info["lon"] % 360.0
        lats, lons = [], []
        for alt in altitudes:
            la, lo = look_to_geographic(
                info["lat"], info["lon"], info["alt"] / 1000.0, caz, cel, alt / 1000.0
            )
            lats.append(la)
            lons.append(np.where(np.isnan(lo), np.nan, lo % 360.0))
        bins = np.arange(1024)
        bin_rows = (bins // 32) * row_step + row_step // 2
        bin_cols = (bins % 32) * col_step + col_step // 2
        bin_az, bin_el = _fisheye(size, bin_rows.astype(float), bin_cols.astype(float), **lens)
        bin_lat, bin_lon = look_to_geographic(info["lat"], info["lon"], 0.0, bin_az, bin_el, 110.0)
        generation = IdlStruct(
            {
                "DATE_GENERATED": generated,
                "AUTHOR": "geospacexr sample data (synthetic)",
                "VALID_INTERVAL_START": valid_start,
                "VALID_INTERVAL_STOP": "+",
                "DATE_TIME_USED": valid_start[:8] + "_UT06",
                "DATA_LOC": "synthetic",
                "CODE_USED": "geospacexr._synth.asi",
                "OPTICAL_PROJECTION": np.zeros((2, 9)),
                "OPTICAL_ORIENTATION": np.zeros(3),
                "CCD_CENTER": np.array([(ncols - 1) / 2, (size - 1) / 2]),
                "IMG_FLIP": np.array([1, 0], dtype=np.uint8),
                "PIXEL_ASPECT_RATIO": np.float64(1.0),
                "BYTSCL_VALUES": np.array([-1, -1], dtype=np.int16),
            }
        )
        skymap = IdlStruct(
            {
                "GENERATION_INFO": generation,
                "SITE_UID": site,
                "IMAGER_UID": info["imager"],
                "PROJECT_UID": project,
                "IMAGER_UNIX_TIME": np.int32(0),
                "SITE_MAP_LATITUDE": np.float32(info["lat"]),
                "SITE_MAP_LONGITUDE": np.float32(lon360),
                "SITE_MAP_ALTITUDE": np.float32(info["alt"]),
                "FULL_ROW": rows.astype(np.uint16),
                "FULL_COLUMN": cols.astype(np.uint16),
                "FULL_IGNORE": np.isnan(el).astype(np.uint8),
                "FULL_SUBTRACT": np.zeros((size, ncols), dtype=np.uint16),
                "FULL_MULTIPLY": np.ones((size, ncols), dtype=np.float32),
                "FULL_ELEVATION": el.astype(np.float32),
                "FULL_AZIMUTH": az.astype(np.float32),
                "FULL_MAP_ALTITUDE": altitudes,
                "FULL_MAP_LATITUDE": np.stack(lats).astype(np.float32),
                "FULL_MAP_LONGITUDE": np.stack(lons).astype(np.float32),
                "FULL_BIN": ((rows // row_step) * 32 + cols // col_step).astype(np.uint16),
                "BIN_ROW": bin_rows.astype(np.uint16),
                "BIN_COLUMN": bin_cols.astype(np.uint16),
                "BIN_ELEVATION": bin_el.astype(np.float32),
                "BIN_AZIMUTH": bin_az.astype(np.float32),
                "BIN_MAP_ALTITUDE": np.float32(110000.0),
                "BIN_MAP_LATITUDE": np.repeat(bin_lat[None], 4, axis=0).astype(np.float32),
                "BIN_MAP_LONGITUDE": np.repeat(bin_lon[None], 4, axis=0).astype(np.float32),
            }
        )
        name = f"{project}_skymap_{site}_{valid_start[:8]}-+_{version}.sav"
        write_sav(folder / name, {"skymap": skymap}, date=generated)
        return [name]

    return generate


def themis_skymap_generator(site: str, valid_start: str) -> Callable[[Path], list[str]]:
    """A generator of a THEMIS skymap ``.sav`` (256x256) in the real structure layout."""
    return skymap_generator(site, valid_start)


# ---------------------------------------------------------------------------------------------
# TREx NIR and Blueline (multi-frame 16-bit PGM, gzipped)
# ---------------------------------------------------------------------------------------------

#: TREx sites. GILL's position is the one the real NIR and Blueline GILL files carry
#: (``Geographic latitude/longitude`` 56.376723, -94.643664, in
#: ``20220307_0600_gill_nir-216_8446.pgm.gz`` and ``20220308_0600_gill_blue-814_full.pgm.gz``),
#: and so are the imager ids ``nir-216`` and ``blue-814``. The files give no altitude; the
#: skymaps get 0.0 as THEMIS skymaps have.
TREX_NIR_SITES: dict[str, dict[str, Any]] = {
    "gill": {
        "name": "Gillam",
        "lat": 56.376723,
        "lon": -94.643664,
        "alt": 0.0,
        "imager": "nir-216",
    },
}
TREX_BLUE_SITES: dict[str, dict[str, Any]] = {
    "gill": {
        "name": "Gillam",
        "lat": 56.376723,
        "lon": -94.643664,
        "alt": 0.0,
        "imager": "blue-814",
    },
}

#: NIR file-level header (the first frame's first 30 keys, in the real order and spelling;
#: values without trailing spaces; ``Filter Serial Number`` is empty in the real files).
_NIR_FILE_KEYS = (
    ("Project unique ID", "trex"),
    ("Site unique ID", "{site}"),
    ("Imager unique ID", "{imager}"),
    ("Mode unique ID", "8446"),
    ("Geographic latitude", "{lat:.6f}"),
    ("Geographic longitude", "{lon:.6f}"),
    ("Camera Model", "Andor DZ936N-#FI-9972"),
    ("Camera Serial Number", "23216"),
    ("Lens Serial Number", "5180000594"),
    ("Filter Serial Number", ""),
    ("CCD type", "Andor E2V CCD42-40"),
    ("CCD xsize", "2048 pixels"),
    ("CCD ysize", "2048 pixels"),
    ("Pixel depth", "16 bits"),
    ("CCD xbinned", "8"),
    ("CCD ybinned", "8"),
    ("VSSpeed index", "0"),
    ("VS Amplitude index", "0"),
    ("VS Amplitude", "0"),
    ("High Capacity Toggle", "0"),
    ("Requested Pre Amp gain", "4.0"),
    ("Current HS Speed", "3.0 MHz"),
    ("Requested Exposure", "5"),
    ("Conf file set CCD temperature", "-65 (+- 5C)"),
    ("Computer name", "{site}-nir"),
    ("Operating System", "Linux 3.10.0-957.21.3.el7.x86_64 #1 SMP Tue Jun 18 16:35:19 UTC 2019"),
    ("NTP target", "127.127.20.0"),
    ("NTP delay", "0.000"),
    ("NTP offset", "{ntp_offset:.3f}"),
    ("NTP jitter", "{ntp_jitter:.3f}"),
)

#: Blueline file-level header (the first frame's first 25 keys; ``Camera serial sumber`` is the
#: real files' spelling).
_BLUE_FILE_KEYS = (
    ("Project unique ID", "trex"),
    ("Site unique ID", "{site}"),
    ("Imager unique ID", "{imager}"),
    ("Mode unique ID", "full"),
    ("Geographic latitude", "{lat:.6f}"),
    ("Geographic longitude", "{lon:.6f}"),
    ("Camera model", "Andor Zyla 5.5"),
    ("Camera serial sumber", "VSC-09814"),
    ("Optics serial number", "prototype"),
    ("CCD type", "CMOS"),
    ("CCD xsize", "2560 pixels"),
    ("CCD ysize", "2160 pixels"),
    ("Pixel depth", "16 bits"),
    ("CCD xbinned", "8"),
    ("CCD ybinned", "8"),
    ("Readout rate", "280 MHz"),
    ("Pre-amp gain", "16-bit (low noise & high well capacity)"),
    ("Spurious noise filter", "True"),
    ("Static blemish correction", "True"),
    ("Computer name", "{site}-blue"),
    ("Operating System", "Linux 3.10.0-1160.49.1.el7.x86_64 #1 SMP Tue Nov 30 15:51:32 UTC 2021"),
    ("NTP target", "127.127.20.0"),
    ("NTP delay", "0.000"),
    ("NTP offset", "{ntp_offset:.3f}"),
    ("NTP jitter", "{ntp_jitter:.3f}"),
)


@dataclass(frozen=True)
class _TrexLayout:
    """What differs between the TREx NIR and Blueline imagers and their files.

    Image sizes, cadences, header layouts and the levels (dark level, read noise, sky) follow the
    real GILL files of the shared test data (see :func:`trex_nir_generator`).
    """

    height: int
    width: int
    cadence_s: int
    radius: float  # fisheye radius (90 degrees zenith angle), pixels
    dark: float  # counts with no light
    read_noise: float  # counts
    gain: float  # counts per photo-electron (shot noise variance = gain * signal)
    airglow: float  # sky above the dark level at the zenith, counts
    aurora: float  # arc peak above the sky at the zenith, counts
    stars: tuple[float, float, int]  # peak counts range and number of stars
    vignetting: float  # exponent of cos(zenith angle)
    file_keys: tuple[tuple[str, str], ...]
    frame_end: str  # what follows the frame keys before the size line


_NIR = _TrexLayout(
    height=256,
    width=256,
    cadence_s=6,
    radius=256 * 0.46,
    dark=316.0,
    read_noise=12.0,
    gain=4.0,
    airglow=110.0,
    aurora=400.0,
    stars=(80.0, 900.0, 30),
    vignetting=0.5,
    file_keys=_NIR_FILE_KEYS,
    frame_end="#\n#\n",
)
_BLUE = _TrexLayout(
    height=270,
    width=320,
    cadence_s=3,
    radius=270 * 0.6,
    dark=450.0,
    read_noise=65.0,
    gain=0.5,
    airglow=1350.0,
    aurora=1200.0,
    stars=(150.0, 1200.0, 40),
    vignetting=0.8,
    file_keys=_BLUE_FILE_KEYS,
    frame_end="",
)


def _trex_frames(
    layout: _TrexLayout, info: dict[str, Any], seconds: np.ndarray, seed: int
) -> np.ndarray:
    """Frames ``(n, height, width)`` uint16 of one TREx imager, rows as stored in the file.

    An east-west auroral arc at 110 km, starting 1.3 degrees poleward of the site and drifting
    equatorward at about 0.8 km/s (0.0072 degree/s), with brightness waves along it, seen through
    the synthetic lens of the matching skymap (:func:`_fisheye`, north towards row 0 and east
    towards column 0 of the raw frame); each pixel's position at 110 km comes from
    :func:`geospacexr.geodesy.look_to_geographic`. On top: airglow brightening towards the horizon
    (van Rhijn), lens vignetting, fixed stars, the dark level with read noise and shot noise.
    Pixels outside the field of view hold the dark level and read noise only.

    Args:
        layout: The imager (:data:`_NIR` or :data:`_BLUE`).
        info: Site entry (``lat``, ``lon``).
        seconds: Frame times in seconds from the first frame.
        seed: Random seed (stars and noise).
    """
    from ..geodesy import look_to_geographic

    height, width = layout.height, layout.width
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    az, el = _fisheye(height, rows, cols, width=width, radius=layout.radius)
    inside = np.isfinite(el)
    lat, lon = look_to_geographic(
        info["lat"], info["lon"], 0.0, np.nan_to_num(az), np.where(inside, el, 45.0), 110.0
    )
    zenith = np.deg2rad(90.0 - np.where(inside, el, 0.0))
    van_rhijn = 1.0 / np.sqrt(1 - (6371.0 / 6481.0) ** 2 * np.sin(zenith) ** 2)
    vignette = np.clip(np.cos(zenith), 0.0, 1.0) ** layout.vignetting
    sky_gain = np.where(inside, van_rhijn * vignette, 0.0)
    low, high, count = layout.stars
    stars = np.zeros((height, width))
    for _ in range(count):
        sy, sx = rng.uniform(0.15, 0.85, 2) * (height, width)
        stars += rng.uniform(low, high) * np.exp(-((rows - sy) ** 2 + (cols - sx) ** 2) / 1.2)
    stars *= inside * vignette
    dlon = lon - info["lon"]
    frames = np.empty((len(seconds), height, width), dtype=np.uint16)
    for k, t in enumerate(np.asarray(seconds, dtype=np.float64)):
        arc_lat = info["lat"] + 1.3 - 0.0072 * t + 0.12 * np.sin(np.deg2rad(4.0 * dlon))
        along = 1.0 + 0.35 * np.sin(2 * np.pi * (dlon / 6.0 + t / 90.0))
        arc = layout.aurora * along * np.exp(-0.5 * ((lat - arc_lat) / 0.18) ** 2)
        light = (layout.airglow + arc) * sky_gain + stars  # counts above the dark level
        noise = rng.normal(0.0, 1.0, light.shape) * np.sqrt(
            layout.read_noise**2 + layout.gain * light
        )
        frames[k] = np.clip(np.rint(layout.dark + light + noise), 0, 65535).astype(np.uint16)
    return frames


def _write_gzip_pgm(path: Path, content: bytes, mtime: int) -> None:
    """Gzip ``content`` as the UCalgary files are: one member, FNAME the inner name, OS=3 (Unix)."""
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(
        filename=path.name.removesuffix(".gz"), mode="wb", fileobj=buf, mtime=mtime
    ) as gz:
        gz.write(content)
    data = bytearray(buf.getvalue())
    data[9] = 3  # OS field: Python writes 255 (unknown), the real files say Unix
    with atomic_write(path) as fh:
        fh.write(bytes(data))


def _stamp(t: np.datetime64) -> str:
    return np.datetime_as_string(t, unit="us").replace("T", " ") + " UTC"


def _nir_frame_keys(
    seq: int, t_req: np.datetime64, rng: np.random.Generator
) -> list[tuple[str, str]]:
    """The ten keys of every NIR frame, in the real order (values as the real files format them)."""
    readout = t_req + np.timedelta64(5_000_464 + int(rng.integers(0, 2)), "us")
    return [
        ("Mode sequence number", str(seq)),
        ("VSSpeed", "38.549999"),
        ("Current CCD temperature", f"{-64 - int(rng.random() < 0.2)}C"),
        ("Last Known Shutter State", "AUTO"),
        ("Digitemp Camera", f"{20.50 + 0.06 * (rng.random() < 0.3):.2f} C"),
        ("Bright Light Status", "DARK (550)"),
        ("Exposure Options", "WIDTH=256 HEIGHT=256 XBIN=8 YBIN=8 MSEC=5000.00"),
        ("Image request start", _stamp(t_req)),
        ("Image readout start", _stamp(readout)),
        ("Exposure plus readout", f"{5001.0 + int(rng.random() < 0.4):.4f} ms"),
    ]


def _blue_frame_keys(
    seq: int, t_req: np.datetime64, rng: np.random.Generator
) -> list[tuple[str, str]]:
    """The ten keys of every Blueline frame, in the real order."""
    return [
        ("Mode sequence number", str(seq)),
        ("Current CCD temperature", "-0.4400 C"),
        ("Digitemp camera", f"{(23.12, 22.75)[int(rng.random() < 0.4)]:.2f} C"),
        ("Bright light status", "DARK (550)"),
        ("Mode UID", "full"),
        ("Shutter state", "no shutter installed"),
        ("Exposure options", "WIDTH=2560 HEIGHT=2160 XBIN=8 YBIN=8 MSEC=2989.52"),
        ("Image request start", _stamp(t_req)),
        ("Image readout start", _stamp(t_req + np.timedelta64(2_989_521, "us"))),
        ("Exposure plus readout", "2999.5000 ms"),
    ]


def _trex_generator(
    layout: _TrexLayout,
    sites: dict[str, dict[str, Any]],
    site: str,
    day: str,
    minutes: int,
    seed: int,
    name_tail: str,
    seq0: int,
) -> Callable[[Path], list[str]]:
    nir = layout is _NIR
    per_minute = 60 // layout.cadence_s

    def generate(folder: Path) -> list[str]:
        info = sites[site]
        rng = np.random.default_rng(seed + 1)  # header values; the pixels use ``seed``
        first = np.datetime64(day, "m").astype("datetime64[us]")
        step = np.timedelta64(layout.cadence_s, "s")
        if nir:  # NIR requests start on the whole 6 s
            offsets = np.zeros(minutes * per_minute, dtype=np.int64)
        else:  # Blueline requests start ~0.23 s after the 3 s step, wandering by a few ms
            wander = np.cumsum(rng.integers(-1300, 1300, minutes * per_minute))
            offsets = 233_598 + np.clip(wander, -7000, 2000)
        times = [
            first + k * step + np.timedelta64(int(offsets[k]), "us")
            for k in range(minutes * per_minute)
        ]
        seconds = (np.array(times) - times[0]) / np.timedelta64(1, "s")
        frames = _trex_frames(layout, info, seconds, seed)
        fields = {
            "site": site,
            **info,
            "ntp_offset": float(rng.uniform(-25.0, 25.0)),
            "ntp_jitter": float(rng.uniform(2.0, 25.0)),
        }
        file_head = "".join(f'#"{k}" {v.format(**fields)}\n' for k, v in layout.file_keys)
        frame_keys = _nir_frame_keys if nir else _blue_frame_keys
        tail = " " if nir else ""  # NIR frame values end with a space
        names = []
        for m in range(minutes):
            start = first + np.timedelta64(m, "m")
            parts = []
            for i in range(per_minute):
                k = m * per_minute + i
                keys = frame_keys(seq0 + k, times[k], rng)
                header = (
                    "P5\n"
                    + (file_head if i == 0 else "")
                    + "".join(f'#"{key}" {value}{tail}\n' for key, value in keys)
                    + layout.frame_end
                    + f"{layout.width} {layout.height}\n65535\n"
                )
                parts.append(header.encode("ascii"))
                parts.append(frames[k].astype(">u2").tobytes())
            stamp = np.datetime_as_string(start, unit="m").replace("-", "").replace(":", "")
            name = f"{stamp.replace('T', '_')}_{site}_{info['imager']}_{name_tail}.pgm.gz"
            # the real files' gzip time is the end of their minute
            mtime = int((start - np.datetime64("1970-01-01", "us")) / np.timedelta64(1, "s")) + 61
            _write_gzip_pgm(folder / name, b"".join(parts), mtime)
            names.append(name)
        return names

    return generate


def trex_nir_generator(site: str, day: str, minutes: int, seed: int) -> Callable[[Path], list[str]]:
    """A generator of TREx NIR (844.6 nm) minute files, ``..._<site>_nir-NNN_8446.pgm.gz``.

    What a real NIR file looks like (checked on ``20220307_0600_gill_nir-216_8446.pgm.gz``):
    ten 256x256 16-bit big-endian frames a minute, requested on the whole 6 s; the first frame's
    header has 40 ``#"key" value`` lines (30 file-level keys, then the 10 keys every frame
    repeats) and every frame's header ends with two bare ``#`` lines after
    ``Exposure plus readout`` (5001.0000 or 5002.0000 ms); frame values carry a trailing space;
    the site position is given as ``Geographic latitude/longitude``. The sample copies that
    layout (key names, order and spelling, value formats) with its own times, sequence numbers
    and counts. Counts sit on the real files' dark level (about 316, read noise about 12); the
    airglow adds about 110 counts at the zenith (the real files' field of view reads 410-500)
    and the arc about 400 more at its brightest (see :func:`_trex_frames`).

    Args:
        site: Key of :data:`TREX_NIR_SITES`.
        day: First minute, ISO (``2022-03-07T06:00``).
        minutes: Number of minute files.
        seed: Random seed.

    Returns:
        ``generate(folder) -> [file names]``.
    """
    return _trex_generator(_NIR, TREX_NIR_SITES, site, day, minutes, seed, "8446", 1460)


def trex_blue_generator(
    site: str, day: str, minutes: int, seed: int
) -> Callable[[Path], list[str]]:
    """A generator of TREx Blueline (427.8 nm) minute files, ``..._blue-NNN_full.pgm.gz``.

    What a real Blueline file looks like (checked on ``20220308_0600_gill_blue-814_full.pgm.gz``):
    twenty frames a minute, 320 wide and 270 high, 16-bit big-endian, requested every 3 s about
    0.23 s after the step; the first frame's header has 35 ``#"key" value`` lines (25 file-level
    keys, then the 10 keys every frame repeats), later frames 10, each ending with
    ``Exposure plus readout`` 2999.5000 ms; no bare ``#`` lines, no trailing spaces; the real
    spelling ``Camera serial sumber``. The sample copies that layout with its own times,
    sequence numbers and counts. The real lens fills most of the frame, strongly vignetted
    (about 1800 counts in the centre, 500-600 in the corners, noise about 65-75 counts
    everywhere); the sample's lens reaches the horizon 162 pixels from the centre, over a dark
    level of 450 counts with 65 counts of read noise (see :func:`_trex_frames`).

    Args:
        site: Key of :data:`TREX_BLUE_SITES`.
        day: First minute, ISO (``2022-03-08T06:00``).
        minutes: Number of minute files.
        seed: Random seed.

    Returns:
        ``generate(folder) -> [file names]``.
    """
    return _trex_generator(_BLUE, TREX_BLUE_SITES, site, day, minutes, seed, "full", 5070)


def trex_nir_skymap_generator(site: str, valid_start: str) -> Callable[[Path], list[str]]:
    """A TREx NIR skymap (``nir_skymap_<site>_<start>-+_v01.sav``, 256x256) for the sample lens."""
    return skymap_generator(
        site,
        valid_start,
        project="nir",
        sites=TREX_NIR_SITES,
        size=_NIR.height,
        width=_NIR.width,
        radius=_NIR.radius,
        version="v01",
        generated="Tue Mar 01 00:00:00 2022",
    )


def trex_blue_skymap_generator(site: str, valid_start: str) -> Callable[[Path], list[str]]:
    """A TREx Blueline skymap (``blue_skymap_<site>_<start>-+_v01.sav``, 320x270).

    The file-name prefix and ``PROJECT_UID`` ``blue`` follow the naming of the other TREx
    skymaps (``nir``, ``rgb``: the imager family); pyucalgarysrs reads all of them with one
    reader (dataset ``TREX_BLUE_SKYMAP_IDLSAV``) and no real Blueline skymap was at hand.
    """
    return skymap_generator(
        site,
        valid_start,
        project="blue",
        sites=TREX_BLUE_SITES,
        size=_BLUE.height,
        width=_BLUE.width,
        radius=_BLUE.radius,
        version="v01",
        generated="Tue Mar 01 00:00:00 2022",
    )


# ---------------------------------------------------------------------------------------------
# TREx RGB burst frames (PNG in a tar per minute)
# ---------------------------------------------------------------------------------------------


def trex_rgb_generator(
    site: str, day: str, minutes: int, per_minute: int, seed: int
) -> Callable[[Path], list[str]]:
    """A generator of TREx RGB ``.png.tar`` minute files (553x480 8-bit RGB frames)."""

    def generate(folder: Path) -> list[str]:
        import io
        import tarfile

        from PIL import Image

        rng = np.random.default_rng(seed)
        height, width = 480, 553
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
        r = np.hypot(yy - height / 2, xx - width / 2)
        inside = r < 0.45 * height
        names = []
        for m in range(minutes):
            start = np.datetime64(day, "s") + np.timedelta64(60 * m, "s")
            stamp = str(start).replace("-", "").replace(":", "").replace("T", "_")[:13]
            tar_name = f"{stamp}_{site}_rgb-04_burst.png.tar"
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
                for k in range(per_minute):
                    t = np.datetime64(start, "us") + np.timedelta64(
                        int(k * 60e6 / per_minute) + 149606, "us"
                    )
                    text = (
                        str(t).replace("-", "").replace(":", "").replace("T", "_").replace(".", "_")
                    )
                    arc_row = 150.0 + 2.0 * (m * per_minute + k)
                    arc = np.exp(-0.5 * ((yy - arc_row) / 12.0) ** 2) * inside
                    frame = np.zeros((height, width, 3))
                    frame[..., 0] = 6 + 20 * arc
                    frame[..., 1] = 8 + 160 * arc
                    frame[..., 2] = 10 + 40 * arc
                    frame += rng.normal(0, 2.0, frame.shape)
                    png = io.BytesIO()
                    Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8)).save(png, format="PNG")
                    data = png.getvalue()
                    info = tarfile.TarInfo(f"{text}_{site}_rgb-04_320ms_burst.png")
                    info.size = len(data)
                    info.mtime = int(
                        (start - np.datetime64("1970-01-01T00:00:00", "s")) / np.timedelta64(1, "s")
                    )
                    tar.addfile(info, io.BytesIO(data))
            with atomic_write(folder / tar_name) as fh:
                fh.write(buf.getvalue())
            names.append(tar_name)
        return names

    return generate


def trex_rgb_h5_generator(
    site: str, day: str, minutes: int, per_minute: int, seed: int
) -> Callable[[Path], list[str]]:
    """TREx RGB nominal minute files in HDF5: ``/data/images`` (480, 553, 3, N) and metadata."""

    def generate(folder: Path) -> list[str]:
        import h5py

        from ..io.atomic import atomic_path

        rng = np.random.default_rng(seed)
        height, width = 480, 553
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
        inside = np.hypot(yy - height / 2, xx - width / 2) < 0.45 * height
        info = THEMIS_SITES[site]
        names = []
        for m in range(minutes):
            start = np.datetime64(day, "s") + np.timedelta64(60 * m, "s")
            stamp = str(start).replace("-", "").replace(":", "").replace("T", "_")[:13]
            name = f"{stamp}_{site}_rgb-04_full.h5"
            frames = np.empty((height, width, 3, per_minute), dtype=np.uint8)
            stamps = []
            for k in range(per_minute):
                t = np.datetime64(start, "us") + np.timedelta64(
                    int(k * 60e6 / per_minute) + 203117, "us"
                )
                stamps.append(
                    (np.datetime_as_string(t, unit="us").replace("T", " ") + " UTC").encode()
                )
                arc = (
                    np.exp(-0.5 * ((yy - 140.0 - 1.5 * (m * per_minute + k)) / 14.0) ** 2) * inside
                )
                rgb = np.stack([8 + 25 * arc, 10 + 170 * arc, 12 + 45 * arc], axis=-1) + rng.normal(
                    0, 2.0, (height, width, 3)
                )
                frames[..., k] = np.clip(rgb, 0, 255).astype(np.uint8)
            with atomic_path(folder / name) as tmp, h5py.File(tmp, "w", track_order=True) as f:
                data = f.create_group("data")
                data.create_dataset(
                    "images",
                    data=frames,
                    compression="gzip",
                    compression_opts=4,
                    chunks=(height, width, 3, 1),
                )
                data.create_dataset("timestamp", data=np.array(stamps, dtype="S"))
                meta = f.create_group("metadata")
                file_meta = meta.create_dataset("file", shape=(0,), dtype="f4")
                for key, value in {
                    "project_unique_id": "trex",
                    "site_unique_id": site,
                    "imager_unique_id": "rgb-04",
                    "site_name": info["name"],
                    "geodetic_latitude": f"{info['lat']:.4f}",
                    "geodetic_longitude": f"{info['lon']:.4f}",
                    "geodetic_altitude": f"{info['alt']:.1f}",
                    "comment": "geospacexr sample data (synthetic)",
                }.items():
                    file_meta.attrs[key] = value
                frame_group = meta.create_group("frame")
                for k in range(per_minute):
                    g = frame_group.create_dataset(f"frame{k}", shape=(0,), dtype="f4")
                    g.attrs["image_request_start_timestamp"] = stamps[k].decode()
                    g.attrs["image_effective_exposure"] = "2997.000 ms"
                    g.attrs["mode_unique_id"] = "full"
            names.append(name)
        return names

    return generate


# ---------------------------------------------------------------------------------------------
# SMILE ASI (HDF5, minute files and single-frame files)
# ---------------------------------------------------------------------------------------------

#: SMILE ASI frame cadence in seconds (20 frames a minute in the real minute files)
SMILE_CADENCE_S = 3
_SMILE_SIZE = 512


def _smile_frames(site: str, seconds: np.ndarray, seed: int) -> np.ndarray:
    """RGB frames ``(height, width, 3, n)`` uint8 of one SMILE site, rows as stored in the file.

    An east-west auroral arc at 110 km, starting 1.3 degrees poleward of the site and drifting
    equatorward at about 0.8 km/s, with brightness waves along it; green (557.7 nm) dominates,
    with some blue (427.8 nm) and red. The background of about (9, 5, 6) counts and the faint
    arc (a few tens of counts) follow the levels of real SMILE 8-bit frames, whose examples
    scale them between 10-15 and 70-90 counts. Each pixel's position at 110 km comes from the
    synthetic lens (:func:`_fisheye`, the lens of the matching skymap) and
    :func:`geospacexr.geodesy.look_to_geographic`.

    Args:
        site: Key of :data:`SMILE_SITES`.
        seconds: Frame times in seconds from the first frame.
        seed: Random seed (stars and noise).
    """
    from ..geodesy import look_to_geographic

    info = SMILE_SITES[site]
    size = _SMILE_SIZE
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    az, el = _fisheye(size, rows, cols)
    inside = np.isfinite(el)
    lat, lon = look_to_geographic(
        info["lat"], info["lon"], 0.0, np.nan_to_num(az), np.where(inside, el, 45.0), 110.0
    )
    zenith = np.deg2rad(90.0 - np.where(inside, el, 0.0))
    van_rhijn = 1.0 / np.sqrt(1 - (6371.0 / 6481.0) ** 2 * np.sin(zenith) ** 2)
    sky_gain = np.where(inside, van_rhijn * np.cos(zenith) ** 0.5, 0.0)
    stars = np.zeros((size, size))
    for _ in range(60):
        sy, sx = rng.uniform(0.1, 0.9, 2) * size
        stars += rng.uniform(5, 40) * np.exp(-((rows - sy) ** 2 + (cols - sx) ** 2) / 1.5)
    stars *= inside
    dark = np.array([9.0, 5.0, 6.0])  # R, G, B counts with no light
    airglow = np.array([2.0, 1.5, 1.0])
    aurora = np.array([12.0, 60.0, 18.0])
    dlon = lon - info["lon"]
    frames = np.empty((size, size, 3, len(seconds)), dtype=np.uint8)
    for k, t in enumerate(np.asarray(seconds, dtype=np.float64)):
        arc_lat = info["lat"] + 1.3 - 0.0072 * t + 0.12 * np.sin(np.deg2rad(4.0 * dlon))
        along = 1.0 + 0.35 * np.sin(2 * np.pi * (dlon / 6.0 + t / 90.0))
        arc = along * np.exp(-0.5 * ((lat - arc_lat) / 0.18) ** 2) * sky_gain
        light = (
            sky_gain[..., None] * airglow + arc[..., None] * aurora + stars[..., None]
        )  # photo-electrons above the dark level, per channel
        noise = rng.normal(0.0, 1.0, light.shape) * np.sqrt(0.8**2 + 0.3 * light)
        frames[..., k] = np.clip(np.rint(dark + light + noise), 0, 255).astype(np.uint8)
    return frames


def _stamp_text(t: np.datetime64) -> str:
    return np.datetime_as_string(t, unit="us").replace("T", " ") + " UTC"


def _write_smile_h5(
    path: Path, frames: np.ndarray, times: list[np.datetime64], site: str, single: bool
) -> None:
    """One SMILE HDF5 file: a minute file, or a single-frame file (3-D image, 1-element attrs)."""
    import h5py

    from ..io.atomic import atomic_path

    info = SMILE_SITES[site]
    height, width = frames.shape[:2]

    def attr(value: str) -> Any:
        # single-frame files store every attribute as a one-element array
        return np.array([value], dtype=h5py.string_dtype()) if single else value

    stamps = [_stamp_text(t) for t in times]
    with atomic_path(path) as tmp, h5py.File(tmp, "w", track_order=True) as f:
        data = f.create_group("data")
        data.create_dataset(
            "images",
            data=frames[..., 0] if single else frames,
            compression="gzip",
            compression_opts=4,
            chunks=(height, width, 3) if single else (height, width, 3, 1),
        )
        data.create_dataset("timestamp", data=np.array([s.encode() for s in stamps], dtype="S"))
        meta = f.create_group("metadata")
        file_meta = meta.create_dataset("file", shape=(0,), dtype="f4")
        for key, value in {
            "project_unique_id": "smile",
            "site_unique_id": site,
            "imager_unique_id": info["imager"],
            "site_name": info["name"],
            "geodetic_latitude": f"{info['lat']:.6f}",
            "geodetic_longitude": f"{info['lon']:.6f}",
            "geodetic_altitude": f"{info['alt']:.1f}",
            "comment": "geospacexr sample data (synthetic)",
        }.items():
            file_meta.attrs[key] = attr(value)
        frame_group = meta.create_group("frame")
        for k, stamp in enumerate(stamps):
            g = frame_group.create_dataset(f"frame{k}", shape=(0,), dtype="f4")
            g.attrs["image_request_start"] = attr(stamp)
            g.attrs["image_effective_exposure"] = attr("2000.000 ms")
            g.attrs["global_gain"] = attr("11.0000 dB")
            g.attrs["mode_unique_id"] = attr("rgb-full")


def smile_generator(
    site: str,
    day: str,
    minutes: int,
    per_minute: int,
    seed: int,
    single_frame_minutes: int = 1,
) -> Callable[[Path], list[str]]:
    """A generator of SMILE ASI raw (L0) HDF5 files: minute files, then single-frame files.

    What a real SMILE ASI file looks like, and how sure this is:

    * **Confirmed** from pyucalgarysrs's reader (``data/read/_smile.py``, ``read_smile``) and its
      test suite (``tests/test_suite/data/read/test_read_smile*.py``, ``tools/build_test_data.py``,
      which download real files from ``SMILE/asi/l0/raw`` of the open-data tree):
      minute files are named ``YYYYMMDD_HHMM_<site>_smile-NN_rgb-full.h5`` (for example
      ``20250315_0600_atha_smile-31_rgb-full.h5``) and hold 20 frames (3 s cadence: start and
      end times of the tests select 41, 36 and 46 frames); single-frame files are named
      ``YYYYMMDD_HHMMSS_ffffff_<site>_smile-NN_raw.h5`` after their request time (for example
      ``20250921_020000_000053_pina_smile-05_raw.h5``); ``/data/images`` is uint8
      ``(512, 512, 3, frames)``, or ``(512, 512, 3)`` in single-frame files, whose attributes are
      one-element string arrays; ``/data/timestamp`` holds ``%Y-%m-%d %H:%M:%S.%f UTC`` byte
      strings; per-frame attributes (``/metadata/frame/frame<i>``) are merged over the file's
      (``/metadata/file``); the frame time is the ``image_request_start`` attribute, a few tens
      of microseconds after a whole 3 s step (``2025-09-21 02:00:00.000053 UTC``); a
      ``global_gain`` attribute reads ``11.0000 dB``. pyucalgarysrs flips rows after reading.
    * **Confirmed** from pyaurorax's and pyucalgarysrs's example notebooks: ATHA (``smile-31``)
      and GILL (``smile-01``) are SMILE sites, the ATHA skymap's site position is 54.602631 N,
      246.355728 E (:data:`SMILE_SITES`), the ATHA skymap file is
      ``smile_skymap_atha_20241103-+_v01.sav``, mapped at 90, 110 and 150 km; background pixels
      read about 8-12 (red), 4-6 (green), 5-8 (blue) counts and the examples scale images
      between 10-15 and 70-90 counts.
    * **Assumed** (no real SMILE file could be opened here): the other attribute names and
      values (``site_unique_id``, ``imager_unique_id``, ``geodetic_latitude`` ...,
      ``image_effective_exposure``), whether ``global_gain`` is a file or a frame attribute,
      that ``/metadata/file`` and ``/metadata/frame/frame<i>`` are empty datasets holding
      attributes (as in the real grid files) rather than groups, the compression and chunking,
      and the synthetic lens and sky (see :func:`_smile_frames`).

    To stay small, the sample keeps ``per_minute`` evenly spaced frames of the 20 a real minute
    has (so every frame still sits on the real 3 s grid).

    Args:
        site: Key of :data:`SMILE_SITES`.
        day: First minute, ISO (``2025-03-15T06:00``).
        minutes: Number of minute files.
        per_minute: Frames kept per minute (must divide 20).
        seed: Random seed.
        single_frame_minutes: Minutes after the minute files written as single-frame files.

    Returns:
        ``generate(folder) -> [file names]``.

    Raises:
        InvalidArgumentError: If ``per_minute`` does not divide the 20 frames of a real minute.
    """
    slots = 60 // SMILE_CADENCE_S
    if per_minute < 1 or slots % per_minute:
        raise InvalidArgumentError(
            f"must divide the {slots} frames of a minute, not {per_minute}", argument="per_minute"
        )
    stride = slots // per_minute

    def generate(folder: Path) -> list[str]:
        info = SMILE_SITES[site]
        first = np.datetime64(day, "m")
        jitter = np.random.default_rng(seed + 1).integers(
            40, 90, (minutes + single_frame_minutes) * per_minute
        )
        times = [
            first.astype("datetime64[us]")
            + np.timedelta64(m, "m")
            + np.timedelta64(SMILE_CADENCE_S * stride * k, "s")
            + np.timedelta64(int(jitter[m * per_minute + k]), "us")
            for m in range(minutes + single_frame_minutes)
            for k in range(per_minute)
        ]
        seconds = (np.array(times) - times[0]) / np.timedelta64(1, "s")
        frames = _smile_frames(site, seconds, seed)
        names = []
        for m in range(minutes + single_frame_minutes):
            part = slice(m * per_minute, (m + 1) * per_minute)
            if m < minutes:
                stamp = str(first + np.timedelta64(m, "m")).replace("-", "").replace(":", "")
                name = f"{stamp.replace('T', '_')}_{site}_{info['imager']}_rgb-full.h5"
                _write_smile_h5(folder / name, frames[..., part], times[part], site, False)
                names.append(name)
                continue
            for k in range(part.start, part.stop):
                text = np.datetime_as_string(times[k], unit="us")
                text = text.replace("-", "").replace(":", "").replace("T", "_").replace(".", "_")
                name = f"{text}_{site}_{info['imager']}_raw.h5"
                _write_smile_h5(folder / name, frames[..., k : k + 1], [times[k]], site, True)
                names.append(name)
        return names

    return generate


def smile_skymap_generator(site: str, valid_start: str) -> Callable[[Path], list[str]]:
    """A SMILE skymap (``smile_skymap_<site>_<start>-+_v01.sav``, 512x512) for the sample lens."""
    return skymap_generator(
        site,
        valid_start,
        project="smile",
        sites=SMILE_SITES,
        size=_SMILE_SIZE,
        version="v01",
        generated="Mon Nov 04 00:00:00 2024",
    )


def themis_grid_generator(
    sites: tuple[str, ...], day: str, frames: int
) -> Callable[[Path], list[str]]:
    """A MOSv001-style grid file: the sample sites' mosaic at 110 km in the real HDF5 layout."""

    def generate(folder: Path) -> list[str]:
        import tempfile

        import h5py

        from .. import asi
        from ..io.asi import open_asi
        from ..io.atomic import atomic_path
        from ..io.skymap import open_skymap

        with tempfile.TemporaryDirectory() as tmp:
            images, skymaps = [], []
            for site in sites:
                sub = Path(tmp) / site
                sub.mkdir()
                themis_generator(site, day, 1, _SEEDS[site])(sub)
                themis_skymap_generator(site, "2014010100")(sub)
                images.append(open_asi(sorted(sub.glob("*.pgm.gz"))).isel(time=slice(0, frames)))
                skymaps.append(open_skymap(next(sub.glob("*.sav"))))
            mosaic = asi.mosaic(images, skymaps)
        values = np.nan_to_num(mosaic["image"].values[:, ::-1], nan=-999.0)  # row 0 = +90
        confidence = np.where(
            values == -999.0, -999.0, np.nan_to_num(mosaic["elevation"].values[:, ::-1], nan=-999.0)
        )
        stamp = str(np.datetime64(day, "m")).replace("-", "").replace(":", "").replace("T", "_")
        name = f"{stamp}_110km_MOSv001_grid_themis-asi.h5"
        listing = ",".join(f"{s}_{THEMIS_SITES[s]['imager']}" for s in sites)
        with atomic_path(folder / name) as out, h5py.File(out, "w", track_order=True) as f:
            f.create_dataset(
                "data/grid",
                data=np.moveaxis(values, 0, -1).astype("f4"),
                compression="gzip",
                compression_opts=9,
                chunks=(32, 128, 3),
            )
            f.create_dataset(
                "data/source_info/confidence",
                data=np.moveaxis(confidence, 0, -1).astype("f4"),
                compression="gzip",
                compression_opts=9,
                chunks=(32, 128, 3),
            )
            f.create_dataset(
                "data/timestamp",
                data=[
                    np.datetime_as_string(t, unit="s").replace("T", " ") + " UTC"
                    for t in mosaic["time"].values
                ],
                dtype=h5py.string_dtype(),
            )
            meta = f.create_dataset("metadata/file", shape=(0,), dtype="f4")
            for key, value in {
                "altitude_km": "110.0",
                "cloud_detection": "none",
                "confidence_method": "elevation_confidence",
                "coordinate_system": "geographic",
                "degrees_per_grid_cell": "0.3515625",
                "fill_value": "-999.0",
                "generation_timestamp": "2014-03-11 00:00:00 UTC",
                "grid_resolution_height": "512",
                "grid_resolution_width": "1024",
                "max_latitude": "90.0",
                "max_longitude": "180.0",
                "methodology_description": "geospacexr sample (synthetic)",
                "methodology_uid": "MOSv001",
                "min_elevation_angle_deg": "5",
                "min_latitude": "-90.0",
                "min_longitude": "-180.0",
                "project_name": "themis_asi",
                "skymap_filenames": "synthetic",
                "source_bit_depth": "16-bit",
                "source_name": "asi-themis",
                "units": "data number",
            }.items():
                meta.attrs[key] = value
            for i in range(values.shape[0]):
                frame = f.create_dataset(f"metadata/frame/frame{i}", shape=(0,), dtype="f4")
                frame.attrs["clear_sites"] = listing
                frame.attrs["cloudy_sites"] = ""
                frame.attrs["manually_removed_sites"] = ""
                frame.attrs["sites_in_grid"] = listing
        return [name]

    return generate


_SEEDS = {"gill": 20140310, "rank": 62828, "snkq": 56536, "tpas": 53994}
