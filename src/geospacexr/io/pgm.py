r"""Multi-frame binary PGM files (THEMIS, REGO, TREx NIR and Blueline all-sky imagers).

A file is frames written back to back, optionally gzip- or bzip2-compressed::

    P5\n
    #"<key>" <value>\n     metadata, repeated (bare '#' lines also occur)
    <width> <height>\n
    <maxval>\n             65535 for 16-bit data
    width*height*2 bytes   uint16 big-endian, row-major

Later frames repeat only the keys that change; :func:`parse_frames` carries the others forward.
This module only decodes bytes; :mod:`geospacexr.io.asi` builds the Dataset.
"""

from __future__ import annotations

import bz2
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import FileFormatError

__all__ = ["DecodedFile", "PgmFrame", "decompress", "frame_array", "parse_frames", "read_pgm"]

try:  # python-isal decompresses gzip about twice as fast as zlib (the asi extra brings it)
    from isal import isal_zlib as _gzip_engine

    _ENGINE_ERRORS: tuple[type[BaseException], ...] = (_gzip_engine.error, zlib.error)
except ImportError:  # pragma: no cover - without the extra
    _gzip_engine = zlib
    _ENGINE_ERRORS = (zlib.error,)

_META = re.compile(rb'^#"([^"]*)"\s?(.*)$')
_MAX_HEADER_LINES = 1000
_MAX_SIDE = 1 << 15


@dataclass
class PgmFrame:
    """One frame: where its pixels start in the buffer, its size and its metadata.

    Attributes:
        offset: Byte offset of the first pixel.
        width: Columns.
        height: Rows.
        bytes_per_pixel: 1 (maxval < 256) or 2.
        metadata: The frame's metadata (carried forward from earlier frames).
    """

    offset: int
    width: int
    height: int
    bytes_per_pixel: int
    metadata: dict[str, str]


@dataclass
class DecodedFile:
    """A decompressed file, its frames and any problem met.

    Attributes:
        path: The file.
        buffer: The decompressed bytes.
        frames: Complete frames, in file order.
        problem: Why the file could not be read to its end (``None`` if it could).
    """

    path: Path
    buffer: bytes
    frames: list[PgmFrame] = field(default_factory=list)
    problem: str | None = None


def _joined(parts: list[bytes]) -> bytes:
    """The parts as one bytes object (no copy for a single part)."""
    if not parts:
        return b""
    return parts[0] if len(parts) == 1 else b"".join(parts)


_FIRST_FEED = 256  # input bytes first handed to a gzip member's decompressor (doubles after)
_MAX_FEED = 1 << 20


class _Limit:
    """The decompressed-size budget of one file (``io.max_decompressed_mb``)."""

    def __init__(self, max_mb: float | None, path: Path | None) -> None:
        self.mb = config.resolve(max_mb, "io.max_decompressed_mb")
        self.left = int(self.mb * 1024 * 1024)
        self.path = path

    def room(self) -> int:
        """``max_length`` for the next call: one byte more than allowed, to detect excess."""
        return self.left + 1

    def take(self, piece: bytes) -> None:
        """Count ``piece`` against the budget, refusing the file when it runs out."""
        self.left -= len(piece)
        if self.left < 0:
            raise FileFormatError(
                f"decompresses to more than {self.mb:g} MB (the io.max_decompressed_mb limit; "
                "raise it with geospacexr.config.override or GEOSPACEXR_IO_MAX_DECOMPRESSED_MB "
                "if the file is genuine)",
                path=self.path,
            )


def _gunzip(data: bytes, limit: _Limit) -> tuple[bytes, str | None]:
    """Every gzip member of ``data``, in time linear in the input and the output.

    The input is handed to each member's decompressor in growing slices of a memoryview
    (256 bytes first, doubling up to 1 MiB), so the leftover a member's end copies
    (``unused_data``) stays small: many tiny members cost no repeated copies of the rest.
    """
    view = memoryview(data)
    size, pos = len(view), 0
    out: list[bytes] = []
    while pos < size and view[pos : pos + 2] == b"\x1f\x8b":
        d = _gzip_engine.decompressobj(wbits=31)
        feed = _FIRST_FEED
        try:
            while not d.eof:
                if pos >= size:
                    tail = d.flush()
                    limit.take(tail)
                    if tail:
                        out.append(tail)
                    return _joined(out), "truncated gzip stream (file ends early)"
                chunk = view[pos : pos + feed]
                pos += len(chunk)
                feed = min(feed * 2, _MAX_FEED)
                while True:
                    piece = d.decompress(chunk, limit.room())
                    limit.take(piece)
                    if piece:
                        out.append(piece)
                    chunk = d.unconsumed_tail
                    if d.eof or not chunk:
                        break
        except _ENGINE_ERRORS as exc:
            return b"", f"corrupt gzip data ({exc})"
        pos -= len(d.unused_data)
    if pos < size and bytes(view[pos:]).strip(b"\0"):
        return _joined(out), f"{size - pos} bytes of trailing garbage after the gzip data"
    return _joined(out), None


def _bunzip(data: bytes, limit: _Limit) -> tuple[bytes, str | None]:
    """The bzip2 stream of ``data``, within the decompressed-size budget."""
    d = bz2.BZ2Decompressor()
    out: list[bytes] = []
    chunk = data
    try:
        while True:
            piece = d.decompress(chunk, limit.room())
            chunk = b""
            limit.take(piece)
            if piece:
                out.append(piece)
            if d.eof or d.needs_input:
                break
    except (OSError, ValueError) as exc:
        return b"", f"corrupt bzip2 data ({exc})"
    if not d.eof:
        return _joined(out), "truncated bzip2 stream (file ends early)"
    return _joined(out), None


