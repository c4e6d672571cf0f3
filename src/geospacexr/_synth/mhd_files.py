r"""MHD output in the real file layouts of SWMF (BATS-R-US IDL) and LFM (HDF4), from one field.

Both samples carry the same analytic magnetosphere, so later tests (field lines, L*) have an
exact reference. In SM coordinates (x sunward, z along the dipole axis; Re, nT):

.. math::

    \mathbf B = \mathbf B_\mathrm{dip} + \mathbf B_\mathrm{ext},\qquad
    \mathbf B_\mathrm{dip} = \frac{B_0}{r^5}\left(-3xz,\ -3yz,\ r^2 - 3z^2\right),\qquad
    \mathbf B_\mathrm{ext} = \left(S z,\ 0,\ C + S x\right)

with :math:`B_0` = :data:`B0_NT` (the equatorial surface field; the moment points south, so the
equatorial field points north), a uniform northward :math:`C` = :data:`COMPRESSION_NT` (the
first-order Chapman-Ferraro compression) and a gradient :math:`S` = :data:`STRETCH_NT_PER_RE`
that adds field on the dayside (:math:`x > 0`, more compressed) and removes it on the nightside
(stretched; the equatorial :math:`B_z` changes sign near :math:`x \approx -14` Re). The external
part is :math:`-\nabla\Phi` with :math:`\Phi = -(C z + S x z)`: curl- and divergence-free, so
:math:`\mathbf B` is a potential field and its field lines are computable to any accuracy.

The plasma is smooth and made so that every variable differs from every other (a swapped column
shows): density :math:`D = 1 + 9\,e^{-(r-6)^2/8}` cm\ :sup:`-3`, pressure
:math:`P = 0.01 + (1 + 0.3\,x/r)\,e^{-(r-6)^2/8}` nPa, velocity :math:`(-5y,\ 5x,\ 0.5z)`
km/s, and a marker current :math:`(10^{-3}y,\ -10^{-3}x,\ 10^{-4}z)` µA/m² (a pattern, *not*
:math:`\nabla\times\mathbf B/\mu_0`, which is zero).

* :func:`swmf_generator`: the ``swmf-idl`` sample: a 3-D block-adaptive BATS-R-US file (an
  unstructured point cloud, ``ndim = -3``, blocks of 4x4x4 cells refined towards the Earth),
  little-endian single precision as BATS-R-US writes on x86; a 2-D ``y=0`` cut in ASCII; and a
  two-frame ``z=0`` ``.outs`` file, big-endian double precision.
* :func:`lfm_generator`: the ``lfm-hdf`` sample: one LFM HDF4 step written as pyLTR's
  ``lfmstartup`` writes LFM files (float32 arrays of corner size ``(nk+1, nj+1, ni+1)``, cm,
  g/cm³, cm/s, gauss; the ``ni``/``nj``/``nk``/``units`` attributes and the global ``mjd``,
  ``time_step``, ``time_8byte``...), on a spherical grid about the x axis like LFM's.
:func:`write_idl` and :func:`write_lfm` write any such content (the tests use them for damaged
and other-flavoured variants).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

#: Equatorial surface field of the dipole, nT (rbinvariantslib's EARTH_DIPOLE_B0).
B0_NT = 30000.0
#: Uniform northward compression field, nT.
COMPRESSION_NT = 20.0
#: Dayside-nightside gradient of the external Bz, nT per Re.
STRETCH_NT_PER_RE = 2.0
#: The samples' time (the SWMF file names and the LFM ``mjd``).
SAMPLE_TIME = datetime(2013, 9, 24, 23, 26, 0)
#: Proton mass, g (kaipy's LFM conversion), and LFM's adiabatic index.
PROTON_MASS_G = 1.6726219e-24
GAMMA = 5.0 / 3.0
#: The Earth radius LFM's grids are scaled by, cm (pyLTR, kaipy).
LFM_RE_CM = 6.38e8

SWMF_3D = "3d__mhd_1_e20130924-232600-000.out"
SWMF_Y0 = "y=0_mhd_1_e20130924-232600-000.out"
SWMF_Z0 = "z=0_mhd_2_e20130924-232600-000_20130924-232700-000.outs"
LFM_FILE = "SAMPLE_mhd_2013-09-24T23-26-00Z.hdf"

#: BATS-R-US's names, units header and parameters of a 3-D MHD plot.
IDL_VARIABLES = ("rho", "ux", "uy", "uz", "bx", "by", "bz", "p", "jx", "jy", "jz")
IDL_UNITS = "Mp/cc km/s km/s km/s nT nT nT nPa uA/m2 uA/m2 uA/m2"
IDL_PARAMS = {"g": 1.66667, "rbody": 2.5}


def magnetic_field(x: Any, y: Any, z: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The samples' magnetic field (module docstring), nT, at SM positions in Re.

    Args:
        x: SM x, Re (any shape, broadcast with ``y`` and ``z``).
        y: SM y, Re.
        z: SM z, Re.

    Returns:
        ``(Bx, By, Bz)`` in nT.
    """
    x, y, z = (np.asarray(v, float) for v in (x, y, z))
    r2 = x * x + y * y + z * z
    # r^5 from correctly rounded operations only (x**2.5 goes through pow, whose last bit
    # differs between numpy builds and CPUs): the samples are the same bytes on every machine
    r5 = r2 * r2 * np.sqrt(r2)
    bx = -3 * B0_NT * x * z / r5 + STRETCH_NT_PER_RE * z
    by = -3 * B0_NT * y * z / r5 + 0 * x
    bz = B0_NT * (r2 - 3 * z * z) / r5 + COMPRESSION_NT + STRETCH_NT_PER_RE * x
    return bx, by, bz


