"""The instrument table: every fact about an instrument, in one row, read by every module.

Readers (:mod:`geospacexr.io.asi`, :mod:`~geospacexr.io.png`, :mod:`~geospacexr.io.h5asi`),
skymaps (:mod:`geospacexr.io.skymap`), calibrations (:mod:`geospacexr.io.calibration`),
downloads (:mod:`geospacexr.io.download`), plots (:mod:`geospacexr.plot.asi`) and explorers
(:mod:`geospacexr.explore`) look instruments up here instead of keeping their own lists. The
table lives in ``io`` because readers need it and ``io`` imports no science;
:mod:`geospacexr.asi.instruments` re-exports it.

One row is an :class:`Instrument`. Adding an instrument is one :func:`register_instrument` call
(for a built-in instrument: one row in :data:`_BUILTIN` below), its reader (only when its files
are in a format no reader reads yet) and a sample generator; ``docs/extending.md`` lists the files.

Example:
    >>> from geospacexr.io import instruments
    >>> instruments.list_instruments()[:3]
    ['norstar_riometer', 'rego', 'smile']
    >>> instruments.get_instrument("trex_blue").colour
    'tab:cyan'
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._registry import Registry
from ..errors import InvalidArgumentError, UnknownNameError

__all__ = [
    "FALLBACK_COLOUR",
    "DownloadLayout",
    "FileType",
    "Instrument",
    "Site",
    "TableView",
    "UnknownInstrumentError",
    "colour_of",
    "get_instrument",
    "hex_colour",
    "imager_regex",
    "instrument_of_calibration",
    "instrument_of_file",
    "instrument_of_imager",
    "instrument_of_skymap_project",
    "instrument_sites",
    "instruments",
    "label_of",
    "list_instruments",
    "reader_patterns",
    "register_instrument",
    "unregister_instrument",
]

#: Colour of a field of view or marker whose instrument is not in the table (matplotlib grey).
FALLBACK_COLOUR = "0.3"
#: matplotlib's "tab:" colours (the Tableau 10 palette) as hex, for Bokeh, which lacks the names.
_TABLEAU = {
    "tab:blue": "#1f77b4",
    "tab:orange": "#ff7f0e",
    "tab:green": "#2ca02c",
    "tab:red": "#d62728",
    "tab:purple": "#9467bd",
    "tab:brown": "#8c564b",
    "tab:pink": "#e377c2",
    "tab:gray": "#7f7f7f",
    "tab:grey": "#7f7f7f",
    "tab:olive": "#bcbd22",
    "tab:cyan": "#17becf",
}


class UnknownInstrumentError(UnknownNameError, InvalidArgumentError):
    """An instrument name that no row of the table has (nor any row's alias).

    Both an :class:`~geospacexr.errors.UnknownNameError` (a ``KeyError``) and an
    :class:`~geospacexr.errors.InvalidArgumentError` (a ``ValueError``), so the ``except
    ValueError`` clauses written when an unknown instrument was a ``ValueError`` still work.
    """


@dataclass(frozen=True)
class FileType:
    """One kind of file an instrument writes, and the reader (registry name) that opens it.

    Attributes:
        reader: Name in the reader registry (:func:`geospacexr.io.registry.readers`), e.g.
            ``"asi-pgm"``.
        patterns: Case-insensitive ``fnmatch`` patterns on the file name.
    """

    reader: str
    patterns: tuple[str, ...]

    def matches(self, name: str) -> bool:
        """Return whether a file name matches one of the patterns (case-insensitive)."""
        low = name.lower()
        return any(fnmatch.fnmatch(low, p.lower()) for p in self.patterns)


@dataclass(frozen=True)
class DownloadLayout:
    """Where an instrument's files live on the University of Calgary open-data server.

    Files are under ``<servers.ucalgary_url>/<project>/<stream>/YYYY/MM/DD/<site>_<imager>/utHH/``
    and skymaps under ``<project>/skymaps/<site>/<site>_YYYYMMDD/`` (see
    :mod:`geospacexr.io.download`).

    Attributes:
        project: The project path, e.g. ``"THEMIS/asi"``.
        stream: The data stream folder.
    """

    project: str
    stream: str = "stream0"


@dataclass(frozen=True)
class Site:
    """One site of an instrument whose sites the table lists (riometers).

    Attributes:
        code: The site's unique id as file names and headers write it (``"gill"``).
        name: Its human name (``"Gillam"``).
        lat: Geographic (geodetic) latitude, degrees.
        lon: Geographic longitude, degrees east, in [-180, 180).
        aliases: Other codes of the site (NORSTAR's old 3-letter codes, ``"gil"``).
    """

    code: str
    name: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instrument:
    r"""One row of the instrument table.

    The row type fits more than all-sky imagers: a spectrograph or a riometer sets ``kind``
    (the ``geospacexr_kind`` its reader returns), leaves ``image_size`` at ``None`` when its data
    are not fixed-size images, and leaves out what it does not have (no skymap, no calibration,
    no download layout).

    Attributes:
        name: The identifier readers write into ``attrs["instrument"]`` (``"trex_blue"``).
        network: The network or project (``"THEMIS"``, ``"REGO"``, ``"TREx"``, ``"SMILE"``).
        label: A human name for titles and legends (``"TREx Blueline"``).
        description: One line for listings.
        kind: ``attrs["geospacexr_kind"]`` of what its reader returns (``"asi"``,
            ``"spectrograph"``, ``"riometer"``...).
        imager_pattern: Regular expression a whole imager id matches (``r"blue-\d+"``), as in
            file names ``YYYYMMDD_HHMM_<site>_<imager>_...`` and the files' ``Imager unique ID``;
            ``None`` if the instrument has no imager ids.
        example_imager: One real imager id, for messages (``"blue-814"``).
        image_size: ``(rows, columns)`` of a raw frame, or ``None`` if not fixed.
        dtype: numpy dtype name of the raw data (``"uint16"``).
        channels: Colour channels of a frame (3 for RGB imagers, else 1).
        files: The file kinds it writes, each with its reader (empty: no reader yet).
        flip_columns: Whether the reader also flips columns (east-west), as pyucalgarysrs
            does for REGO; rows are always flipped.
        skymap_projects: ``PROJECT_UID`` values of its skymap files; the first is also the
            skymap file-name prefix (``<prefix>_skymap_<site>_<start>-<end>_vNN.sav``).
            Empty: no skymaps.
        skymap_kind: Which skymap format it has (``"ucalgary-sav"``: University of Calgary IDL
            save files, read by the ``asi-skymap`` reader), or ``None``.
        calibrations: Calibration kinds it has (``"rayleighs"``, ``"flatfield"``).
        calibration_prefixes: Lower-case ``<INSTRUMENT>`` prefixes of its calibration file
            names (``REGO_Rayleighs_...``).
        download: Its layout on the open-data server, or ``None`` if it cannot be downloaded.
        colour: Matplotlib colour of its fields of view and markers in plots and explorers.
        aliases: Other names that mean this instrument (older spellings, short forms).
        first_light: ISO date before which no frame of the instrument can exist (the network's
            first imager, with a margin); frames stamped earlier are skipped and reported as
            implausible (:func:`geospacexr.io.times.plausible_range`). ``None``: the
            configuration's ``asi.earliest_frame_time``.
        sites: The instrument's sites with their positions, for instruments whose files do not
            carry them and that have no skymaps (riometers); empty for the imagers, whose
            skymaps give the positions.
    """

    name: str
    network: str
    label: str
    description: str
    kind: str = "asi"
    imager_pattern: str | None = None
    example_imager: str = ""
    image_size: tuple[int, int] | None = None
    dtype: str = "uint16"
    channels: int = 1
    files: tuple[FileType, ...] = ()
    flip_columns: bool = False
    skymap_projects: tuple[str, ...] = ()
    skymap_kind: str | None = None
    calibrations: tuple[str, ...] = ()
    calibration_prefixes: tuple[str, ...] = ()
    download: DownloadLayout | None = None
    colour: str = FALLBACK_COLOUR
    aliases: tuple[str, ...] = field(default=())
    first_light: str | None = None
    sites: tuple[Site, ...] = ()

    @property
    def readers(self) -> tuple[str, ...]:
        """The reader registry names of its file kinds, in order, without repeats."""
        return tuple(dict.fromkeys(f.reader for f in self.files))

    @property
    def file_patterns(self) -> tuple[str, ...]:
        """Every file-name pattern of its data files."""
        return tuple(p for f in self.files for p in f.patterns)

    @property
    def skymap_prefix(self) -> str | None:
        """The skymap file-name prefix (the first skymap project), or ``None``."""
        return self.skymap_projects[0] if self.skymap_projects else None

    @property
    def skymap_patterns(self) -> tuple[str, ...]:
        """``fnmatch`` patterns of its skymap file names."""
        return tuple(f"{p}_skymap_*.sav" for p in self.skymap_projects)

    @property
    def calibration_patterns(self) -> tuple[str, ...]:
        """``fnmatch`` patterns of its calibration file names (case-insensitive)."""
        return tuple(
            f"{p}_{kind}_*.sav" for p in self.calibration_prefixes for kind in self.calibrations
        )

    def reader_of(self, path: str | Path) -> str | None:
        """Return the reader registry name for one of its files (by name), or ``None``."""
        name = Path(path).name
        return next((f.reader for f in self.files if f.matches(name)), None)

    def matches_imager(self, imager: str) -> bool:
        """Return whether ``imager`` (an id such as ``themis19``) is one of this instrument's."""
        return (
            bool(self.imager_pattern)
            and re.fullmatch(self.imager_pattern, imager, re.IGNORECASE) is not None
        )

    def site(self, code: str) -> Site:
        """Return one of its sites by code or alias (case-insensitive).

        Args:
            code: ``"gill"``, or an alias such as NORSTAR's old ``"gil"``.

        Returns:
            The :class:`Site`.

        Raises:
            UnknownNameError: If the instrument has no such site (its codes are listed).
        """
        low = str(code).lower()
        for site in self.sites:
            if low == site.code or low in site.aliases:
                return site
        codes = ", ".join(s.code for s in self.sites) or "none"
        raise UnknownNameError(
            f"{self.name} has no site {code!r} (its sites: {codes})", name=str(code)
        )

    def describe(self) -> dict[str, Any]:
        """The row as a plain dict (``name`` and ``description`` first), for listings."""
        return {
            "name": self.name,
            "description": self.description,
            "network": self.network,
            "label": self.label,
            "kind": self.kind,
            "imager_pattern": self.imager_pattern,
            "image_size": self.image_size,
            "dtype": self.dtype,
            "channels": self.channels,
            "readers": list(self.readers),
            "file_patterns": list(self.file_patterns),
            "skymap_kind": self.skymap_kind,
            "skymap_projects": list(self.skymap_projects),
            "calibrations": list(self.calibrations),
            "download": None if self.download is None else self.download.project,
            "colour": self.colour,
            "aliases": list(self.aliases),
            "first_light": self.first_light,
            "sites": [s.code for s in self.sites],
        }


def _pgm(imager_glob: str) -> tuple[str, ...]:
    """File-name patterns of multi-frame PGM minute files of an imager (plain, gzip, bzip2)."""
    return tuple(f"*_{imager_glob}_*{ext}" for ext in (".pgm", ".pgm.gz", ".pgm.bz2"))


#: NORSTAR (formerly CANOPUS) riometer sites: unique id, name, old 3-letter code (the old file
#: names' prefix) and geographic position, from the CANOPUS station list (to about 0.05 degree).
_NORSTAR_SITES: tuple[Site, ...] = tuple(
    Site(code, name, lat, lon, (old,))
    for code, name, old, lat, lon in (
        ("chur", "Fort Churchill", "chu", 58.76, -94.08),
        ("cont", "Contwoyto Lake", "con", 65.75, -111.25),
        ("daws", "Dawson", "daw", 64.05, -139.11),
        ("arvi", "Arviat (Eskimo Point)", "esk", 61.11, -94.05),
        ("fsim", "Fort Simpson", "sim", 61.76, -121.23),
        ("fsmi", "Fort Smith", "smi", 60.03, -111.93),
        ("gill", "Gillam", "gil", 56.38, -94.64),
        ("isll", "Island Lake", "isl", 53.86, -94.66),
        ("mcmu", "Fort McMurray", "mcm", 56.66, -111.21),
        ("pina", "Pinawa", "pin", 50.20, -96.04),
        ("rabb", "Rabbit Lake", "rab", 58.22, -103.68),
        ("rank", "Rankin Inlet", "ran", 62.82, -92.11),
        ("talo", "Taloyoak", "tal", 69.54, -93.55),
    )
)
#: SWAN hyperspectral riometer sites: the University of Calgary's observatory list for
#: ``swan_hsr`` (``list_observatories("swan_hsr")``, geodetic positions to 0.01 degree).
_HSR_SITES: tuple[Site, ...] = tuple(
    Site(code, name, lat, lon)
    for code, name, lat, lon in (
        ("buff", "Buffalo Narrows", 55.84, -108.42),
        ("daws", "Dawson City", 64.05, -139.11),
        ("fsim", "Fort Simpson", 61.76, -121.23),
        ("gill", "Gillam", 56.38, -94.64),
        ("isll", "Island Lake", 53.86, -94.66),
        ("mcmu", "Fort McMurray", 56.65, -111.22),
        ("mean", "Meanook", 54.62, -113.35),
        ("medo", "Meadow Lake", 54.13, -108.51),
        ("nrsq", "Narsarsuaq", 61.16, -45.44),
        ("pfrr", "Poker Flat Research Range", 65.13, -147.49),
        ("pgeo", "Prince George", 53.76, -122.85),
        ("pina", "Pinawa", 50.26, -95.87),
        ("rabb", "Rabbit Lake", 58.23, -103.68),
        ("russ", "Russell", 50.80, -101.19),
    )
)

#: The rows of the built-in instruments, in the order messages list them. Facts: image sizes
#: from the real files of ../shared/data and pyucalgarysrs's readers; server paths from the
#: open-data server's tree; colours are the fields-of-view colours used since the first plots.
#: File patterns name the imager id with its first digit (``rgb-[0-9]*``), so that a SMILE file
#: ``..._smile-31_rgb-full.h5`` is not taken for a TREx RGB one.
_BUILTIN: tuple[Instrument, ...] = (
    Instrument(
        name="themis",
        network="THEMIS",
        label="THEMIS ASI",
        description="THEMIS all-sky imagers, white light, 256x256 16-bit PGM",
        imager_pattern=r"themis\d+",
        example_imager="themis19",
        image_size=(256, 256),
        dtype="uint16",
        files=(FileType("asi-pgm", _pgm("themis[0-9]*")),),
        skymap_projects=("themis",),
        skymap_kind="ucalgary-sav",
        download=DownloadLayout("THEMIS/asi"),
        colour="tab:blue",
        first_light="2003-01-01",  # first THEMIS GBO imagers 2004-2006
    ),
    Instrument(
        name="rego",
        network="REGO",
        label="REGO",
        description="REGO redline (630.0 nm) all-sky imagers, 512x512 16-bit PGM",
        imager_pattern=r"rego-\d+",
        example_imager="rego-652",
        image_size=(512, 512),
        dtype="uint16",
        files=(FileType("asi-pgm", _pgm("rego-[0-9]*")),),
        flip_columns=True,
        skymap_projects=("rego",),
        skymap_kind="ucalgary-sav",
        calibrations=("rayleighs", "flatfield"),
        calibration_prefixes=("rego",),
        download=DownloadLayout("GO-Canada/REGO"),
        colour="tab:red",
        first_light="2014-01-01",  # REGO deployed from 2014
    ),
    Instrument(
        name="trex_nir",
        network="TREx",
        label="TREx NIR",
        description="TREx near-infrared (844.6 nm) all-sky imagers, 256x256 16-bit PGM",
        imager_pattern=r"nir-\d+",
        example_imager="nir-216",
        image_size=(256, 256),
        dtype="uint16",
        files=(FileType("asi-pgm", _pgm("nir-[0-9]*")),),
        skymap_projects=("nir",),
        skymap_kind="ucalgary-sav",
        calibrations=("rayleighs", "flatfield"),
        calibration_prefixes=("nir", "trex"),
        download=DownloadLayout("TREx/NIR"),
        colour="tab:purple",
        aliases=("nir",),
        first_light="2015-01-01",  # TREx imagers from about 2017
    ),
    Instrument(
        name="trex_blue",
        network="TREx",
        label="TREx Blueline",
        description="TREx Blueline (427.8 nm) all-sky imagers, 320 wide x 270 high 16-bit PGM",
        imager_pattern=r"blue-\d+",
        example_imager="blue-814",
        image_size=(270, 320),
        dtype="uint16",
        files=(FileType("asi-pgm", _pgm("blue-[0-9]*")),),
        skymap_projects=("blue", "blueline"),
        skymap_kind="ucalgary-sav",
        download=DownloadLayout("TREx/blueline"),
        colour="tab:cyan",
        aliases=("trex_blueline", "blueline"),
        first_light="2015-01-01",  # TREx imagers from about 2017
    ),
    Instrument(
        name="trex_rgb",
        network="TREx",
        label="TREx RGB",
        description="TREx RGB colour all-sky imagers, 553 wide x 480 high 8-bit RGB "
        "(HDF5 nominal, PNG burst)",
        imager_pattern=r"rgb-\d+",
        example_imager="rgb-04",
        image_size=(480, 553),
        dtype="uint8",
        channels=3,
        files=(
            FileType("asi-h5", ("*_rgb-[0-9]*.h5",)),
            FileType("asi-png", ("*_rgb-[0-9]*.png", "*_rgb-[0-9]*.png.tar")),
        ),
        skymap_projects=("rgb",),
        skymap_kind="ucalgary-sav",
        download=DownloadLayout("TREx/RGB"),
        colour="tab:green",
        aliases=("rgb",),
        first_light="2015-01-01",  # TREx imagers from about 2017
    ),
    Instrument(
        name="smile",
        network="SMILE",
        label="SMILE ASI",
        description="SMILE all-sky imagers, 512x512 8-bit RGB HDF5",
        imager_pattern=r"smile-\d+",
        example_imager="smile-01",
        image_size=(512, 512),
        dtype="uint8",
        channels=3,
        files=(FileType("asi-h5", ("*_smile-[0-9]*.h5",)),),
        skymap_projects=("smile",),
        skymap_kind="ucalgary-sav",
        colour="tab:orange",
        first_light="2020-01-01",  # SMILE ASIs deployed for the SMILE mission
    ),
    Instrument(
        name="trex_spectrograph",
        network="TREx",
        label="TREx Spectrograph",
        description="TREx meridian spectrographs: raw 1024x256 16-bit PGM (L0), calibrated "
        "hourly HDF5 spectra (L1)",
        kind="spectrograph",
        imager_pattern=r"spect-\d+",
        example_imager="spect-02",
        image_size=(1024, 256),
        dtype="uint16",
        files=(
            FileType(
                "trex_spect_raw",
                ("*_spect-[0-9]*_spectra*.pgm", "*_spect-[0-9]*_spectra*.pgm.gz"),
            ),
            FileType("trex_spect_l1", ("*_spect-[0-9]*.h5",)),
        ),
        skymap_projects=("spect",),
        skymap_kind="ucalgary-sav",
        colour="tab:brown",
    ),
    Instrument(
        name="norstar_riometer",
        network="NORSTAR",
        label="NORSTAR riometer",
        description="NORSTAR (formerly CANOPUS) single-frequency 30 MHz riometers: daily K0 "
        "(raw) and K2 (absorption) text files, 5 s",
        kind="riometer",
        dtype="float32",
        files=(
            FileType(
                "riometer-norstar",
                ("norstar_k[0-9]_rio-*.txt", "*_rio_*_v0.txt", "*_rio_*_v1a.txt"),
            ),
        ),
        colour="tab:pink",
        aliases=("norstar_rio", "norstar"),
        sites=_NORSTAR_SITES,
    ),
    Instrument(
        name="swan_hsr",
        network="SWAN",
        label="SWAN HSR",
        description="SWAN hyperspectral riometers: daily K0 HDF5 files, ~1 s, raw power in "
        "several bands (20-55 MHz)",
        kind="riometer",
        dtype="float32",
        files=(FileType("riometer-hsr", ("*_*-hsr_k[0-9]_*.h5",)),),
        colour="tab:olive",
        aliases=("hsr",),
        sites=_HSR_SITES,
    ),
)

_TABLE: Registry[Instrument] = Registry(
    "instrument", error=UnknownInstrumentError, case_sensitive=False
)
#: Registration order (listings are sorted; messages and the legacy mappings keep this order).
_ORDER: list[str] = []
#: alias (lower case) -> instrument name
_ALIASES: dict[str, str] = {}


def register_instrument(row: Instrument, *, replace: bool = False) -> Instrument:
    r"""Add a row to the instrument table.

    Args:
        row: The instrument's facts.
        replace: Allow replacing a row of the same name (default: refuse).

    Returns:
        ``row``.

    Raises:
        InvalidArgumentError: If the name (or an alias) is taken and ``replace`` is false, or
            the row is not an :class:`Instrument`.

    Example:
        >>> register_instrument(Instrument(name="abc", network="ABC", label="ABC imager",
        ...     description="...", imager_pattern=r"abc-\d+",
        ...     files=(FileType("asi-pgm", ("*_abc-*.pgm.gz",)),)))  # doctest: +SKIP
    """
    if not isinstance(row, Instrument):
        raise InvalidArgumentError(
            f"an instrument row is an Instrument, not {type(row).__name__}", argument="row"
        )
    name = row.name.lower()
    if name in _ALIASES:
        raise InvalidArgumentError(
            f"instrument name {row.name!r} is already an alias of {_ALIASES[name]!r}"
        )
    for alias in (a.lower() for a in row.aliases):
        owner = _ALIASES.get(alias, name)
        if owner != name or alias in _TABLE:
            raise InvalidArgumentError(
                f"alias {alias!r} of instrument {row.name!r} already names "
                f"{owner if owner != name else alias!r}"
            )
    _TABLE.add(name, row, replace=replace)
    if name not in _ORDER:
        _ORDER.append(name)
    for alias, owner in list(_ALIASES.items()):
        if owner == name:
            del _ALIASES[alias]
    for alias in row.aliases:
        _ALIASES[alias.lower()] = name
    return row


def unregister_instrument(name: str) -> None:
    """Remove a row from the table (tests, and plug-ins that replace a row, use it).

    Args:
        name: The instrument's name (not an alias).

    Raises:
        UnknownInstrumentError: If no row has that name.
    """
    key = name.lower()
    _TABLE.remove(key)
    _ORDER.remove(key)
    for alias, owner in list(_ALIASES.items()):
        if owner == key:
            del _ALIASES[alias]


def list_instruments(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """Return the instruments of the table.

    Args:
        details: If true, one dict per row (:meth:`Instrument.describe`: ``name``,
            ``description``, network, readers, patterns, colour...) instead of names.

    Returns:
        Sorted names, or the rows as dicts sorted by name.
    """
    names = _TABLE.names()
    if details:
        return [_TABLE[n].describe() for n in names]
    return names


def get_instrument(name: str) -> Instrument:
    """Return the row of an instrument, by name or alias (case-insensitive).

    Args:
        name: ``"themis"``, ``"trex_blue"``, or an alias such as ``"trex_blueline"``.

    Returns:
        The :class:`Instrument`.

    Raises:
        UnknownInstrumentError: If no row has that name or alias (close matches are named).
    """
    key = name.lower() if isinstance(name, str) else name
    return _TABLE[_ALIASES.get(key, key)]


def instruments(kind: str | None = None, reader: str | None = None) -> list[Instrument]:
    """Return the rows in registration order (the order messages list them).

    Args:
        kind: Only rows whose readers return this ``geospacexr_kind`` (e.g. ``"asi"``).
        reader: Only rows with files for this reader (registry name, e.g. ``"asi-h5"``).

    Returns:
        The rows.
    """
    rows = [_TABLE[n] for n in _ORDER if n in _TABLE]
    return [
        r
        for r in rows
        if (kind is None or r.kind == kind) and (reader is None or reader in r.readers)
    ]


def instrument_sites(kind: str | None = None) -> list[tuple[Instrument, Site]]:
    """Return every listed site with its instrument, in table order (riometer site maps).

    Args:
        kind: Only the sites of instruments of this ``geospacexr_kind`` (``"riometer"``).

    Returns:
        ``(row, site)`` pairs; a site shared by two instruments appears once per instrument.
    """
    return [(row, site) for row in instruments(kind) for site in row.sites]


def colour_of(name: str, default: str = FALLBACK_COLOUR) -> str:
    """Return an instrument's plot colour (by name or alias), or ``default`` if unknown.

    Args:
        name: Instrument name or alias (``attrs["instrument"]`` of a Dataset).
        default: Colour of an instrument that is not in the table.

    Returns:
        A matplotlib / Bokeh colour.
    """
    try:
        return get_instrument(str(name)).colour
    except UnknownInstrumentError:
        return default


def hex_colour(colour: str) -> str:
    """Return a matplotlib colour as ``#rrggbb`` (for Bokeh / HoloViews explorers).

    Args:
        colour: A colour of the table: a ``"tab:"`` name, a hex string, a grey level such as
            ``"0.3"``, or any name matplotlib knows (matplotlib is then imported).

    Returns:
        The hex string.
    """
    low = colour.lower()
    if low in _TABLEAU:
        return _TABLEAU[low]
    if re.fullmatch(r"#[0-9a-f]{6}", low):
        return low
    if re.fullmatch(r"[01]?\.\d+|[01]", low):  # matplotlib's grey levels
        level = round(float(low) * 255)
        return f"#{level:02x}{level:02x}{level:02x}"
    from matplotlib.colors import to_hex

    return str(to_hex(colour))


def label_of(name: str) -> str:
    """Return an instrument's human name (``"trex_blue"`` -> ``"TREx Blueline"``), or ``name``.

    Args:
        name: Instrument name or alias (``attrs["instrument"]``).

    Returns:
        The table's ``label``, or ``name`` itself if the instrument is not in the table.
    """
    try:
        return get_instrument(str(name)).label
    except UnknownInstrumentError:
        return str(name)


def instrument_of_imager(imager: str, reader: str | None = None) -> str | None:
    """Return the instrument whose imager ids include ``imager`` (``"blue-814"`` -> ``trex_blue``).

    Args:
        imager: An imager id.
        reader: Only instruments with files for this reader (registry name).

    Returns:
        The instrument name, or ``None`` if no row's ``imager_pattern`` matches.
    """
    for row in instruments(reader=reader):
        if row.matches_imager(imager):
            return row.name
    return None


def instrument_of_file(path: str | Path) -> tuple[Instrument, str] | None:
    """Return ``(row, reader name)`` of the first instrument whose file patterns match a name.

    Args:
        path: A data file (only its name is used).

    Returns:
        The row and the reader of that kind of file, or ``None`` if no pattern matches.
    """
    for row in instruments():
        reader = row.reader_of(path)
        if reader is not None:
            return row, reader
    return None


def instrument_of_skymap_project(project: str) -> str | None:
    """Return the instrument of a skymap's ``PROJECT_UID`` (``"blueline"`` -> ``trex_blue``).

    Args:
        project: The skymap's ``PROJECT_UID`` (any case).

    Returns:
        The instrument name, or ``None`` if no row lists that project.
    """
    low = project.lower()
    return next((r.name for r in instruments() if low in r.skymap_projects), None)


def instrument_of_calibration(prefix: str) -> str | None:
    """Return the instrument of a calibration file-name prefix (``"REGO"`` -> ``rego``).

    Args:
        prefix: The ``<INSTRUMENT>`` part of ``<INSTRUMENT>_<Rayleighs|flatfield>_...sav``.

    Returns:
        The instrument name, or ``None`` if no row lists that prefix.
    """
    low = prefix.lower()
    return next((r.name for r in instruments() if low in r.calibration_prefixes), None)


def imager_regex(reader: str | None = None) -> str:
    r"""Return a regular expression matching any imager id of the table (one alternation).

    Args:
        reader: Only the imagers of instruments with files for this reader.

    Returns:
        ``(?:(?:themis\d+)|(?:rego-\d+)|...)``, to embed in a file-name expression.
    """
    patterns = [r.imager_pattern for r in instruments(reader=reader) if r.imager_pattern]
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def reader_patterns(reader: str) -> tuple[str, ...]:
    """Return every file-name pattern that the table assigns to a reader, in table order.

    Args:
        reader: A reader registry name (``"asi-h5"``).

    Returns:
        The patterns, without repeats.
    """
    return tuple(
        dict.fromkeys(
            p for row in instruments() for f in row.files if f.reader == reader for p in f.patterns
        )
    )


class TableView(Mapping[str, Any]):
    """A live, read-only mapping ``instrument name -> value`` computed from the table.

    The older per-module tables (``io.asi.INSTRUMENTS``, ``io.download.PROJECTS``,
    ``plot.asi.NETWORK_COLOURS``) are such views, so they always agree with the table, including
    rows registered later.

    Args:
        value: ``value(row)`` -> the mapped value, or ``None`` to leave the row out.
        aliases: Also map each row's aliases (to the same value).
    """

    def __init__(self, value: Callable[[Instrument], Any], aliases: bool = False) -> None:
        self._value = value
        self._aliases = aliases

    def _items(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in instruments():
            v = self._value(row)
            if v is None:
                continue
            out[row.name] = v
            if self._aliases:
                for alias in row.aliases:
                    out.setdefault(alias, v)
        return out

    def __getitem__(self, key: str) -> Any:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __repr__(self) -> str:
        return repr(self._items())


for _row in _BUILTIN:
    register_instrument(_row)
del _row
