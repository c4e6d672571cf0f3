"""TREx RGB burst images: single PNG frames and ``.png.tar`` minute files.

A frame is an 8-bit RGB PNG with no text chunks: everything is in its name,
``YYYYMMDD_HHMMSS_ffffff_<site>_<imager>_<exposure>ms_<mode>.png``. A minute file is a tar of
such frames. Rows are flipped after decoding, as pyucalgarysrs does, so ``image[k]`` equals
pyucalgarysrs's ``data[:, :, :, k]``.
"""

from __future__ import annotations

import io
import json
import lzma
import re
import stat
import struct
import tarfile
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError, OutOfRangeError
from .instruments import instrument_of_imager, instruments
from .limits import Limits, format_bytes
from .times import NS_RANGE, implausible, to_ns

__all__ = ["PNG_NAME", "open_png_frames"]

PNG_NAME = re.compile(
    r"^(?P<date>\d{8})_(?P<time>\d{6})_(?P<frac>\d{6})_(?P<site>[a-z0-9]+)_(?P<imager>[a-z]+-\d+)_"
    r"(?P<exposure>[\d.]+)ms_(?P<mode>[a-z0-9-]+)\.png$",
    re.IGNORECASE,
)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: A PNG's bytes as read (a tar member is read into a ``bytearray``, never copied).
_PngBytes = bytes | bytearray


#: Bytes read from the start of a PNG before anything else: the signature and the IHDR chunk.
_HEAD = len(_PNG_SIGNATURE) + 25
#: Bytes per pixel of each PNG colour type at 8 bits per sample (grey, RGB, palette,
#: grey + alpha, RGBA); 16-bit samples take twice as much.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
#: Slack of an honest PNG over its filtered pixel bytes: deflate stored blocks (5 bytes per
#: 64 KiB), IDAT chunks of a few KiB (12 bytes each, 1/64 covers chunks of 768 bytes and up)
#: and ancillary chunks (text, ICC profile) of up to 1 MiB.
_PNG_OVERHEAD_FRACTION = 64
_PNG_ANCILLARY_BYTES = 1 << 20
#: Members are read in steps of this many bytes (memory beyond the member itself stays small).
_READ_STEP = 1 << 20


