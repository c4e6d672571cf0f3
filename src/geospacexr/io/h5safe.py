"""Reading HDF5 variable-length strings without letting a damaged file hang libhdf5.

Variable-length strings (``/data/timestamp`` of ASI grid and RGB files, most string attributes
h5py writes) are kept in *global heap collections*: blocks that start with ``GCOL``, a version
byte and the collection size, followed by objects, each with a 16-bit index, a reference count
and its size. When libhdf5 loads a collection it walks these objects, advancing by each one's
size; an object whose header has been zeroed (index 0, the free-space marker, with size 0) does
not advance the walk, and libhdf5 loops forever inside ``H5Dread`` (seen with
``f['data/timestamp'][()]`` on a grid file with 16 zeroed bytes). No timeout can interrupt a C
loop in the calling process.

Why this design: the hang is in libhdf5's collection walk, which any read of *any* vlen value
(datasets and attributes alike) may trigger, so checking only the dataset's own descriptors would
still leave attribute reads exposed, and a child process with a timeout would cost an interpreter
start on every file. Instead :func:`check_global_heaps` finds every collection in the file (by its
signature, in one linear pass over a memory map) and walks it exactly as libhdf5 does, refusing a
collection that lies outside the file, an object that does not advance the walk or overruns its
collection, and free space that is not the last object. The work is bounded by the file size.
After the check, libhdf5 reads vlen data safely; a collection whose signature is itself damaged
is not walked by libhdf5 either (it reports "bad signature"), so it cannot hang.
"""

from __future__ import annotations

import itertools
import mmap
import os
import struct
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FileFormatError

__all__ = [
    "ChunkChecker",
    "check_global_heaps",
    "check_structure",
    "chunk_starts",
    "length_size",
    "read_strings",
]

#: signature and version 1 of a global heap collection (the only version libhdf5 reads)
_GCOL = b"GCOL\x01"
_ALIGN = 8  # objects are padded to multiples of 8 bytes (H5HG_ALIGNMENT)


def length_size(file: Any) -> int:
    """Size of an HDF5 file's "length" fields, for :func:`check_global_heaps`.

    Args:
        file: An open ``h5py.File``.

    Returns:
        The superblock's size of lengths in bytes; 8 (the usual) if it cannot be read.
    """
    try:
        return int(file.id.get_create_plist().get_sizes()[1])
    except Exception:  # a damaged superblock: assume the usual 8
        return 8