def plasma(x: Any, y: Any, z: Any) -> dict[str, np.ndarray]:
    """The samples' plasma and current (module docstring) at SM positions in Re.

    Args:
        x: SM x, Re.
        y: SM y, Re.
        z: SM z, Re.

    Returns:
        ``{"D": cm-3, "P": nPa, "Vx", "Vy", "Vz": km/s, "Jx", "Jy", "Jz": uA/m2}``.
    """
    x, y, z = np.broadcast_arrays(*(np.asarray(v, float) for v in (x, y, z)))
    r = np.sqrt(x * x + y * y + z * z)
    ring = np.exp(-((r - 6.0) ** 2) / 8.0)
    return {
        "D": 1.0 + 9.0 * ring,
        "P": 0.01 + (1.0 + 0.3 * x / np.maximum(r, 1e-9)) * ring,
        "Vx": -5.0 * y,
        "Vy": 5.0 * x,
        "Vz": 0.5 * z,
        "Jx": 1e-3 * y,
        "Jy": -1e-3 * x,
        "Jz": 1e-4 * z,
    }


def fields(x: Any, y: Any, z: Any) -> dict[str, np.ndarray]:
    """Every sample variable under the ``mhd`` Dataset's names (D, P, V*, B*, J*).

    Args:
        x: SM x, Re.
        y: SM y, Re.
        z: SM z, Re.

    Returns:
        Name -> values.
    """
    out = plasma(x, y, z)
    out["Bx"], out["By"], out["Bz"] = magnetic_field(x, y, z)
    return out


# --------------------------------------------------------------------------- SWMF IDL


def write_idl(
    path: str | Path,
    frames: Sequence[dict[str, Any]],
    *,
    byteorder: str = "<",
    precision: str = "single",
    ascii: bool = False,
) -> Path:
    """Write frames in BATS-R-US's IDL plot format (binary Fortran records, or ASCII).

    Args:
        path: The file (``.out``; ``.outs`` for several frames).
        frames: Dicts with ``headline`` (str), ``iteration`` (int), ``runtime`` (s), ``ndim``
            (signed), ``grid`` (sizes), ``params`` (name -> value), ``names`` (coordinates then
            variables), ``coords`` (``(|ndim|, npoints)``) and ``values`` (``(nvar, npoints)``),
            points in Fortran order.
        byteorder: ``"<"`` or ``">"`` (binary).
        precision: ``"single"`` or ``"double"`` (binary).
        ascii: Write the ASCII flavour instead.

    Returns:
        The path written.
    """
    path = Path(path)
    if ascii:
        lines = []
        for f in frames:
            coords = np.asarray(f["coords"], float)
            values = np.asarray(f["values"], float)
            nvar = values.shape[0]
            lines.append(f["headline"])
            lines.append(
                f"{f['iteration']:8d} {f['runtime']:13.5E} {f['ndim']:3d} "
                f"{len(f['params']):3d} {nvar:3d}"
            )
            lines.append(" ".join(f"{n:8d}" for n in f["grid"]))
            if f["params"]:
                lines.append(" ".join(f"{v:13.5E}" for v in f["params"].values()))
            lines.append(" ".join([*f["names"], *f["params"]]))
            table = np.vstack([coords, values]).T
            lines.extend(" ".join(f"{v: .7E}" for v in row) for row in table)
        path.write_text("\n".join(lines) + "\n")
        return path
    fdt = np.dtype(byteorder + ("f4" if precision == "single" else "f8"))
    head = struct.Struct(byteorder + ("ifiii" if precision == "single" else "idiii"))
    out = bytearray()

    def record(payload: bytes) -> None:
        mark = struct.pack(byteorder + "i", len(payload))
        out.extend(mark + payload + mark)

    for f in frames:
        values = np.asarray(f["values"], float)
        nvar = values.shape[0]
        record(f["headline"].ljust(79).encode("ascii"))
        record(head.pack(f["iteration"], f["runtime"], f["ndim"], len(f["params"]), nvar))
        record(struct.pack(f"{byteorder}{len(f['grid'])}i", *f["grid"]))
        if f["params"]:
            record(np.asarray(list(f["params"].values()), fdt).tobytes())
        record(" ".join([*f["names"], *f["params"]]).ljust(79).encode("ascii"))
        record(np.asarray(f["coords"], fdt).tobytes())
        for v in values:
            record(np.asarray(v, fdt).tobytes())
    path.write_bytes(bytes(out))
    return path


