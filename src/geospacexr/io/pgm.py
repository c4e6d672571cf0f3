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
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import FileFormatError
from .limits import Limits, how_to_raise

__all__ = [
    "DecodedFile",
    "PgmFrame",
    "check_header",
    "decompress",
    "frame_array",
    "parse_frames",
    "read_pgm",
]

try:  # python-isal decompresses gzip about twice as fast as zlib (the asi extra brings it)
    from isal import isal_zlib as _gzip_engine

    _ENGINE_ERRORS: tuple[type[BaseException], ...] = (_gzip_engine.error, zlib.error)
except ImportError:  # pragma: no cover - without the extra
    _gzip_engine = zlib
    _ENGINE_ERRORS = (zlib.error,)

_META = re.compile(rb'^#"([^"]*)"\s?(.*)$')
_MAX_HEADER_LINES = 1000
_MAX_SIDE = 1 << 15
#: Most distinct metadata keys one file may carry (real files have about 40).
_MAX_KEYS = 1000
#: Longest header line, bytes (real metadata lines are under 200): a longer one is damage, and
#: copying and matching it (a 200 MiB line took 1.1 GiB and 13 s; found by tests/fuzz) is not
#: worth it.
_MAX_LINE_BYTES = 1 << 16


@dataclass
class PgmFrame:
    """One frame: where its pixels start in the buffer, its size and its metadata.

    Attributes:
        offset: Byte offset of the first pixel.
        width: Columns.
        height: Rows.
        bytes_per_pixel: 1 (maxval < 256) or 2.
        metadata: The frame's metadata (carried forward from earlier frames; frames whose
            header changes nothing share one dict, so treat it as read-only).
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
    buffer: bytes | bytearray
    frames: list[PgmFrame] = field(default_factory=list)
    problem: str | None = None


_FIRST_FEED = 256  # input bytes first handed to a gzip member's decompressor (doubles after)
_MAX_FEED = 1 << 20
#: Most bytes one decompressor call may return: output grows in bounded steps, never at once.
_MAX_PIECE = 16 << 20
#: Decompressed bytes gathered before the header check runs (a frame header is far shorter).
_HEADER_PEEK = 64 << 10


class _Limit:
    """The decompressed-size budget of one file (``io.max_decompressed_mb``)."""

    def __init__(self, max_mb: float | None, path: Path | None) -> None:
        self.mb = config.resolve(max_mb, "io.max_decompressed_mb")
        self.left = int(self.mb * 1024 * 1024)
        self.path = path

    def room(self) -> int:
        """``max_length`` for the next call: one byte beyond the budget, at most a piece."""
        return min(self.left + 1, _MAX_PIECE)

    def take(self, piece: bytes) -> None:
        """Count ``piece`` against the budget, refusing the file when it runs out."""
        self.left -= len(piece)
        if self.left < 0:
            raise FileFormatError(
                f"decompresses to more than {self.mb:g} MB, more than "
                f"io.max_decompressed_mb={self.mb:g}; {how_to_raise('io.max_decompressed_mb')}",
                path=self.path,
            )


class _Stopped(Exception):
    """Raised inside a decompression when the ``stop`` callback finds the content damaged."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Output:
    """Decompressed content gathered in one growing buffer (no join copy at the end).

    Every piece is counted against the :class:`_Limit` before it is kept, and ``check`` sees
    the first :data:`_HEADER_PEEK` bytes as soon as they exist, so a header that declares too
    much is refused before the rest is decompressed. ``stop`` (if given) sees the whole buffer
    after each piece and returns a reason to stop decompressing (content that can no longer be
    used: the reader would discard the rest anyway), or ``None`` to go on.
    """

    def __init__(
        self,
        limit: _Limit,
        check: Callable[[bytes | bytearray], None] | None,
        stop: Callable[[bytearray], str | None] | None = None,
    ) -> None:
        self.limit = limit
        self.check = check
        self.stop = stop
        self.buffer = bytearray()

    def add(self, piece: bytes) -> None:
        try:
            self.limit.take(piece)
        except FileFormatError:
            # free the output now: the error's traceback keeps this object (and a caller may
            # keep the error), and up to the limit's worth of bytes must not live on with it
            self.buffer = bytearray()
            raise
        if piece:
            self.buffer += piece
            if self.check is not None and len(self.buffer) >= _HEADER_PEEK:
                check, self.check = self.check, None
                check(self.buffer)
            if self.stop is not None:
                reason = self.stop(self.buffer)
                if reason:
                    raise _Stopped(reason)

    def result(self, problem: str | None = None) -> tuple[bytearray, str | None]:
        if self.check is not None and self.buffer:
            check, self.check = self.check, None
            check(self.buffer)
        return self.buffer, problem


