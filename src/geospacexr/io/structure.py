"""Structure checks of a whole file, without building a Dataset (used before a download is kept).

:func:`check_structure` walks a file's structure to its end in bounded memory and time and
raises :class:`~geospacexr.errors.FileFormatError` at the first thing that is not what the
format says it must be. It decides by the file name (``name=``, for a ``.part`` file being
downloaded) and, for HDF5, by the reader that will open it:

* ``.pgm`` / ``.pgm.gz`` / ``.pgm.bz2``: every frame's header (magic ``P5``, width, height,
  maxval) is parsed and its pixels are counted (at most ``io.max_frames`` frames, the limit the
  PGM reader applies too); the content must end exactly
  after the last frame's pixels; a compressed file is decompressed to its end (gzip and bzip2
  check their own CRCs) and may not expand beyond ``io.max_decompressed_mb``;
* other ``.gz`` / ``.bz2``: decompressed to the end, with the same bound;
* ``.png``: the signature, an ``IHDR`` first (valid size, bit depth and colour type), every
  chunk's CRC, and ``IEND`` at the very end;
* ``.tar`` (``.png.tar``, plain or compressed): every member header (tarfile checks their
  checksums), regular-file members only, every ``.png`` member checked as above, and nothing but
  zero blocks after the last member (a damaged header in the middle would otherwise silently
  end the archive); the members' sizes count against ``io.max_decompressed_mb``;
* ``.h5``: opened with h5py (a valid superblock, a file no shorter than it says), the datasets its
  reader needs present (:data:`HDF5_REQUIRED`, e.g. ``/data/images`` and ``/data/timestamp`` for
  ``asi-h5``), every dataset's storage inside the file (:func:`geospacexr.io.hdf5.check_storage`),
  a declared size within ``io.max_decompressed_mb`` and every chunk readable (a damaged compressed
  chunk fails here);
* ``.sav``: the IDL record chain (:func:`geospacexr.io.idlsav.check_record_chain`);
* ``.txt`` for the ``riometer-norstar`` reader: within ``io.max_decompressed_mb``, no NUL byte,
  a ``#`` header ending at its ``------------`` line, and a last line ending with a newline or,
  without one, a whole row: as many numbers as the row before it, each with as many decimals
  (a transfer cut in the middle of a row fails).

Other files pass (there is nothing to check).
"""

from __future__ import annotations

import bz2
import gzip
import io
import struct
import tarfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .. import config
from ..errors import FileFormatError
from .limits import Limits

__all__ = ["HDF5_REQUIRED", "MAX_FRAMES", "check_structure"]

#: Datasets an HDF5 file must hold, by the reader (registry name) that opens it.
HDF5_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "asi-h5": ("data/images", "data/timestamp"),
    "riometer-hsr": ("data/raw_power", "data/timestamp", "data/band_central_frequency"),
    "trex_spect_l1": ("data/spectra", "data/timestamp", "data/wavelength"),
}
#: The line that ends a NORSTAR riometer text file's header.
_NORSTAR_HEADER_END = b"------------"

_BLOCK = 1 << 16  # bytes read at a time from a stream
#: Largest slab of an HDF5 dataset read at once by the chunk check, bytes.
_HDF5_SLAB = 1 << 26
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Valid PNG (colour type: bit depths), from the PNG specification, table 11.1.
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_MAX_SIDE = 2**31 - 1  # PNG specification: width and height fit in 31 bits
_PGM_MAX_SIDE = 1 << 15  # as the PGM reader: no imager comes near 32768 pixels a side
_PGM_MAX_LINE = 4096  # longest header line read (THEMIS metadata lines are under 200 bytes)
_PGM_MAX_HEADER_LINES = 1000
_TAR_BLOCK = 512
#: The built-in default of ``io.max_frames`` (kept for code that imported it; the check itself
#: reads the configured value, the same limit the readers apply).
MAX_FRAMES = config.IoConfig().max_frames


def _limit_bytes() -> int:
    return int(float(config.get().io.max_decompressed_mb) * 1024 * 1024)