def _png_bound(head: bytes) -> int | None:
    """Most bytes an honest PNG with this signature and IHDR can take, or ``None`` if no PNG.

    A PNG's IDAT holds the filtered rows (one filter byte plus the pixel bytes of each row)
    deflated; at worst, stored uncompressed. Beyond that, a frame's bytes are damage or a bomb.
    """
    if len(head) < _HEAD or not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    depth, color = head[24], head[25]
    samples = _PNG_CHANNELS.get(color, 4)
    row = 1 + -(-width * samples * max(depth, 8) // 8)
    raw = height * row
    return raw + raw // _PNG_OVERHEAD_FRACTION + _PNG_ANCILLARY_BYTES


def _read_png(fh: Any, size: int, name: str, path: Path, limits: Limits) -> _PngBytes | str:
    """The bytes of one PNG of ``size`` bytes from ``fh``, or why it was not read.

    Members up to ``_READ_STEP`` bytes are read at once; of larger ones, only the signature and
    IHDR are read first: the frame size it declares is checked against
    ``io.max_image_pixels`` and ``io.max_array_mb``, and ``size`` against what such a PNG can
    take, before the rest is read, in bounded steps into one buffer (a tar member is never
    held twice). A member that is no PNG, or larger than its IHDR allows, is not read at all.

    Returns:
        The PNG's bytes, or a problem (text) if it was not read.

    Raises:
        FileFormatError: If the IHDR declares frames beyond the limits.
    """
    small = size <= _READ_STEP  # read at once: a member's cost is then one read, as before
    head = fh.read(size if small else _HEAD)
    bound = _png_bound(head[:_HEAD])
    if bound is None:
        what = "IHDR chunk after the" if head.startswith(_PNG_SIGNATURE) else "PNG signature at"
        return f"{name}: cannot decode PNG (not a PNG: no {what} its start; not read)"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    pixels = width * height
    if pixels > limits.max_image_pixels or 3 * pixels > limits.max_array_bytes:
        limits.check_image(width, height, 3, path, f"PNG frames ({name})")  # raises
    if size > bound:
        return (
            f"{name}: {format_bytes(size)}, more than a {width}x{height} PNG can take "
            f"({format_bytes(bound)}): damaged, not read"
        )
    if small:
        return head
    buf = bytearray(size)
    buf[: len(head)] = head
    view = memoryview(buf)
    pos = len(head)
    while pos < size:
        got = fh.readinto(view[pos : min(size, pos + _READ_STEP)])
        if not got:
            break
        pos += got
    view.release()
    if pos < size:
        del buf[pos:]
    return buf


def _frames_of(path: Path, limits: Limits) -> tuple[list[tuple[str, _PngBytes]], list[str]]:
    """``([(member name, PNG bytes)], problems)`` of a PNG or a PNG tar.

    A tar (plain or compressed: ``tarfile`` recognises gzip, bzip2 and xz) is read member by
    member, so a truncated or damaged tar keeps the frames stored before the damage and reports
    why the rest is missing. Before a member is read, its declared size is added to the file's
    total and checked against ``io.max_decompressed_mb`` and the member count against
    ``io.max_frames``; then only its first bytes are read, and its IHDR checked
    (:func:`_read_png`). Members that are not read are skipped by the tar reader in bounded
    steps, so memory stays bounded by the PNGs kept, whatever a member declares.

    Raises:
        FileFormatError: If the file cannot be opened at all or goes beyond a limit.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise FileFormatError(f"cannot read ({exc.strerror or exc})", path=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise FileFormatError("not a regular file", path=path)
    if not path.name.lower().endswith(".tar"):
        limits.check_content(info.st_size, path, "the file")
        try:
            with path.open("rb") as fh:
                data = _read_png(fh, info.st_size, path.name, path, limits)
        except OSError as exc:
            raise FileFormatError(f"cannot read ({exc.strerror or exc})", path=path) from None
        if isinstance(data, str):
            return [], [data]
        return [(path.name, data)], []
    out: list[tuple[str, _PngBytes]] = []
    problems: list[str] = []
    try:
        tar = tarfile.open(path)
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise FileFormatError(f"cannot read the PNG tar ({exc})", path=path) from None
    with tar:
        count = total = 0
        try:
            for member in tar:
                count += 1
                limits.check_frames(count, path, "tar members", counted=True)
                total += max(member.size, 0)
                limits.check_content(total, path, f"its first {count} tar member(s)")
                if not (member.isfile() and member.name.lower().endswith(".png")):
                    continue
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                name = Path(member.name).name
                data = _read_png(fh, member.size, name, path, limits)
                if isinstance(data, str):
                    problems.append(data)
                else:
                    out.append((name, data))
        except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            problems.append(f"PNG tar cut short after {len(out)} frame(s) ({exc})")
            return sorted(out, key=lambda m: m[0]), problems
    if not out and not problems:
        problems.append("the tar holds no PNG frame")
    return sorted(out, key=lambda m: m[0]), problems


def _ihdr(data: _PngBytes) -> tuple[int, int] | None:
    """``(width, height)`` a PNG's IHDR chunk declares, or ``None`` if there is none."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _plain_png(data: _PngBytes) -> np.ndarray | None:
    """Decode a plain PNG without Pillow, or ``None`` to leave it to Pillow.

    Plain: every chunk's CRC intact, 8-bit grayscale or RGB, not interlaced, only the critical
    chunks IHDR, IDAT and IEND (ancillary chunks are skipped), a zlib stream of exactly the
    declared size and row filters None or Up. Anything else, damage included, goes to Pillow,
    which decodes or refuses it as before; this path only spares the per-frame cost of Pillow
    on the many small frames of a tar. The size was checked against the limits before.

    Returns:
        ``(height, width, 3)`` uint8, or ``None``.
    """
    if not data.startswith(_PNG_SIGNATURE):
        return None
    view = memoryview(data)
    pos, size = len(_PNG_SIGNATURE), len(data)
    header: tuple[int, ...] | None = None
    idat: list[memoryview] = []
    while True:
        if pos + 12 > size:
            return None
        length = int.from_bytes(view[pos : pos + 4], "big")
        kind = bytes(view[pos + 4 : pos + 8])
        end = pos + 12 + length
        if end > size:
            return None
        body = view[pos + 8 : end - 4]
        if zlib.crc32(body, zlib.crc32(kind)) != int.from_bytes(view[end - 4 : end], "big"):
            return None
        if header is None and kind != b"IHDR":
            return None
        if kind == b"IHDR":
            if header is not None or length != 13:
                return None
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            if end != size:
                return None
            break
        elif kind[0] & 0x20 == 0:  # another critical chunk (PLTE...): not plain
            return None
        pos = end
    width, height, depth, color, compression, method, interlace = header  # type: ignore[misc]
    channels = {0: 1, 2: 3}.get(color)
    if channels is None or depth != 8 or compression or method or interlace:
        return None
    if not (0 < width and 0 < height):
        return None
    stride = 1 + width * channels
    expected = stride * height
    d = zlib.decompressobj()
    try:
        raw = d.decompress(b"".join(idat), expected + 1)
    except zlib.error:
        return None
    if len(raw) != expected or not d.eof or d.unused_data:
        return None
    filters = raw[::stride]  # one byte per row
    if filters.translate(None, b"\0\2"):  # Sub, Average, Paeth or invalid
        return None
    pixels = np.frombuffer(raw, np.uint8).reshape(height, stride)[:, 1:]
    if 2 in filters:
        pixels = pixels.copy()
        for i, kind in enumerate(filters):
            if kind == 2 and i:  # Up: add the row above (the first row's "above" is zeros)
                pixels[i] += pixels[i - 1]
    pixels = pixels.reshape(height, width, channels)
    if channels == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    return pixels


def _decode(data: _PngBytes, name: str, path: Path, limits: Limits) -> np.ndarray:
    """Decode one PNG to ``(height, width, 3)`` uint8, within the pixel limit.

    The frame's IHDR was checked against ``io.max_image_pixels`` before; Pillow's own
    decompression-bomb check (``PIL.Image.MAX_IMAGE_PIXELS``) is a second line: its warning is
    redundant once our limit passed, its error becomes a :class:`FileFormatError`.
    """
    size = _ihdr(data)
    if size is not None:
        limits.check_image(*size, 3, path, f"PNG frames ({name})")
        plain = _plain_png(data)
        if plain is not None:
            return plain
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise FileFormatError(
                f"{name}: Pillow refuses it as a decompression bomb ({exc}; its limit is "
                "PIL.Image.MAX_IMAGE_PIXELS)",
                path=path,
            ) from None
    with img:
        width, height = img.size
        limits.check_image(width, height, 3, path, f"PNG frames ({name})")
        img.load()
        return np.asarray(img.convert("RGB"))


def _check_declared(
    frames: list[tuple[np.datetime64, str, _PngBytes, dict[str, str], Path]],
    path: Path,
    limits: Limits,
) -> None:
    """Refuse a file whose frames' IHDR chunks declare more than the limits allow."""
    total = 0
    for _, name, data, _, _ in frames:
        size = _ihdr(data)
        if size is None:
            continue  # not a PNG header: decoding reports it
        limits.check_image(*size, 3, path, f"PNG frames ({name})")
        total += size[0] * size[1] * 3
    limits.check_array(total, path, f"its {len(frames)} decoded PNG frames")


def _in_window(
    members: list[tuple[str, _PngBytes]],
    path: Path,
    t0: np.datetime64 | None,
    t1: np.datetime64 | None,
    problems: dict[str, list[str]],
    stamps: list[np.datetime64],
) -> list[tuple[np.datetime64, str, _PngBytes, dict[str, str], Path]]:
    """The members of one file whose names carry a plausible time in ``[t0, t1]``.

    Names are parsed one by one (a regular expression and one ``datetime64`` each); the range
    checks (what ``datetime64[ns]`` holds, the instrument's plausible range) run once per
    imager on all its times together, so a tar of many thousand frames costs little per frame.
    Unusable names are reported in ``problems``; every time met is appended to ``stamps``.
    """
    parsed: list[tuple[np.datetime64, str, _PngBytes, dict[str, str]]] = []
    for name, data in members:
        m = PNG_NAME.match(name)
        if not m:
            problems.setdefault(path.name, []).append(
                f"{name}: the name does not carry the frame's metadata "
                "(YYYYMMDD_HHMMSS_ffffff_<site>_<imager>_<exposure>ms_<mode>.png)"
            )
            continue
        g = m.groupdict()
        d, t = g["date"], g["time"]
        try:
            stamp = np.datetime64(f"{d[:4]}-{d[4:6]}-{d[6:]}T{t[:2]}:{t[2:4]}:{t[4:]}.{g['frac']}")
        except ValueError:
            problems.setdefault(path.name, []).append(
                f"{name}: the name carries an impossible date or time"
            )
            continue
        parsed.append((stamp, name, data, g))
    if not parsed:
        return []
    seconds = np.array([p[0] for p in parsed]).astype("datetime64[s]")  # coarse: no overflow
    holdable = (seconds >= NS_RANGE[0]) & (seconds <= NS_RANGE[1])
    times = np.where(holdable, np.array([p[0] for p in parsed]), np.datetime64(0, "us"))
    times = times.astype("datetime64[ns]")
    bad = ~holdable
    reasons: dict[str, str] = {}
    imagers = np.array([p[3]["imager"].lower() for p in parsed])
    for imager in np.unique(imagers):
        rows = imagers == imager
        flagged, why = implausible(times[rows], instrument_of_imager(str(imager)))
        reasons[str(imager)] = why
        bad[np.flatnonzero(rows)[flagged]] = True
    mine: list[tuple[np.datetime64, str, _PngBytes, dict[str, str], Path]] = []
    for k, (_, name, data, g) in enumerate(parsed):
        stamp = times[k]
        if not holdable[k]:  # beyond what datetime64[ns] holds
            problems.setdefault(path.name, []).append(
                f"{name}: the name carries an impossible date or time"
            )
            continue
        if bad[k]:  # outside the instrument's plausible range (io.times)
            why = reasons[g["imager"].lower()]
            problems.setdefault(path.name, []).append(f"{name}: the time {stamp} {why}")
            continue
        stamps.append(stamp)
        if (t0 is not None and stamp < t0) or (t1 is not None and stamp > t1):
            continue
        mine.append((stamp, name, data, g, path))
    return mine


def open_png_frames(paths: list[Path], start: Any = None, end: Any = None) -> xr.Dataset:
    """Read TREx RGB PNG frames (and PNG tars) into a standard ``asi`` Dataset.

    Args:
        paths: PNG or ``.png.tar`` files of one site and imager.
        start: First time to keep.
        end: Last time to keep.

    Returns:
        ``image`` ``(time, y, x, channel)`` uint8 with ``channel`` = r, g, b; ``exposure_ms`` and
        ``mode`` per frame; attrs as :func:`geospacexr.open_asi`.

    Limits (:mod:`geospacexr.io.limits`): a tar's members are counted against ``io.max_frames``
    and their declared sizes against ``io.max_decompressed_mb`` from the tar headers; each PNG's
    IHDR size against ``io.max_image_pixels`` and a file's decoded frames against
    ``io.max_array_mb``, all before decoding. A file beyond a limit is reported like a damaged
    one.

    Raises:
        FileFormatError: If no frame can be read (every file and its reason is listed).
        IncompatibleInputError: If the frames come from several sites or imagers or sizes.
        OutOfRangeError: If the files are intact but no frame lies in ``[start, end]``.
    """
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise ImportError("PNG images need Pillow: pip install 'geospacexr[asi]'") from None
    t0 = None if start is None else to_ns(start, "start")
    t1 = None if end is None else to_ns(end, "end")
    limits = Limits.current()
    problems: dict[str, list[str]] = {}  # file name -> reasons
    # frames in [start, end], not yet decoded: (time, member name, PNG bytes, name groups, file)
    wanted: list[tuple[np.datetime64, str, _PngBytes, dict[str, str], Path]] = []
    stamps: list[np.datetime64] = []  # every frame time met, for the out-of-range message
    for path in paths:
        try:
            members, trouble = _frames_of(path, limits)
        except FileFormatError as exc:
            problems.setdefault(path.name, []).append(str(exc).removeprefix(f"{path}: "))
            continue
        if trouble:
            problems.setdefault(path.name, []).extend(trouble)
        mine = _in_window(members, path, t0, t1, problems, stamps)
        try:  # what the frames' IHDR chunks declare, before any is decoded
            _check_declared(mine, path, limits)
        except FileFormatError as exc:
            problems.setdefault(path.name, []).append(str(exc).removeprefix(f"{path}: "))
            continue
        wanted.extend(mine)
    wanted.sort(key=lambda w: w[0])
    image: np.ndarray | None = None
    shapes: set[tuple[int, ...]] = set()
    frames: list[tuple[np.datetime64, float, str, str, str, str]] = []
    for stamp, name, data, g, path in wanted:
        try:
            pixels = _decode(data, name, path, limits)
        except FileFormatError as exc:
            problems.setdefault(path.name, []).append(str(exc).removeprefix(f"{path}: "))
            continue
        except Exception as exc:  # Pillow raises many types on damaged data
            problems.setdefault(path.name, []).append(
                f"{name}: cannot decode PNG ({type(exc).__name__})"
            )
            continue
        shapes.add(pixels.shape)
        if len(shapes) > 1:
            continue  # refused below, once every size is known
        if image is None:  # one array for all frames: no second copy by stacking
            image = np.empty((len(wanted), *pixels.shape), dtype=np.uint8)
        image[len(frames)] = pixels[::-1]
        frames.append(
            (
                stamp,
                float(g["exposure"]),
                g["mode"],
                g["site"].lower(),
                g["imager"].lower(),
                path.name,
            )
        )
    report = [{"file": name, "reason": "; ".join(problems[name])} for name in sorted(problems)]
    listing = "; ".join(f"{p['file']}: {p['reason']}" for p in report)
    if not frames:
        if stamps and not report and not wanted:  # intact frames, none of them in [start, end]
            raise OutOfRangeError(
                f"no frame between start={start} and end={end} in {len(paths)} file(s), which "
                f"cover {min(stamps)} to {max(stamps)}"
            )
        raise FileFormatError(
            f"no PNG frame could be read from {len(paths)} file(s): {listing or 'no frames'}"
        )
    identities = sorted({(f[3], f[4]) for f in frames})
    if len(identities) > 1:
        listing = ", ".join(f"{site} ({imager})" for site, imager in identities)
        raise IncompatibleInputError(
            f"the frames come from more than one site or imager: {listing}; open each site "
            "separately (geospacexr.io.registry.group_files splits a list by site and imager)"
        )
    if len(shapes) > 1:
        raise IncompatibleInputError(
            "frames of several sizes: "
            + ", ".join(f"{s[1]}x{s[0]}" for s in sorted(shapes))
            + "; open files of one imager mode at a time"
        )
    if report:
        warnings.warn(
            f"{len(report)} of {len(paths)} PNG file(s) could not be read completely, "
            f"good frames kept: {listing}",
            DataWarning,
            stacklevel=3,
        )
    site, imager = identities[0]
    return xr.Dataset(
        {
            "image": (
                ("time", "y", "x", "channel"),
                image[: len(frames)],  # type: ignore[index]
                {"long_name": "raw image", "units": "counts"},
            ),
            "exposure_ms": (
                ("time",),
                np.array([f[1] for f in frames], dtype=np.float32),
                {"long_name": "requested exposure", "units": "ms"},
            ),
            "mode": (
                ("time",),
                np.array([f[2] for f in frames], dtype=str),
                {"long_name": "imaging mode"},
            ),
        },
        coords={
            "time": ("time", np.array([f[0] for f in frames], dtype="datetime64[ns]")),
            "channel": ("channel", ["r", "g", "b"]),
        },
        attrs={
            "geospacexr_kind": "asi",
            "instrument": instrument_of_imager(imager, reader="asi-png")
            or instruments(reader="asi-png")[0].name,
            "site": site,
            "imager": imager,
            "site_name": "",
            "site_lat": float("nan"),
            "site_lon": float("nan"),
            "site_alt_m": float("nan"),
            "source_files": json.dumps(sorted({f[5] for f in frames})),
            "problematic_files": json.dumps(report),
            "file_metadata": json.dumps({}),
            "orientation": "rows flipped after reading as pyucalgarysrs does: "
            "image[k] == pyucalgarysrs data[:, :, :, k]",
        },
    )
