"""The MAGE samples: a small GAMERA magnetosphere run and its ReMIX ionosphere, in the real layout.

The layout is the one kaipy 1.1.5 reads (``kaipy/kaiH5.py``, ``kaipy/gamera/gampp.py``,
``kaipy/remix/remix.py`` and its test fixtures; see ``docs/mhd.md``):

* ``msphere.gam.h5`` (serial) or ``msphere_0002_0002_0001_000i_000j_0000.gam.h5`` (a 2x2x1 MPI
  decomposition of the same run): root ``X``, ``Y``, ``Z`` cell corners (R_E, SM) and ``dV``,
  root attributes ``UnitsID = b"CODE"`` and ``MagM0``, a ``timeAttributeCache`` group and one
  ``Step#<n>`` group per output with attributes ``time`` (code units of 63.8 s), ``MJD``,
  ``timestep`` and cell-centred datasets ``D P Vx Vy Vz Bx By Bz Jx Jy Jz``, every array stored
  with the Fortran axes reversed, ``(k, j, i)``, in float32 and in code units (B/4.58 nT,
  P/1.67e-2 nPa, V/100 km/s; D in cm-3; J written as the nA/m2 kaipy assumes).
* ``msphere.mix.h5``: root ``X``, ``Y`` corners of the unit-sphere projection
  (``sin(colat) cos(phi)``, ``sin(colat) sin(phi)``, ``phi`` from noon towards dusk), steps with
  ``"<quantity> NORTH"`` / ``"<quantity> SOUTH"`` datasets ``(Nlat, Nlon)``, the southern
  hemisphere stored with its longitudes mirrored (kaipy reads it ``[:, ::-1]``) and the
  field-aligned current as ReMIX stores it (along B: kaipy negates the northern one to get
  upward-positive).

The physics is analytic, so the files are the same byte for byte every time:

* the grid is LFM-like: spherical shells around the X (Sun-Earth) axis, ``i`` radial from 2 R_E
  to an egg-shaped outer boundary (25 R_E sunward, 60 R_E tailward), ``j`` the angle from +X,
  ``k`` the azimuth around X (``k = 0`` in the ``z = 0`` plane, ``y > 0``);
* B is a dipole (``MagM0`` = -29617.37 nT R_E^3, kaipy's default) plus its Chapman-Ferraro image
  dipole behind a Shue-like magnetopause (compressed dayside) and a cross-tail current sheet
  from the vector potential ``A_y = -B_T D log cosh(z/D) f(x)`` (a stretched nightside; exactly
  divergence-free), with a southward IMF outside the magnetopause; J is its analytic curl (the
  tail current ``J_y``);
* D, P and V: solar wind outside the magnetopause (5 cm-3, 400 km/s), a magnetosheath, tenuous
  lobes and a plasma sheet of 0.5 cm-3 and 0.4 nPa around ``z = 0`` on the nightside;
* the run compresses and stretches over its steps (magnetopause 10.5 to 9 R_E, tail field
  20 to 35 nT);
* ReMIX: region 1 (upward on dusk) and region 2 (upward on dawn) currents, a two-cell potential
  (dawn positive, 60 kV north, 52 kV south), conductances and precipitation in the oval.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np

#: Run id of the sample (kaipy's msphpic default).
RUNID = "msphere"
#: Cells along i (radial), j (polar angle from +X), k (azimuth around X).
NI, NJ, NK = 32, 16, 32
#: The MPI decomposition of the ``mage-msphere-mpi`` sample (Ri, Rj, Rk).
DECOMPOSITION = (2, 2, 1)
#: Output steps (Step#<n>), their code times (units of 63.8 s) and MJD.
STEPS = (0, 1, 2, 3)
CODE_TIME = 63.8
START_MJD = 58_000.25  # 2017-09-04T06:00:00
CADENCE_S = 60.0
#: kaipy's default dipole moment, nT R_E^3 (-EarthM0g * 1e5).
MAGM0 = -0.2961737e5
#: CODE unit factors (kaipy magsphere.py): B, P, V.
B_UNIT, P_UNIT, V_UNIT = 4.58, 1.67e-2, 1.0e2
#: ReMIX grid: colatitude 0-45 degrees in NLAT rows, NLON longitudes.
NLAT, NLON = 45, 90
REMIX_LOW_LAT = 45.0


def _mjd(step: int) -> float:
    return START_MJD + step * CADENCE_S / 86_400.0


def corners(
    shape: tuple[int, int, int] = (NI, NJ, NK),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The corner grid ``X, Y, Z`` of the whole run, shape ``(NK+1, NJ+1, NI+1)`` (R_E, SM).

    Args:
        shape: Cells along ``(i, j, k)`` (the sample's by default; a bigger run for benchmarks).
    """
    NI, NJ, NK = shape
    i = np.arange(NI + 1) / NI
    theta = np.pi * np.arange(NJ + 1) / NJ
    phi = 2.0 * np.pi * np.arange(NK + 1) / NK
    r_in = 2.0
    r_out = 25.0 + 35.0 * (1.0 - np.cos(theta)) / 2.0  # egg: 25 sunward, 60 tailward
    r = r_in * (r_out[:, None] / r_in) ** i[None, :]  # (j, i)
    th = theta[:, None]
    x = r * np.cos(th)
    rho = r * np.sin(th)
    X = np.broadcast_to(x, (NK + 1, NJ + 1, NI + 1))
    Y = rho[None] * np.cos(phi)[:, None, None]
    Z = rho[None] * np.sin(phi)[:, None, None]
    # the axis (theta = 0, pi) is exactly on it
    Y[:, [0, NJ], :] = 0.0
    Z[:, [0, NJ], :] = 0.0
    return np.array(X), Y, Z