def _blank(data: bytes | bytearray | memoryview, start: int, extra: bytes = b"") -> bool:
    """Whether ``data[start:]`` holds only NUL bytes (and bytes of ``extra``), without copying."""
    view = np.frombuffer(data, np.uint8)[start:]
    allowed = np.frombuffer(b"\0" + extra, np.uint8)
    step = _MAX_PIECE
    for i in range(0, view.size, step):
        part = view[i : i + step]
        ok = part == 0
        for value in allowed[1:]:
            ok |= part == value
        if not ok.all():
            return False
    return True


def _gunzip(data: bytes, out: _Output) -> tuple[bytearray, str | None]:
    """Every gzip member of ``data``, in time linear in the input and the output.

    The input is handed to each member's decompressor in growing slices of a memoryview
    (256 bytes first, doubling up to 1 MiB), so the leftover a member's end copies
    (``unused_data``) stays small: many tiny members cost no repeated copies of the rest.
    Output comes in pieces of at most :data:`_MAX_PIECE` bytes, each counted against the limit.
    """
    view = memoryview(data)
    size, pos = len(view), 0
    while pos < size and view[pos : pos + 2] == b"\x1f\x8b":
        d = _gzip_engine.decompressobj(wbits=31)
        feed = _FIRST_FEED
        try:
            while not d.eof:
                if pos >= size:
                    out.add(d.flush())
                    return out.result("truncated gzip stream (file ends early)")
                chunk = view[pos : pos + feed]
                pos += len(chunk)
                feed = min(feed * 2, _MAX_FEED)
                while True:
                    out.add(d.decompress(chunk, out.limit.room()))
                    chunk = d.unconsumed_tail
                    if d.eof or not chunk:
                        break
        except _Stopped as stop:
            return out.result(f"decompression stopped early: {stop.reason}")
        except _ENGINE_ERRORS as exc:
            return bytearray(), f"corrupt gzip data ({exc})"
        pos -= len(d.unused_data)
    if pos < size and not _blank(view, pos):
        return out.result(f"{size - pos} bytes of trailing garbage after the gzip data")
    return out.result()


def _bunzip(data: bytes, out: _Output) -> tuple[bytearray, str | None]:
    """Every bzip2 stream of ``data`` (as ``bzip2 -d`` and ``pbzip2`` output), bounded.

    Concatenated streams are all decompressed, each piece counted against the limit before it
    is kept (a good stream followed by streams of zeros is a bomb, not a file to stop early
    in silently). Each stream's input is fed in slices of at most :data:`_MAX_FEED` bytes and
    its output taken in pieces of at most :data:`_MAX_PIECE` bytes, so the peak memory is the
    limit plus one piece.
    """
    view = memoryview(data)
    size, pos = len(view), 0
    while pos < size and view[pos : pos + 3] == b"BZh":
        d = bz2.BZ2Decompressor()
        try:
            while not d.eof:
                if d.needs_input:
                    if pos >= size:
                        return out.result("truncated bzip2 stream (file ends early)")
                    chunk = view[pos : pos + _MAX_FEED]
                    pos += len(chunk)
                else:
                    chunk = b""
                out.add(d.decompress(chunk, out.limit.room()))
        except FileFormatError:
            raise  # a limit (a ValueError too), not damage
        except _Stopped as stop:
            return out.result(f"decompression stopped early: {stop.reason}")
        except (OSError, ValueError, EOFError) as exc:
            return bytearray(), f"corrupt bzip2 data ({exc})"
        pos -= len(d.unused_data)
    if pos < size and not _blank(view, pos):
        return out.result(f"{size - pos} bytes of trailing garbage after the bzip2 data")
    return out.result()


def decompress(
    data: bytes,
    *,
    path: Path | None = None,
    max_mb: float | None = None,
    check: Callable[[bytes | bytearray], None] | None = None,
    stop: Callable[[bytearray], str | None] | None = None,
) -> tuple[bytes | bytearray, str | None]:
    """Decompress gzip (every member) or bzip2 (every stream) content; pass plain through.

    A truncated stream keeps its complete prefix (deflate and bzip2 output before the cut is
    exact) and reports the truncation. A stream that is corrupt (bad codes, CRC mismatch)
    cannot be trusted anywhere, so nothing is returned for it. The work is linear in the input
    and output sizes, however many gzip members the file holds, and the output grows in bounded
    steps, each counted against the limit before it is kept.

    Args:
        data: The file's bytes.
        path: The file, named in errors.
        max_mb: Largest decompressed size, MB (default: the ``io.max_decompressed_mb``
            setting).
        check: Called once with the start of the content (its first 64 KiB, or all of it when
            shorter) as soon as it is decompressed; it may raise to stop early (a header that
            declares more than the limits allow).
        stop: Called with the content gathered so far after each decompressed piece; a
            returned reason ends the decompression there (what is gathered is returned, with
            the reason as the problem). A reader passes a record walker, so that good records
            followed by gigabytes of zeros stop at the first impossible record instead of
            decompressing up to the size limit.

    Returns:
        ``(content, problem)``: ``problem`` is ``None`` for an intact stream.

    Raises:
        FileFormatError: If the content expands beyond the limit (a decompression bomb), or
            what ``check`` raises.
    """
    if data.startswith(b"\x1f\x8b"):
        return _gunzip(data, _Output(_Limit(max_mb, path), check, stop))
    if data.startswith(b"BZh"):
        return _bunzip(data, _Output(_Limit(max_mb, path), check, stop))
    if check is not None and data:
        check(data[:_HEADER_PEEK])
    return data, None