def decompress(
    data: bytes, *, path: Path | None = None, max_mb: float | None = None
) -> tuple[bytes, str | None]:
    """Decompress gzip (every member) or bzip2 content; pass plain content through.

    A truncated stream keeps its complete prefix (deflate and bzip2 output before the cut is
    exact) and reports the truncation. A stream that is corrupt (bad codes, CRC mismatch)
    cannot be trusted anywhere, so nothing is returned for it. The work is linear in the input
    and output sizes, however many gzip members the file holds.

    Args:
        data: The file's bytes.
        path: The file, named in errors.
        max_mb: Largest decompressed size, MB (default: the ``io.max_decompressed_mb``
            setting).

    Returns:
        ``(content, problem)``: ``problem`` is ``None`` for an intact stream.

    Raises:
        FileFormatError: If the content expands beyond the limit (a decompression bomb).
    """
    if data.startswith(b"\x1f\x8b"):
        return _gunzip(data, _Limit(max_mb, path))
    if data.startswith(b"BZh"):
        return _bunzip(data, _Limit(max_mb, path))
    return data, None


def parse_frames(buffer: bytes, path: Path | None = None) -> tuple[list[PgmFrame], str | None]:
    """Find every complete frame in a decompressed multi-frame PGM buffer.

    Args:
        buffer: Decompressed content.
        path: For messages.

    Returns:
        ``(frames, problem)``: the complete frames and, when parsing stopped early, why.

    Raises:
        FileFormatError: If the content does not start as a binary PGM (``P5``).
    """
    n = len(buffer)
    if not buffer.startswith(b"P5"):
        raise FileFormatError(
            f"not a binary PGM: expected the magic 'P5', found {buffer[:8]!r}", path=path
        )
    frames: list[PgmFrame] = []
    meta: dict[str, str] = {}
    pos = 0
    size: tuple[int, int] | None = None
    while pos < n:
        if not buffer.startswith(b"P5", pos):
            if not buffer[pos:].strip(b" \t\r\n\0"):
                break
            prev = frames[-1]  # the buffer starts with P5, so a frame precedes this point
            return (
                frames,
                f"frame {len(frames) + 1}: expected 'P5' at byte {pos}, "
                f"found {buffer[pos : pos + 8]!r} (frame {len(frames)} declares "
                f"{prev.width}x{prev.height} pixels: its size line is wrong or extra bytes "
                "follow it)",
            )
        eol = buffer.find(b"\n", pos)
        if eol < 0:
            return frames, f"frame {len(frames) + 1}: header cut short"
        pos = eol + 1
        numbers: list[int] = []
        frame_meta = dict(meta)
        lines = 0
        while len(numbers) < 3:
            lines += 1
            eol = buffer.find(b"\n", pos)
            if eol < 0 or lines > _MAX_HEADER_LINES:
                return frames, f"frame {len(frames) + 1}: header cut short"
            line = buffer[pos:eol]
            pos = eol + 1
            if line.startswith(b"#"):
                m = _META.match(line.rstrip(b"\r"))
                if m:
                    key = m.group(1).decode("latin-1").strip()
                    frame_meta[key] = m.group(2).decode("latin-1").strip()
                continue
            try:
                numbers.extend(int(t) for t in line.split())
            except ValueError:
                return frames, f"frame {len(frames) + 1}: bad size line {line[:40]!r}"
        width, height, maxval = numbers[:3]
        if len(numbers) > 3 or not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE):
            return frames, f"frame {len(frames) + 1}: impossible size {numbers}"
        if not 0 < maxval <= 65535:
            return frames, f"frame {len(frames) + 1}: impossible maxval {maxval}"
        if size is not None and size != (width, height):
            return frames, (
                f"frame {len(frames) + 1}: size {width}x{height} differs from the first "
                f"frame's {size[0]}x{size[1]}"
            )
        size = (width, height)
        bpp = 2 if maxval > 255 else 1
        nbytes = width * height * bpp
        if pos + nbytes > n:
            return frames, (
                f"frame {len(frames) + 1}: truncated ({n - pos} of the {nbytes} pixel bytes "
                f"its {width}x{height} size line asks for are present)"
            )
        frames.append(PgmFrame(pos, width, height, bpp, frame_meta))
        meta = frame_meta
        pos += nbytes
    return frames, None


def read_pgm(path: str | Path) -> DecodedFile:
    """Decompress and parse one multi-frame PGM file, keeping the good frames of a damaged one.

    Args:
        path: A ``.pgm``, ``.pgm.gz`` or ``.pgm.bz2`` file.

    Returns:
        The :class:`DecodedFile`; ``problem`` says what stopped the read early, if anything.

    Raises:
        FileFormatError: If the file cannot be read at all or is not a PGM.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read ({exc.strerror or exc})", path=path) from None
    if not raw:
        raise FileFormatError("empty file", path=path)
    buffer, problem = decompress(raw, path=path)
    if not buffer:
        raise FileFormatError(problem or "no content after decompression", path=path)
    frames, parse_problem = parse_frames(buffer, path)
    return DecodedFile(path, buffer, frames, problem or parse_problem)


def frame_array(decoded: DecodedFile, index: int) -> np.ndarray:
    """Return frame ``index`` as a 2-D array view (rows as stored, big-endian dtype).

    Args:
        decoded: A :class:`DecodedFile`.
        index: Frame number.

    Returns:
        ``(height, width)`` array of ``>u2`` (or ``u1``) without copying.
    """
    f = decoded.frames[index]
    dtype = np.dtype(">u2") if f.bytes_per_pixel == 2 else np.dtype("u1")
    return np.frombuffer(decoded.buffer, dtype, f.width * f.height, f.offset).reshape(
        f.height, f.width
    )