def centres(X: np.ndarray, Y: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cell centres: the mean of the eight corners of each cell."""

    def mean8(a: np.ndarray) -> np.ndarray:
        return 0.125 * (
            a[:-1, :-1, :-1] + a[1:, :-1, :-1] + a[:-1, 1:, :-1] + a[:-1, :-1, 1:]
            + a[1:, 1:, :-1] + a[1:, :-1, 1:] + a[:-1, 1:, 1:] + a[1:, 1:, 1:]
        )  # fmt: skip

    return mean8(X), mean8(Y), mean8(Z)


def cell_volumes(X: np.ndarray, Y: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Cell volumes (R_E^3): the hexahedron split into six tetrahedra along its diagonal."""
    p = np.stack([X, Y, Z], axis=-1)

    def c(dk: int, dj: int, di: int) -> np.ndarray:
        nk, nj, ni = X.shape
        return p[dk : nk - 1 + dk, dj : nj - 1 + dj, di : ni - 1 + di]

    v0, v7 = c(0, 0, 0), c(1, 1, 1)
    path = [c(0, 0, 1), c(0, 1, 1), c(0, 1, 0), c(1, 1, 0), c(1, 0, 0), c(1, 0, 1), c(0, 0, 1)]
    vol = np.zeros(v0.shape[:-1])
    d = v7 - v0
    for a, b in itertools.pairwise(path):
        vol += np.einsum("...i,...i", d, np.cross(a - v0, b - v0)) / 6.0
    return np.abs(vol)


def _state(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, n: int, count: int = len(STEPS)
) -> dict[str, np.ndarray]:
    """The physical fields (nT, nPa, km/s, cm-3, nA/m2) at points, step index ``n`` of ``count``."""
    frac = n / max(count - 1, 1)
    r0 = 10.5 - 1.5 * frac  # subsolar magnetopause, R_E
    b_tail = 20.0 + 15.0 * frac  # lobe field, nT
    half = 1.0  # current sheet half thickness D, R_E
    x0, width = 6.0, 2.0  # the tail field switches on beyond x = -x0
    r = np.sqrt(x**2 + y**2 + z**2)
    r = np.maximum(r, 1e-6)
    # dipole (moment MAGM0 along z) and its image at (2 r0, 0, 0)
    bx = 3 * MAGM0 * x * z / r**5
    by = 3 * MAGM0 * y * z / r**5
    bz = MAGM0 * (3 * z**2 - r**2) / r**5
    xi = x - 2 * r0
    ri = np.maximum(np.sqrt(xi**2 + y**2 + z**2), 1e-6)
    bx += 3 * MAGM0 * xi * z / ri**5
    by += 3 * MAGM0 * y * z / ri**5
    bz += MAGM0 * (3 * z**2 - ri**2) / ri**5
    # tail: A_y = -B_T D log cosh(z/D) f(x), f = (1 - tanh((x + x0)/w)) / 2
    s = (x + x0) / width
    f = 0.5 * (1.0 - np.tanh(s))
    fp = -0.5 / np.cosh(s) ** 2 / width
    fpp = np.tanh(s) / np.cosh(s) ** 2 / width**2
    t = z / half
    lncosh = np.abs(t) + np.log1p(np.exp(-2 * np.abs(t))) - np.log(2.0)
    bx += b_tail * np.tanh(t) * f
    bz += -b_tail * half * lncosh * fp
    # mu0 J_y = B_T (sech^2(z/D) f / D + D log cosh(z/D) f''), in nT/R_E -> nA/m2
    nt_per_re = 1e-9 / (4e-7 * np.pi * 6.3781e6) * 1e9  # nA/m2 of 1 nT/R_E
    jy = b_tail * (f / np.cosh(t) ** 2 / half + half * lncosh * fpp) * nt_per_re
    jx = np.zeros_like(jy)
    jz = np.zeros_like(jy)
    # magnetopause (Shue et al. 1998 shape, alpha 0.55), magnetosheath 1.5 R_E thick
    cos_t = np.clip(x / r, -1.0, 1.0)
    r_mp = r0 * (2.0 / (1.0 + cos_t)) ** 0.55
    outside = r > r_mp
    sheath = outside & (r < r_mp + 1.5 + 2.0 * (1 - cos_t))
    imf = np.array([0.0, 2.0, -5.0])
    comp = np.where(sheath, 3.0, 1.0)
    bx = np.where(outside, imf[0] * comp, bx)
    by = np.where(outside, imf[1] * comp, by)
    bz = np.where(outside, imf[2] * comp, bz)
    for j in (jx, jy, jz):
        j[outside] = 0.0
    # plasma
    ps = np.exp(-((z / (2.0 * half)) ** 2)) * (x < -4.0) * (1 - np.exp(-((x + 4.0) ** 2) / 8))
    d_in = 0.02 + 0.5 * ps + 2000.0 * np.exp(-(r - 2.0) / 0.6) / r**3  # lobes, sheet, plasmasphere
    p_in = 0.005 + 0.4 * ps
    d = np.where(sheath, 20.0, np.where(outside, 5.0, d_in))
    p = np.where(sheath, 1.8, np.where(outside, 0.02, p_in))
    vx_in = 30.0 * ps * np.sign(-x - 10.0)  # earthward inside 10 R_E... tailward beyond
    vx = np.where(sheath, -200.0, np.where(outside, -400.0, vx_in))
    vy = np.where(sheath, -80.0 * y / np.maximum(r, 1.0), 0.0)
    vz = np.where(sheath, -80.0 * z / np.maximum(r, 1.0), 0.0)
    return {
        "D": d, "P": p, "Vx": vx, "Vy": vy, "Vz": vz,
        "Bx": bx, "By": by, "Bz": bz, "Jx": jx, "Jy": jy, "Jz": jz,
    }  # fmt: skip


#: physical -> code factor of each variable (CODE units)
_TO_CODE = {
    "D": 1.0, "P": 1 / P_UNIT, "Vx": 1 / V_UNIT, "Vy": 1 / V_UNIT, "Vz": 1 / V_UNIT,
    "Bx": 1 / B_UNIT, "By": 1 / B_UNIT, "Bz": 1 / B_UNIT, "Jx": 1.0, "Jy": 1.0, "Jz": 1.0,
}  # fmt: skip
VARIABLES = tuple(_TO_CODE)


def run_fields(
    count: int = len(STEPS), shape: tuple[int, int, int] = (NI, NJ, NK)
) -> tuple[tuple[np.ndarray, ...], np.ndarray, list[dict[str, np.ndarray]]]:
    """The whole run: corners, cell volumes and, per step, the code-unit float32 fields.

    Args:
        count: Number of steps (the sample's four by default).
        shape: Cells along ``(i, j, k)``.
    """
    X, Y, Z = corners(shape)
    xc, yc, zc = centres(X, Y, Z)
    dv = cell_volumes(X, Y, Z)
    steps = []
    for n in range(count):
        phys = _state(xc, yc, zc, n, count)
        steps.append({k: (v * _TO_CODE[k]).astype(np.float32) for k, v in phys.items()})
    return (X, Y, Z), dv, steps


def _write_gamera(
    path: Path,
    grid: tuple[np.ndarray, ...],
    dv: np.ndarray,
    steps: list[dict[str, np.ndarray]],
    cells: tuple[slice, slice, slice],
    numbers: tuple[int, ...] = STEPS,
) -> None:
    import h5py

    ks, js, is_ = cells
    corner = (
        slice(ks.start, ks.stop + 1),
        slice(js.start, js.stop + 1),
        slice(is_.start, is_.stop + 1),
    )
    with h5py.File(path, "w", track_order=False) as f:
        f.attrs["UnitsID"] = np.bytes_("CODE")
        f.attrs["MagM0"] = np.float64(MAGM0)
        f.attrs["GITHASH"] = np.bytes_("0000000000000000000000000000000000000000")
        f.attrs["GITBRANCH"] = np.bytes_("synthetic")
        for name, a in zip("XYZ", grid, strict=True):
            f.create_dataset(name, data=a[corner].astype(np.float32))
        f.create_dataset("dV", data=dv[cells].astype(np.float32))
        tac = f.create_group("timeAttributeCache")
        tac.create_dataset("step", data=np.array(numbers, dtype=np.int32))
        tac.create_dataset("time", data=np.array([60.0 * s / CODE_TIME for s in numbers]))
        tac.create_dataset("MJD", data=np.array([_mjd(s) for s in numbers]))
        tac.create_dataset("timestep", data=np.array([100 * s for s in numbers], dtype=np.int32))
        for n, fields in zip(numbers, steps, strict=True):
            g = f.create_group(f"Step#{n}")
            g.attrs["time"] = np.float64(60.0 * n / CODE_TIME)
            g.attrs["MJD"] = np.float64(_mjd(n))
            g.attrs["timestep"] = np.int32(100 * n)
            for name in VARIABLES:
                g.create_dataset(name, data=fields[name][cells])


def gamera_generator(
    mpi: bool = False, count: int = len(STEPS), shape: tuple[int, int, int] = (NI, NJ, NK)
) -> Callable[[Path], list[str]]:
    """A generator of the GAMERA sample: serial (one file) or the 2x2x1 MPI blocks.

    Args:
        mpi: Write the 2x2x1 decomposition (four ``..._0002_0002_0001_i_j_k.gam.h5`` files).
        count: Number of steps, ``Step#0`` to ``Step#<count - 1>`` one minute apart (the
            sample's four by default; more for a benchmark run, the same physics).
        shape: Cells along ``(i, j, k)`` (the sample's 32 x 16 x 32 by default).

    Returns:
        ``generate(folder) -> [file names]``.
    """

    def generate(folder: Path) -> list[str]:
        grid, dv, steps = run_fields(count, shape)
        numbers = tuple(range(count))
        ni, nj, nk = shape
        everything = (slice(0, nk), slice(0, nj), slice(0, ni))
        if not mpi:
            name = f"{RUNID}.gam.h5"
            _write_gamera(folder / name, grid, dv, steps, everything, numbers)
            return [name]
        ri, rj, rk = DECOMPOSITION
        di, dj, dk = ni // ri, nj // rj, nk // rk
        names = []
        for i in range(ri):
            for j in range(rj):
                for k in range(rk):
                    name = f"{RUNID}_{ri:04d}_{rj:04d}_{rk:04d}_{i:04d}_{j:04d}_{k:04d}.gam.h5"
                    cells = (
                        slice(k * dk, (k + 1) * dk),
                        slice(j * dj, (j + 1) * dj),
                        slice(i * di, (i + 1) * di),
                    )
                    _write_gamera(folder / name, grid, dv, steps, cells, numbers)
                    names.append(name)
        return names

    return generate


def _gauss(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2)


def remix_state(
    colat: np.ndarray, phi: np.ndarray, n: int, south: bool, count: int = len(STEPS)
) -> dict[str, np.ndarray]:
    """ReMIX quantities at cell centres (colatitude, longitude from noon to dusk, degrees).

    Returns upward-positive FAC (uA/m2) and the other quantities in kaipy's units.
    """
    frac = n / max(count - 1, 1)
    cpcp = (60.0 if not south else 52.0) * (1.0 + 0.2 * frac)
    cap = 16.0 + 2.0 * frac  # polar cap boundary colatitude
    s = np.sin(np.radians(phi))
    fac = 1.0 * _gauss(colat, cap + 1.0, 1.5) * s - 0.6 * _gauss(colat, cap + 6.0, 2.0) * s
    h = np.where(colat <= cap, colat / cap, (cap / np.maximum(colat, 1e-6)) ** 4)
    potential = -0.5 * cpcp * s * h  # dawn (phi = 270, s = -1) positive
    oval = _gauss(colat, cap + 3.0, 3.0) * (1.0 + 0.5 * np.cos(np.radians(phi + 180.0)))
    energy = 0.5 + 4.0 * oval
    flux = 1e7 + 1.5e9 * oval
    sigma_p = 4.0 + 8.0 * oval
    return {
        "Potential": potential,
        "Field-aligned current": fac,
        "Pedersen conductance": sigma_p,
        "Hall conductance": 1.5 * sigma_p + 4.0 * oval,
        "Average energy": energy,
        "Number flux": flux,
        "RCM beta": 0.3 * oval,
        "Mono potential drop": 2.0 * oval,
        "Auroral model type": np.where(oval > 0.2, 1.0, 0.0),
        "cpcp": np.array(cpcp),
    }


def remix_generator(count: int = len(STEPS)) -> Callable[[Path], list[str]]:
    """A generator of ``msphere.mix.h5`` (both hemispheres, the GAMERA sample's steps).

    Args:
        count: Number of steps (as :func:`gamera_generator`'s).

    Returns:
        ``generate(folder) -> [file name]``.
    """

    def generate(folder: Path) -> list[str]:
        import h5py

        lat = REMIX_LOW_LAT * np.arange(NLAT + 1) / NLAT  # colatitude of the corners
        lon = 360.0 * np.arange(NLON + 1) / NLON
        X = np.outer(np.sin(np.radians(lat)), np.cos(np.radians(lon)))
        Y = np.outer(np.sin(np.radians(lat)), np.sin(np.radians(lon)))
        colat_c = 0.5 * (lat[:-1] + lat[1:])
        lon_c = 0.5 * (lon[:-1] + lon[1:])
        colat2, lon2 = np.meshgrid(colat_c, lon_c, indexing="ij")
        name = f"{RUNID}.mix.h5"
        with h5py.File(folder / name, "w") as f:
            f.create_dataset("X", data=X)
            f.create_dataset("Y", data=Y)
            f.attrs["GITHASH"] = np.bytes_("0000000000000000000000000000000000000000")
            for n in range(count):
                g = f.create_group(f"Step#{n}")
                g.attrs["time"] = np.float64(60.0 * n)
                g.attrs["MJD"] = np.float64(_mjd(n))
                g.attrs["timestep"] = np.int32(100 * n)
                north = remix_state(colat2, lon2, n, south=False, count=count)
                # the south is stored mirrored: file column j holds longitude -phi_j
                south = remix_state(colat2, -lon2, n, south=True, count=count)
                g.attrs["nCPCP"] = np.float64(north.pop("cpcp"))
                g.attrs["sCPCP"] = np.float64(south.pop("cpcp"))
                for key, value in north.items():
                    sign = -1.0 if key == "Field-aligned current" else 1.0  # stored along B
                    g.create_dataset(f"{key} NORTH", data=(sign * value).astype(np.float32))
                for key, value in south.items():
                    g.create_dataset(f"{key} SOUTH", data=value.astype(np.float32))
        return [name]

    return generate