def _block_cells(lo: tuple[float, ...], size: float, n: int) -> np.ndarray:
    """Cell centres of one block, ``(ndim, n**ndim)``, first index fastest."""
    dx = size / n
    axes = [lo_d + dx * (np.arange(n) + 0.5) for lo_d in lo]
    grids = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.ravel(order="F") for g in grids])


def amr_cells(
    lo: Sequence[float], hi: Sequence[float], root: float, levels: int, radius: float,
    cells_per_block: int = 4,
) -> np.ndarray:  # fmt: skip
    """Cell centres of a block-adaptive grid refined towards the origin, block by block.

    The domain is cut into cubic root blocks of side ``root``; a block is split in 2^ndim
    children while it reaches within ``radius / 2**level`` of the origin and ``level < levels``.
    Each leaf block holds ``cells_per_block`` cells a side, listed first index fastest, as
    BATS-R-US lists the cells of its blocks in an unstructured plot.

    Args:
        lo: Lower domain corner (2 or 3 values), Re.
        hi: Upper domain corner, Re.
        root: Root block side, Re.
        levels: Refinement levels below the root.
        radius: Refinement radius at the root level, Re.
        cells_per_block: Cells per block side.

    Returns:
        ``(ndim, ncells)`` centres.
    """
    nd = len(lo)
    counts = [round((h - low) / root) for low, h in zip(lo, hi, strict=True)]
    stack = [
        (tuple(lo[d] + root * idx[d] for d in range(nd)), root, 0)
        for idx in np.ndindex(*counts[::-1])
        for idx in [idx[::-1]]
    ]
    leaves = []
    while stack:
        corner, size, level = stack.pop(0)
        nearest = np.clip(0.0, np.array(corner), np.array(corner) + size)
        near = np.linalg.norm(nearest) < radius / 2**level
        if level < levels and near:
            half = size / 2
            for idx in np.ndindex(*(2,) * nd):
                child = tuple(corner[d] + half * idx[::-1][d] for d in range(nd))
                stack.append((child, half, level + 1))
        else:
            leaves.append(_block_cells(corner, size, cells_per_block))
    return np.concatenate(leaves, axis=1)


def _idl_frame(coords: np.ndarray, names: Sequence[str], plane: str | None, runtime: float,
               iteration: int) -> dict[str, Any]:  # fmt: skip
    """An MHD frame at the cell centres ``coords`` (3-D, or a cut ``plane`` "y=0"/"z=0")."""
    nd, npts = coords.shape
    if plane is None:
        x, y, z = coords
    elif plane == "y=0":
        x, z = coords
        y = np.zeros_like(x)
    else:
        x, y = coords
        z = np.zeros_like(x)
    values = fields(x, y, z)
    std = ("D", "Vx", "Vy", "Vz", "Bx", "By", "Bz", "P", "Jx", "Jy", "Jz")
    return {
        "headline": "R R R " + IDL_UNITS,
        "iteration": iteration,
        "runtime": runtime,
        "ndim": -nd,
        "grid": [npts, 1, 1][:nd],
        "params": dict(IDL_PARAMS),
        "names": list(names),
        "coords": coords,
        "values": np.stack([values[s] for s in std]),
    }