class _Counted(io.RawIOBase):
    """A read-only stream that counts what it hands out and refuses to pass a byte limit."""

    def __init__(self, raw: IO[bytes], limit: int, path: Path) -> None:
        self.raw, self.limit, self.path, self.count = raw, limit, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(min(len(buffer), self.limit + 1 - self.count))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self.count > self.limit:
            raise FileFormatError(
                f"decompresses to more than {self.limit // (1024 * 1024)} MB "
                "(io.max_decompressed_mb; raise it to accept bigger files)",
                path=self.path,
            )
        return n


def _skip(fh: IO[bytes], count: int) -> int:
    """Read and discard ``count`` bytes; return how many there were."""
    left = count
    while left:
        block = fh.read(min(left, _BLOCK))
        if not block:
            break
        left -= len(block)
    return count - left


def _max_frames() -> int:
    return Limits.current().max_frames


def _check_pgm(fh: IO[bytes], path: Path) -> int:
    """Walk the frames of a (decompressed) multi-frame PGM stream; return the frame count."""
    frames = 0
    most = _max_frames()
    while True:
        magic = fh.read(2)
        if not magic:
            if frames == 0:
                raise FileFormatError("empty: no PGM frame", path=path)
            return frames
        where = f"frame {frames + 1}"
        if frames >= most:
            raise FileFormatError(
                f"more than {most} frames (io.max_frames; raise it to accept such files)", path
            )
        if magic != b"P5":
            raise FileFormatError(f"{where}: expected the PGM magic 'P5', found {magic!r}", path)
        tokens = fh.readline(_PGM_MAX_LINE).split()
        lines = 0
        while len(tokens) < 3:
            line = fh.readline(_PGM_MAX_LINE)
            lines += 1
            if not line:
                raise FileFormatError(f"{where}: header cut short", path=path)
            if lines > _PGM_MAX_HEADER_LINES or not line.endswith(b"\n"):
                raise FileFormatError(f"{where}: header too long or unterminated", path=path)
            if not line.startswith(b"#"):
                tokens += line.split()
        try:
            width, height, maxval = (int(t) for t in tokens[:3])
        except ValueError:
            raise FileFormatError(f"{where}: bad size or maxval {tokens[:3]!r}", path) from None
        if len(tokens) > 3:
            raise FileFormatError(f"{where}: unexpected header tokens {tokens[3:]!r}", path)
        if not (0 < width <= _PGM_MAX_SIDE and 0 < height <= _PGM_MAX_SIDE):
            raise FileFormatError(f"{where}: implausible size {width}x{height}", path=path)
        if not 0 < maxval <= 65535:
            raise FileFormatError(f"{where}: maxval {maxval} outside 1..65535", path=path)
        want = width * height * (2 if maxval > 255 else 1)
        got = _skip(fh, want)
        if got != want:
            raise FileFormatError(
                f"{where}: {got} of its {want} pixel bytes before the end (truncated)", path
            )
        frames += 1


def _check_png(fh: IO[bytes], path: Path, what: str = "PNG") -> tuple[int, int]:
    """Walk a PNG stream chunk by chunk (CRCs included) to ``IEND``; return (width, height)."""
    if fh.read(8) != _PNG_SIGNATURE:
        raise FileFormatError(f"{what}: no PNG signature", path=path)
    size: tuple[int, int] | None = None
    while True:
        head = fh.read(8)
        if len(head) < 8:
            raise FileFormatError(f"{what}: cut short before IEND (truncated)", path=path)
        length, kind = struct.unpack(">I4s", head)
        if length > 2**31 - 1:
            raise FileFormatError(f"{what}: chunk {kind!r} declares {length} bytes", path=path)
        if size is None and (kind != b"IHDR" or length != 13):
            raise FileFormatError(f"{what}: the first chunk is {kind!r}, not IHDR", path=path)
        crc = zlib.crc32(kind)
        data = b""
        left = length
        while left:
            block = fh.read(min(left, _BLOCK))
            if not block:
                raise FileFormatError(f"{what}: chunk {kind!r} cut short (truncated)", path=path)
            crc = zlib.crc32(block, crc)
            if kind == b"IHDR":
                data += block
            left -= len(block)
        stored = fh.read(4)
        if len(stored) < 4 or struct.unpack(">I", stored)[0] != crc:
            raise FileFormatError(f"{what}: chunk {kind!r} fails its CRC (damaged)", path=path)
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            if not (0 < width <= _PNG_MAX_SIDE and 0 < height <= _PNG_MAX_SIDE):
                raise FileFormatError(f"{what}: IHDR size {width}x{height}", path=path)
            if depth not in _PNG_DEPTHS.get(colour, ()):
                raise FileFormatError(
                    f"{what}: IHDR colour type {colour} with bit depth {depth}", path=path
                )
            size = (width, height)
        if kind == b"IEND":
            assert size is not None
            if fh.read(1):
                raise FileFormatError(f"{what}: data after IEND", path=path)
            return size