def check_global_heaps(path: str | Path, length_size: int = 8) -> int:
    """Refuse a file whose global heap collections would send libhdf5 into an endless loop.

    Args:
        path: The HDF5 file.
        length_size: Bytes of a "length" field (the superblock's size of lengths; 8 in files
            written by h5py/netCDF; an open file's: :func:`length_size`).

    Returns:
        The number of collections checked.

    Raises:
        FileFormatError: A collection that extends past the end of the file, an object that
            does not advance the walk or overruns its collection, or free space in the middle.
    """
    if length_size not in (2, 4, 8):
        raise FileFormatError(f"HDF5 size of lengths {length_size} is not 2, 4 or 8", path=path)
    fmt = {2: "<H", 4: "<I", 8: "<Q"}[length_size]
    header = 8 + length_size  # "GCOL", version, 3 reserved bytes, collection size
    obj_header = 8 + length_size  # index (2), reference count (2), reserved (4), size
    count = 0
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        if size < header:
            return 0
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            start = buf.find(_GCOL)
            while start >= 0:
                count += 1
                where = f"global heap collection at byte {start}"
                if start + header > size:
                    raise FileFormatError(f"{where} is cut short by the end of the file", path=path)
                (total,) = struct.unpack_from(fmt, buf, start + 8)
                end = start + total
                if total < header or end > size:
                    raise FileFormatError(
                        f"{where} declares {total} bytes, outside the file's {size} bytes",
                        path=path,
                    )
                p = start + header
                while p < end:
                    if p + obj_header > end:  # a tail too short for a header is free space
                        break
                    index = int.from_bytes(buf[p : p + 2], "little")
                    (length,) = struct.unpack_from(fmt, buf, p + 8)
                    if index > 0:
                        need = obj_header + -(-length // _ALIGN) * _ALIGN
                    else:
                        need = length  # free space: its size includes its header
                        if need < obj_header or p + need != end:
                            raise FileFormatError(
                                f"{where}: free-space object at byte {p} of size {length} "
                                f"does not close the collection (ends at byte {end}); libhdf5 "
                                "would loop forever reading it",
                                path=path,
                            )
                    if p + need > end:
                        raise FileFormatError(
                            f"{where}: object {index} at byte {p} of {length} bytes overruns "
                            f"the collection (ends at byte {end})",
                            path=path,
                        )
                    p += need
                start = buf.find(_GCOL, start + 1)
    return count


def read_strings(dataset: Any, path: str | Path, what: str | None = None) -> list[str]:
    """Read a 1-D string dataset (variable- or fixed-length) as Python strings, safely.

    The file's global heap collections are checked first (:func:`check_global_heaps`), so a
    damaged variable-length dataset raises instead of hanging.

    Args:
        dataset: An ``h5py.Dataset``.
        path: Its file (for the check and the message).
        what: Name for the message (default: the dataset's name).

    Returns:
        One string per element (bytes decoded as UTF-8, undecodable bytes as Latin-1).

    Raises:
        FileFormatError: If the dataset is not a 0-D or 1-D string dataset, or the file's
            global heap is damaged.
    """
    import h5py

    what = what or getattr(dataset, "name", "dataset")
    if not isinstance(dataset, h5py.Dataset):
        raise FileFormatError(f"{what} is a {type(dataset).__name__}, not a dataset", path=path)
    kind = dataset.dtype.kind
    vlen = h5py.check_string_dtype(dataset.dtype) is not None and kind == "O"
    if kind not in "SU" and not vlen:
        raise FileFormatError(
            f"{what} holds {dataset.dtype} values, expected text (strings)", path=path
        )
    if dataset.ndim > 1:
        raise FileFormatError(
            f"{what} has shape {dataset.shape}, expected a 1-D list of strings", path=path
        )
    if vlen:
        check_global_heaps(path, length_size(dataset.file))
    values = np.atleast_1d(dataset[()])
    return [_decode(v) for v in values.tolist()]


def _decode(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return str(value)


#: HDF5 filter ids :class:`ChunkChecker` decodes in Python (deflate, shuffle, fletcher32).
_DEFLATE, _SHUFFLE, _FLETCHER32 = 1, 2, 3
_CHECKABLE_FILTERS = frozenset({_DEFLATE, _SHUFFLE, _FLETCHER32})
#: Bytes inflated at a time while a chunk is checked (its output is counted, not kept).
_INFLATE_PIECE = 1 << 20
#: A read covering more chunks than this checks all the variable's stored chunks instead.
_MAX_LISTED_CHUNKS = 65536


class ChunkChecker:
    """Check a file's deflate-compressed HDF5 chunks in Python before libhdf5 decodes them.

    Why: a compressed chunk with flipped bits makes libhdf5's read fail ("NetCDF: HDF error"),
    and in the robustness harness such failed reads (netCDF-4 copies of TIE-GCM histories with
    32 flipped bits, all inside chunk data) were followed, in the same process and only some
    of the time, by a segmentation fault: a crash that no exception handler can turn into an
    error. So the damaged bytes never reach the C library: before a region of a variable is
    read, each stored chunk it covers that has not been checked yet is read as raw bytes (its
    address and size from the chunk index, through h5py), inflated with Python's ``zlib``
    (whose Adler-32 check catches any flipped bit in the stream) and its size compared with
    the chunk's; a chunk that fails is a :class:`FileFormatError` naming the variable and the
    chunk. Each chunk is checked once per checker (one checker per opened file). Variables
    stored contiguously, uncompressed, or with filters Python cannot decode (szip, zstd...)
    are left to the library.

    Args:
        path: The HDF5 (netCDF-4) file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        #: per variable: None (nothing to check) or (filters, chunk bytes, chunk index)
        self._tables: dict[str, tuple[list[int], int, dict[tuple[int, ...], tuple]] | None] = {}
        self._checked: dict[str, set[tuple[int, ...]]] = {}
        self._shapes: dict[str, tuple[int, ...]] = {}

    def check(self, name: str, starts: Iterable[tuple[int, ...]] | None) -> None:
        """Check the stored chunks of variable ``name`` that start at ``starts``.

        Args:
            name: The variable (a dataset of the file's root group).
            starts: The chunks' first indices (multiples of the chunk shape); ``None``: all
                the variable's stored chunks.

        Raises:
            FileFormatError: A chunk whose bytes lie outside the file, do not inflate, fail
                their checksum or inflate to the wrong size (the exception's ``chunk`` is the
                chunk's index, its ``reason`` what is wrong); or an unreadable chunk index.
        """
        with self._lock:
            table = self._table(name)
            if table is None:
                return
            filters, nbytes, index = table
            done = self._checked.setdefault(name, set())
            todo = index.keys() if starts is None else starts
            with open(self.path, "rb") as fh:
                for start in todo:
                    start = tuple(int(i) for i in start)
                    if start in done or start not in index:  # not stored: reads as fill values
                        continue
                    mask, offset, size = index[start]
                    self._check_one(fh, name, start, filters, mask, offset, size, nbytes)
                    done.add(start)

    def check_coordinates(self) -> None:
        """Check the chunks of every 1-D dataset of the root group (what xarray reads at open).

        Raises:
            FileFormatError: As :meth:`check`; or a file h5py cannot list.
        """
        import h5py

        try:
            with h5py.File(self.path, "r") as f:
                names = [
                    k
                    for k, obj in f.items()
                    if isinstance(obj, h5py.Dataset) and obj.ndim == 1 and obj.chunks is not None
                ]
        except Exception as exc:  # h5py raises many types on a damaged file
            raise FileFormatError(
                f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=self.path
            ) from None
        for name in names:
            self.check(name, None)

    def _table(self, name: str) -> tuple[list[int], int, dict[tuple[int, ...], tuple]] | None:
        if name in self._tables:
            return self._tables[name]
        import h5py

        table = None
        try:
            with h5py.File(self.path, "r") as f:
                obj = f.get(name)
                if isinstance(obj, h5py.Dataset) and obj.chunks is not None:
                    plist = obj.id.get_create_plist()
                    filters = [int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters())]
                    if _DEFLATE in filters and set(filters) <= _CHECKABLE_FILTERS:
                        index: dict[tuple[int, ...], tuple] = {}

                        def visit(info: Any) -> None:
                            index[tuple(info.chunk_offset)] = (
                                int(info.filter_mask),
                                int(info.byte_offset),
                                int(info.size),
                            )

                        obj.id.chunk_iter(visit)
                        nbytes = int(np.prod(obj.chunks)) * obj.dtype.itemsize
                        self._shapes[name] = tuple(int(c) for c in obj.chunks)
                        table = (filters, nbytes, index)
        except Exception as exc:  # h5py raises many types on a damaged chunk index
            raise FileFormatError(
                f"variable {name}: cannot read its chunk index ({type(exc).__name__}: {exc}); "
                "the file is damaged",
                path=self.path,
            ) from None
        self._tables[name] = table
        return table

    def _check_one(
        self,
        fh: Any,
        name: str,
        start: tuple[int, ...],
        filters: list[int],
        mask: int,
        offset: int,
        size: int,
        nbytes: int,
    ) -> None:
        reason = self._damage(fh, filters, mask, offset, size, nbytes)
        if reason:
            chunks = self._shapes[name]
            index = tuple(s // c for s, c in zip(start, chunks, strict=True))
            exc = FileFormatError(
                f"variable {name}: storage chunk {index} of {chunks} ({size} bytes at byte "
                f"{offset}) {reason}; the file is damaged",
                path=self.path,
            )
            exc.chunk, exc.reason = index, reason  # type: ignore[attr-defined]
            raise exc

    @staticmethod
    def _damage(fh: Any, filters: list[int], mask: int, offset: int, size: int, nbytes: int) -> str:
        """What is wrong with one stored chunk ("" if nothing)."""
        file_size = os.fstat(fh.fileno()).st_size
        if offset < 0 or size < 0 or offset + size > file_size:
            return f"lies outside the file's {file_size} bytes"
        fh.seek(offset)
        data = fh.read(size)
        # filters were applied in pipeline order when writing: undo them in reverse
        for k in reversed(range(len(filters))):
            if mask & (1 << k):  # this filter was skipped for this chunk
                continue
            if filters[k] == _FLETCHER32:
                data = data[:-4]
            elif filters[k] == _DEFLATE:
                last = not any(
                    f == _DEFLATE and not mask & (1 << j) for j, f in enumerate(filters[:k])
                )
                # what this filter's input was: the chunk, plus 4 bytes per checksum before it
                want = nbytes + 4 * sum(
                    1 for j, f in enumerate(filters[:k]) if f == _FLETCHER32 and not mask & (1 << j)
                )
                inflate = zlib.decompressobj()
                total, pending, kept = 0, data, []
                try:  # in bounded pieces: a bomb never sits in memory; stops past the size
                    while not inflate.eof and total <= want:
                        piece = inflate.decompress(pending, _INFLATE_PIECE)
                        pending = inflate.unconsumed_tail
                        total += len(piece)
                        if not last:  # an earlier deflate still has to undo this one's output
                            kept.append(piece)
                        if not piece:  # no progress: the stream is cut short
                            break
                except zlib.error as exc:
                    return f"does not inflate ({exc})"
                if not inflate.eof or total != want:
                    more = "" if inflate.eof else " or more"
                    return f"inflates to {total} bytes{more}, not the chunk's {want}"
                if last:
                    return ""
                data = b"".join(kept)
        return ""


def chunk_starts(
    items: tuple[Any, ...], shape: tuple[int, ...], chunks: tuple[int, ...], bounds: Any
) -> list[tuple[int, ...]] | None:
    """First indices of the chunks a read covers (``None``: cannot tell, check them all).

    Args:
        items: The read's indexer, one element per dim.
        shape: The variable's shape.
        chunks: Its chunk shape.
        bounds: ``bounds(item, size)`` -> ``(first, last)`` index an element selects, or None.

    Returns:
        The chunk starts, or ``None``.
    """
    if len(items) != len(shape) or len(chunks) != len(shape):
        return None
    ranges = []
    for item, size, chunk in zip(items, shape, chunks, strict=True):
        if chunk <= 0:
            return None
        first_last = bounds(item, size)
        if first_last is None:
            return None
        ranges.append(range(first_last[0] // chunk * chunk, first_last[1] + 1, chunk))
    if int(np.prod([len(r) for r in ranges])) > _MAX_LISTED_CHUNKS:
        return None
    return list(itertools.product(*ranges))


def check_structure(path: str | Path) -> int:
    """Read every object header and attribute of an HDF5 file with h5py, refusing what fails.

    For a file another library (libnetcdf) opens next: libnetcdf reads every attribute and
    dimension list at open, and on a damaged one its error path can leave the process's heap
    corrupted (the robustness harness saw it on damaged HDF5 files that h5py refuses cleanly).
    The global heaps are checked first (:func:`check_global_heaps`), so the variable-length
    values read here cannot hang libhdf5. The work is bounded by the number of objects and
    attributes, not by the data.

    Args:
        path: The HDF5 file.

    Returns:
        The number of objects read.

    Raises:
        FileFormatError: If an object header, an attribute or a dataset's creation properties
            cannot be read.
    """
    import h5py

    count = 0

    def visit(name: str, obj: Any) -> None:
        nonlocal count
        count += 1
        for key in obj.attrs:
            obj.attrs.get(key)  # reading the value is the check
        if isinstance(obj, h5py.Dataset):
            plist = obj.id.get_create_plist()
            for i in range(plist.get_nfilters()):
                plist.get_filter(i)

    try:
        with h5py.File(path, "r") as f:
            check_global_heaps(path, length_size(f))
            visit("/", f)
            f.visititems(visit)
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from None
    return count