def swmf_frames() -> dict[str, list[dict[str, Any]]]:
    """The frames of the ``swmf-idl`` sample's three files, by file name.

    Returns:
        ``{file name: [frame, ...]}`` (see :func:`write_idl` for a frame).
    """
    cells3 = amr_cells((-24.0, -16.0, -16.0), (8.0, 16.0, 16.0), 8.0, 2, 6.0)
    cells2 = amr_cells((-24.0, -16.0), (8.0, 16.0), 8.0, 3, 6.0)
    return {
        SWMF_3D: [_idl_frame(cells3, ("x", "y", "z", *IDL_VARIABLES), None, 0.0, 0)],
        SWMF_Y0: [_idl_frame(cells2, ("x", "z", *IDL_VARIABLES), "y=0", 0.0, 0)],
        SWMF_Z0: [
            _idl_frame(cells2, ("x", "y", *IDL_VARIABLES), "z=0", 0.0, 0),
            _idl_frame(cells2, ("x", "y", *IDL_VARIABLES), "z=0", 60.0, 120),
        ],
    }


def swmf_generator() -> Callable[[Path], list[str]]:
    """Generator of the ``swmf-idl`` sample (three IDL files, see the module docstring).

    Returns:
        ``generate(folder) -> [file names]``.
    """

    def generate(folder: Path) -> list[str]:
        folder = Path(folder)
        frames = swmf_frames()
        write_idl(folder / SWMF_3D, frames[SWMF_3D], byteorder="<", precision="single")
        write_idl(folder / SWMF_Y0, frames[SWMF_Y0], ascii=True)
        write_idl(folder / SWMF_Z0, frames[SWMF_Z0], byteorder=">", precision="double")
        return [SWMF_3D, SWMF_Y0, SWMF_Z0]

    return generate


# --------------------------------------------------------------------------- LFM HDF4

#: pyLTR's ``lfmstartup`` variables and units, in its order.
LFM_VARIABLES = (
    ("X_grid", "cm"), ("Y_grid", "cm"), ("Z_grid", "cm"),
    ("rho_", "g/cm^3"), ("vx_", "cm/s"), ("vy_", "cm/s"), ("vz_", "cm/s"), ("c_", "cm/s"),
    ("bx_", "gauss"), ("by_", "gauss"), ("bz_", "gauss"),
    ("bi_", "gauss*cm^2"), ("bj_", "gauss*cm^2"), ("bk_", "gauss*cm^2"),
    ("ei_", "cgs*cm"), ("ej_", "cgs*cm"), ("ek_", "cgs*cm"),
    ("ai_", "dummy"), ("aj_", "dummy"), ("ak_", "dummy"),
)  # fmt: skip