def _header(
    buffer: bytes | bytearray, pos: int, meta: dict[str, str], number: int
) -> tuple[int, int, int, int, dict[str, str]] | str:
    """Parse the frame header at ``pos`` (just after its ``P5`` line).

    Returns:
        ``(pixel offset, width, height, maxval, metadata)`` or, when the header is unusable,
        why. The metadata is ``meta`` itself when the header changes nothing (frames share one
        dict until a key changes: no per-frame copy).
    """
    numbers: list[int] = []
    frame_meta = meta
    lines = 0
    while len(numbers) < 3:
        lines += 1
        eol = buffer.find(b"\n", pos, pos + _MAX_LINE_BYTES + 1)
        if eol < 0 and len(buffer) - pos > _MAX_LINE_BYTES:
            return f"frame {number}: a header line longer than {_MAX_LINE_BYTES} bytes"
        if eol < 0 or lines > _MAX_HEADER_LINES:
            return f"frame {number}: header cut short"
        line = bytes(buffer[pos:eol])
        pos = eol + 1
        if line.startswith(b"#"):
            m = _META.match(line.rstrip(b"\r"))
            if m:
                key = m.group(1).decode("latin-1").strip()
                value = m.group(2).decode("latin-1").strip()
                if frame_meta.get(key) != value:
                    if frame_meta is meta:
                        if len(meta) >= _MAX_KEYS and key not in meta:
                            return f"frame {number}: more than {_MAX_KEYS} metadata keys"
                        frame_meta = dict(meta)
                    frame_meta[key] = value
            continue
        try:
            numbers.extend(int(t) for t in line.split())
        except ValueError:
            return f"frame {number}: bad size line {line[:40]!r}"
    width, height, maxval = numbers[:3]
    if len(numbers) > 3 or not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE):
        return f"frame {number}: impossible size {numbers}"
    if not 0 < maxval <= 65535:
        return f"frame {number}: impossible maxval {maxval}"
    return pos, width, height, maxval, frame_meta


def check_header(
    buffer: bytes | bytearray, path: Path | None = None, limits: Limits | None = None
) -> None:
    """Refuse content whose first frame header declares frames beyond the limits.

    Used on the first decompressed bytes of a file, before the rest is decompressed: a 2 MB
    ``.pgm.gz`` that declares 32768x32768 frames is refused without expanding it. A header that
    cannot be parsed is left to :func:`parse_frames`, which reports it.

    Args:
        buffer: The start of the content.
        path: The file, for messages.
        limits: The limits (default: those in force in the calling context).

    Raises:
        FileFormatError: If one frame has more than ``io.max_image_pixels`` pixels or bytes
            beyond ``io.max_array_mb``.
    """
    if not buffer.startswith(b"P5"):
        return
    eol = buffer.find(b"\n")
    parsed = _header(buffer, eol + 1, {}, 1) if eol >= 0 else "no header"
    if isinstance(parsed, str):
        return
    _, width, height, maxval, _ = parsed
    (limits or Limits.current()).check_image(width, height, 2 if maxval > 255 else 1, path)