def _check_tar(path: Path) -> int:
    """Check every member header and PNG member of a tar; return the member count."""
    limit = _limit_bytes()
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise FileFormatError(f"not a readable tar ({exc})", path=path) from None
    with tar:
        total = count = 0
        try:
            for member in tar:
                if not member.isfile():
                    raise FileFormatError(
                        f"tar member {member.name!r} is not a regular file", path=path
                    )
                total += member.size
                if total > limit:
                    raise FileFormatError(
                        f"tar members hold more than {limit // (1024 * 1024)} MB "
                        "(io.max_decompressed_mb; raise it to accept bigger files)",
                        path=path,
                    )
                fh = tar.extractfile(member)
                assert fh is not None
                if member.name.lower().endswith(".png"):
                    _check_png(fh, path, f"tar member {member.name!r}")  # type: ignore[arg-type]
                elif _skip(fh, member.size) != member.size:  # type: ignore[arg-type]
                    raise FileFormatError(f"tar member {member.name!r} cut short", path=path)
                count += 1  # members checked whole
            # after the last member: end-of-archive zero blocks (or nothing), never more headers
            stream = tar.fileobj
            assert stream is not None
            stream.seek(tar.offset)
            while block := stream.read(_BLOCK):
                if block.strip(b"\0"):
                    raise FileFormatError(
                        f"a damaged tar header after {count} member(s): the rest of the "
                        "archive cannot be read",
                        path=path,
                    )
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise FileFormatError(f"damaged tar after {count} member(s) ({exc})", path) from None
    if count == 0:
        raise FileFormatError("empty tar", path=path)
    return count


def _check_hdf5(path: Path, reader: str | None) -> None:
    import h5py
    import numpy as np

    from .hdf5 import check_storage

    limit = _limit_bytes()
    try:
        # no HDF5 file locking: it is an flock too, and a download holds one on its .part
        f = h5py.File(path, "r", locking=False)
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"not a readable HDF5 file ({exc})", path=path) from None
    with f:
        required = HDF5_REQUIRED.get(reader or "", ())
        missing = [n for n in required if not isinstance(f.get(n), h5py.Dataset)]
        if missing:
            raise FileFormatError(
                f"lacks the HDF5 dataset(s) {', '.join('/' + n for n in missing)} that the "
                f"{reader} reader needs",
                path=path,
            )
        datasets: list[Any] = []
        f.visititems(lambda _, obj: datasets.append(obj) if isinstance(obj, h5py.Dataset) else None)
        for ds in datasets:  # nothing of a downloaded file may point into other files
            check_storage(ds, path)
        total = 0
        for name in required:
            ds = check_storage(f[name], path)
            total += int(np.prod(ds.shape, dtype=np.int64)) * ds.dtype.itemsize
            if total > limit:
                raise FileFormatError(
                    f"/{name} declares more than {limit // (1024 * 1024)} MB "
                    "(io.max_decompressed_mb; raise it to accept bigger files)",
                    path=path,
                )
            _read_all(ds, path)


def _check_norstar_text(path: Path) -> None:
    """A NORSTAR riometer text file: bounded, no NUL, a complete header, a complete last line."""
    limit = _limit_bytes()
    size = path.stat().st_size
    if size > limit:
        raise FileFormatError(
            f"{size} bytes, more than io.max_decompressed_mb; raise it to accept bigger files",
            path=path,
        )
    content = path.read_bytes()
    if b"\0" in content:
        raise FileFormatError("a NUL byte: not a NORSTAR riometer text file", path=path)
    if not content.startswith(b"#") or _NORSTAR_HEADER_END not in content:
        raise FileFormatError(
            "no '#' header ending at a '------------' line: not a NORSTAR riometer text file",
            path=path,
        )
    if not content.endswith((b"\n", b"\r")) and not _whole_last_row(content):
        raise FileFormatError(
            "the last line is cut off (no newline at the end, and the last row is not a whole "
            "row like the one before it)",
            path=path,
        )