def lfm_corners(ni: int = 20, nj: int = 14, nk: int = 20, r_in: float = 2.1,
                r_out: float = 30.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Corner positions of an LFM-like grid about the x axis, ``(nk+1, nj+1, ni+1)``, Re.

    ``i`` is radial (geometric spacing from ``r_in`` to ``r_out``), ``j`` the angle from the
    +x axis (0 to pi: the grid's axis is singular at both ends, as LFM's is) and ``k`` the
    azimuth about x from +y (dusk) through +z (north), 0 to 2 pi (the last plane repeats the
    first).

    Args:
        ni: Radial cells.
        nj: Polar cells.
        nk: Azimuthal cells.
        r_in: Inner radius, Re.
        r_out: Outer radius, Re.

    Returns:
        ``(X, Y, Z)`` in Re, each ``(nk+1, nj+1, ni+1)``.
    """
    r = r_in * (r_out / r_in) ** (np.arange(ni + 1) / ni)
    theta = np.pi * np.arange(nj + 1) / nj
    phi = 2 * np.pi * np.arange(nk + 1) / nk
    p, t, rr = np.meshgrid(phi, theta, r, indexing="ij")
    x = rr * np.cos(t)
    y = rr * np.sin(t) * np.cos(p)
    z = rr * np.sin(t) * np.sin(p)
    y[np.abs(y) < 1e-12 * rr] = 0.0
    z[np.abs(z) < 1e-12 * rr] = 0.0
    return x, y, z


def cell_centres(a: np.ndarray) -> np.ndarray:
    """Mean of the 8 corners of each cell of a corner array (rbinvariantslib's formula).

    Args:
        a: Corner values, ``(nk+1, nj+1, ni+1)``.

    Returns:
        ``(nk, nj, ni)`` cell means.
    """
    return (
        a[:-1, :-1, :-1] + a[1:, :-1, :-1] + a[:-1, 1:, :-1] + a[:-1, :-1, 1:]
        + a[1:, 1:, :-1] + a[:-1, 1:, 1:] + a[1:, :-1, 1:] + a[1:, 1:, 1:]
    ) / 8.0  # fmt: skip


def _mjd(when: datetime) -> float:
    return (when - datetime(1858, 11, 17)).total_seconds() / 86400.0


def write_lfm(
    path: str | Path,
    corners: tuple[np.ndarray, np.ndarray, np.ndarray],
    values: dict[str, np.ndarray],
    when: datetime = SAMPLE_TIME,
    elapsed: float = 3000.0,
) -> Path:
    """Write one LFM step as HDF4 the way pyLTR's ``lfmstartup`` lays LFM files out.

    Args:
        path: The ``.hdf`` file.
        corners: ``(X, Y, Z)`` corner positions in Re, ``(nk+1, nj+1, ni+1)``.
        values: Cell-centred ``D`` (cm-3), ``P`` (nPa), ``Vx..Vz`` (km/s), ``Bx..Bz`` (nT),
            each ``(nk, nj, ni)``; written in LFM's units into corner-sized arrays whose last
            plane along each axis is unused (zero).
        when: The step's time (global ``mjd``).
        elapsed: Simulation time, s (``time``, ``time_8byte``).

    Returns:
        The path written.
    """
    from pyhdf.SD import SD, SDC

    path = Path(path)
    if path.exists():
        path.unlink()
    shape = corners[0].shape
    rho = values["D"] * PROTON_MASS_G
    sound = np.sqrt(GAMMA * values["P"] * 1e-8 / rho)  # nPa -> dyn cm-2
    cell = {
        "rho_": rho, "c_": sound,
        "vx_": values["Vx"] * 1e5, "vy_": values["Vy"] * 1e5, "vz_": values["Vz"] * 1e5,
        "bx_": values["Bx"] * 1e-5, "by_": values["By"] * 1e-5, "bz_": values["Bz"] * 1e-5,
    }  # fmt: skip
    # HDF4 stores the name SD() was given in the file: open it by its bare name from its folder,
    # so the same content gives the same bytes wherever it is written
    with contextlib.chdir(path.parent):
        sd = SD(path.name, SDC.WRITE | SDC.CREATE)
    try:
        sd.attr("mjd").set(SDC.FLOAT64, _mjd(when))
        sd.attr("time_step").set(SDC.INT32, 0)
        sd.attr("time_8byte").set(SDC.FLOAT64, float(elapsed))
        sd.attr("time").set(SDC.FLOAT32, float(elapsed))
        sd.attr("tilt_angle").set(SDC.FLOAT32, 0.0)
        sd.attr("tzero").set(SDC.FLOAT32, 3000.0)
        sd.attr("file_contents").set(SDC.CHAR, "a")
        sd.attr("dipole_moment").set(SDC.CHAR, "b")
        sd.attr("written_by").set(SDC.CHAR, "geospacexr sample (pyLTR lfmstartup layout)")
        for name, unit in LFM_VARIABLES:
            sds = sd.create(name, SDC.FLOAT32, shape)
            sds.attr("ni").set(SDC.INT32, shape[2])
            sds.attr("nj").set(SDC.INT32, shape[1])
            sds.attr("nk").set(SDC.INT32, shape[0])
            sds.attr("units").set(SDC.CHAR, unit)
            data = np.zeros(shape, "float32")
            if name in ("X_grid", "Y_grid", "Z_grid"):
                data[:] = corners["XYZ".index(name[0])] * LFM_RE_CM
            elif name in cell:
                data[:-1, :-1, :-1] = cell[name]
            sds[:] = data
            sds.endaccess()
    finally:
        sd.end()
    return path


def lfm_generator() -> Callable[[Path], list[str]]:
    """Generator of the ``lfm-hdf`` sample (one LFM HDF4 step; needs pyhdf).

    Returns:
        ``generate(folder) -> [file name]``.
    """

    def generate(folder: Path) -> list[str]:
        corners = lfm_corners()
        centres = [cell_centres(c.astype("float32").astype(float)) for c in corners]
        write_lfm(Path(folder) / LFM_FILE, corners, fields(*centres))
        return [LFM_FILE]

    return generate