def parse_frames(
    buffer: bytes | bytearray, path: Path | None = None, limits: Limits | None = None
) -> tuple[list[PgmFrame], str | None]:
    """Find every complete frame in a decompressed multi-frame PGM buffer.

    Frames whose header changes no metadata share their predecessor's ``metadata`` dict (treat
    it as read-only), so the cost is linear in the content whatever the frame count.

    Args:
        buffer: Decompressed content.
        path: For messages.
        limits: The limits (default: those in force in the calling context).

    Returns:
        ``(frames, problem)``: the complete frames and, when parsing stopped early, why.

    Raises:
        FileFormatError: If the content does not start as a binary PGM (``P5``), or declares
            frames beyond ``io.max_image_pixels``, more frames than ``io.max_frames`` or more
            pixel bytes than ``io.max_array_mb``.
    """
    limits = limits or Limits.current()
    n = len(buffer)
    if not buffer.startswith(b"P5"):
        raise FileFormatError(
            f"not a binary PGM: expected the magic 'P5', found {bytes(buffer[:8])!r}", path=path
        )
    frames: list[PgmFrame] = []
    meta: dict[str, str] = {}
    pos = 0
    size: tuple[int, int] | None = None
    last: tuple[bytes, int, int, int] | None = None  # the last header parsed and its numbers
    while pos < n:
        if not buffer.startswith(b"P5", pos):
            if _blank(buffer, pos, b" \t\r\n"):
                break
            prev = frames[-1]  # the buffer starts with P5, so a frame precedes this point
            return (
                frames,
                f"frame {len(frames) + 1}: expected 'P5' at byte {pos}, "
                f"found {bytes(buffer[pos : pos + 8])!r} (frame {len(frames)} declares "
                f"{prev.width}x{prev.height} pixels: its size line is wrong or extra bytes "
                "follow it)",
            )
        limits.check_frames(len(frames) + 1, path, "frames", counted=True)
        eol = buffer.find(b"\n", pos, pos + _MAX_LINE_BYTES + 1)
        if eol < 0:
            long = n - pos > _MAX_LINE_BYTES
            return frames, f"frame {len(frames) + 1}: " + (
                f"a header line longer than {_MAX_LINE_BYTES} bytes" if long else "header cut short"
            )
        if last is not None and buffer.startswith(last[0], eol + 1):
            # the previous frame's header again, byte for byte: same size, same metadata
            # (a flood of copies of one header is parsed in linear time with a small constant)
            pos, width, height, maxval, frame_meta = eol + 1 + len(last[0]), *last[1:], meta
        else:
            parsed = _header(buffer, eol + 1, meta, len(frames) + 1)
            if isinstance(parsed, str):
                return frames, parsed
            pos, width, height, maxval, frame_meta = parsed
            last = (bytes(buffer[eol + 1 : pos]), width, height, maxval)
        if size is not None and size != (width, height):
            return frames, (
                f"frame {len(frames) + 1}: size {width}x{height} differs from the first "
                f"frame's {size[0]}x{size[1]}"
            )
        bpp = 2 if maxval > 255 else 1
        nbytes = width * height * bpp
        if size is None:
            limits.check_image(width, height, bpp, path)
        size = (width, height)
        limits.check_array(
            (len(frames) + 1) * nbytes, path, f"its {len(frames) + 1} frames of {width}x{height}"
        )
        if pos + nbytes > n:
            return frames, (
                f"frame {len(frames) + 1}: truncated ({n - pos} of the {nbytes} pixel bytes "
                f"its {width}x{height} size line asks for are present)"
            )
        frames.append(PgmFrame(pos, width, height, bpp, frame_meta))
        meta = frame_meta
        pos += nbytes
    return frames, None


def read_pgm(path: str | Path, limits: Limits | None = None) -> DecodedFile:
    """Decompress and parse one multi-frame PGM file, keeping the good frames of a damaged one.

    Every ``[io]`` limit is checked before the memory it bounds is taken: the file's size and
    its decompressed size (``io.max_decompressed_mb``), the first frame's declared size
    (``io.max_image_pixels``, ``io.max_array_mb``) as soon as its header is decompressed, the
    frame count (``io.max_frames``) and the pixel bytes of all frames while parsing.

    Args:
        path: A ``.pgm``, ``.pgm.gz`` or ``.pgm.bz2`` file.
        limits: The limits (default: those in force in the calling context; pass them when
            calling from a worker thread, which does not see the caller's overrides).

    Returns:
        The :class:`DecodedFile`; ``problem`` says what stopped the read early, if anything.

    Raises:
        FileFormatError: If the file cannot be read at all, is not a PGM, or goes beyond a
            limit (the message names the ``io.*`` key to raise).
    """
    path = Path(path)
    limits = limits or Limits.current()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise FileFormatError("not a regular file", path=path)
        limits.check_content(info.st_size, path, "the file")
        with path.open("rb") as fh:
            raw = fh.read(limits.max_content_bytes + 1)
    except OSError as exc:
        raise FileFormatError(f"cannot read ({exc.strerror or exc})", path=path) from None
    limits.check_content(len(raw), path, "the file")
    if not raw:
        raise FileFormatError("empty file", path=path)
    buffer, problem = decompress(
        raw,
        path=path,
        max_mb=limits.max_decompressed_mb,
        check=lambda head: check_header(head, path, limits),
    )
    del raw
    if not buffer:
        raise FileFormatError(problem or "no content after decompression", path=path)
    frames, parse_problem = parse_frames(buffer, path, limits)
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