def _decimals(token: bytes) -> int:
    return len(token) - token.index(b".") - 1 if b"." in token else 0


def _whole_last_row(content: bytes) -> bool:
    """Whether a last line without a newline is a whole row.

    A whole row has as many numbers as the row before it, each with as many decimals (a
    transfer cut inside a number shortens them).
    """
    from .riometer import _ROW

    lines = content.splitlines()[-2:]
    rows = [_ROW.match(line) for line in lines]
    if len(rows) < 2 or rows[0] is None or rows[1] is None:
        return False
    before, last = rows[0].groups()[6:], rows[1].groups()[6:]
    return all(
        (a is None) == (b is None) and (a is None or _decimals(a) == _decimals(b))
        for a, b in zip(before, last, strict=True)
    )


def _read_all(ds: Any, path: Path) -> None:
    """Read a dataset in slabs of at most ``_HDF5_SLAB`` bytes (decodes every chunk once)."""
    if ds.shape == () or ds.size == 0:
        try:
            ds[()]
        except Exception as exc:  # h5py raises OSError, RuntimeError, ValueError... per filter
            raise FileFormatError(f"{ds.name}: unreadable ({exc})", path=path) from None
        return
    chunks = ds.chunks or ds.shape
    axis = max(range(len(ds.shape)), key=lambda i: ds.shape[i] / chunks[i])
    per_index = max(1, ds.dtype.itemsize * ds.size // ds.shape[axis])
    step = max(chunks[axis], (_HDF5_SLAB // per_index) // chunks[axis] * chunks[axis])
    for start in range(0, ds.shape[axis], step):
        index = [slice(None)] * len(ds.shape)
        index[axis] = slice(start, min(ds.shape[axis], start + step))
        try:
            ds[tuple(index)]
        except Exception as exc:  # h5py raises OSError, RuntimeError, ValueError... per filter
            raise FileFormatError(
                f"{ds.name}: damaged data at index {start} of axis {axis} ({exc})", path=path
            ) from None


def _decompressor(path: Path, low: str) -> IO[bytes] | None:
    if low.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if low.endswith(".bz2"):
        return bz2.open(path, "rb")
    return None


def check_structure(path: str | Path, name: str | None = None, reader: str | None = None) -> None:
    """Check that a whole file has the structure its name says, in bounded memory and time.

    Args:
        path: The file.
        name: The name that decides the format (default: ``path``'s own name; a download passes
            the final name of its ``.part`` file).
        reader: The reader that will open it (registry name, e.g. ``"asi-h5"``), which decides
            the HDF5 datasets required (:data:`HDF5_REQUIRED`).

    Raises:
        FileFormatError: At the first structural fault, naming the file and what is wrong
            (truncated, damaged, a CRC that does not match, too big for
            ``io.max_decompressed_mb``...).
    """
    path = Path(path)
    low = (name or path.name).lower()
    try:
        if low.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2")):
            _check_tar(path)
            return
        if low.endswith((".h5", ".hdf5")):
            _check_hdf5(path, reader)
            return
        if low.endswith(".txt") and reader == "riometer-norstar":
            _check_norstar_text(path)
            return
        if low.endswith(".sav"):
            from .idlsav import check_record_chain

            check_record_chain(path)
            return
        inner = low.removesuffix(".gz").removesuffix(".bz2")
        compressed = _decompressor(path, low)
        if compressed is None and not inner.endswith((".pgm", ".png")):
            return
        with path.open("rb") if compressed is None else compressed as raw:
            fh = io.BufferedReader(_Counted(raw, _limit_bytes(), path), _BLOCK)
            if inner.endswith(".pgm"):
                _check_pgm(fh, path)  # type: ignore[arg-type]
            elif inner.endswith(".png"):
                _check_png(fh, path)  # type: ignore[arg-type]
            else:
                _skip(fh, _limit_bytes() + 1)  # type: ignore[arg-type]
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        if isinstance(exc, FileFormatError):
            raise
        raise FileFormatError(
            f"damaged or truncated ({type(exc).__name__}: {exc})", path=path
        ) from None
