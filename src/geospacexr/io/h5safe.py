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

import mmap
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FileFormatError

__all__ = ["check_global_heaps", "length_size", "read_strings"]

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
