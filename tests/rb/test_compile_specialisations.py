"""The compiled kernels are specialised once for every model, never once per literal constant.

Numba compiles a separate specialisation of a jitted function for every literal constant it is
called with from other jitted code (``f(x, 1)`` and ``f(x, 2)`` are two compilations); the
first L* in a fresh process pays for each. The kernels pass typed values (``np.int64(1)``)
instead; this guards against regressions after an L* has been computed.

Nor once per model: each specialisation of the tracer, K and L* kernels costs about 20 s of
compilation on a cold cache, and a notebook using four models (dipole, T89, T96, a grid) paid
four (issue 18: notebooks/06-radiation-belts.ipynb took 3 minutes cold). The model's kernel
reaches them as a first-class function, so every model shares one specialisation.
"""

import numba
import numpy as np
import pytest

from geospacexr import rb
from geospacexr.rb import _kernel, _t96, _ts05, tsyganenko


def _dispatchers(module):
    return [v for v in vars(module).values() if isinstance(v, numba.core.registry.CPUDispatcher)]


def test_no_literal_specialisations_after_an_lstar():
    p = rb.particles([-5.0], [0.0], [0.0], [60.0], time="2015-03-17T12:00")
    for model in (
        rb.models.get("dipole"),
        rb.models.get("t89", kp=2),
        rb.models.get("t96", pdyn=2.0, dst=-20.0, by=0.0, bz=-2.0),
        rb.models.get(
            "ts05",
            pdyn=2.0,
            dst=-20.0,
            by=0.0,
            bz=-2.0,
            w1=0.5,
            w2=0.5,
            w3=0.5,
            w4=0.5,
            w5=0.5,
            w6=0.5,
        ),
    ):
        out = p.rb.lstar(model)
        assert np.isfinite(out.lstar.values).all(), model
    modules = (_kernel, _t96, _ts05, tsyganenko)
    compiled = [(d, sig) for m in modules for d in _dispatchers(m) for sig in d.signatures]
    assert compiled, "no compiled kernel found"
    literal = [f"{d.py_func.__name__}{sig}" for d, sig in compiled if "Literal" in str(sig)]
    assert not literal, f"literal specialisations: {literal}"


def test_one_specialisation_for_every_model(tmp_path):
    """Dipole, IGRF, T89, T96 and a gridded field: one compiled tracer, K and L* for all."""
    from geospacexr.datasets import open_sample

    p = rb.particles([-5.0], [0.0], [0.0], [60.0], time="2015-03-17T12:00")
    models = [
        rb.models.get("dipole"),
        rb.models.get("igrf"),
        rb.models.get("t89", kp=2),
        rb.models.get("t96", pdyn=2.0, dst=-20.0, by=0.0, bz=-2.0, internal="dipole"),
        rb.models.from_grid(open_sample("t96-grid")),
    ]
    for model in models:
        assert np.isfinite(p.rb.lstar(model).lstar.values).all(), model
        rb.trace(model, [[-5.0, 0.0, 0.0]], time="2015-03-17T12:00")
    for kernel in (_kernel.invariants_many, _kernel.trace_many):
        assert len(kernel.signatures) == 1, (kernel.py_func.__name__, kernel.signatures)
    # the models' markers are one numba type: a first-class function of one signature
    types = {numba.typeof(m.kernel_args("2015-03-17T12:00")[0]) for m in models}
    assert len(types) == 1, types


def test_gridded_field_is_chosen_at_run_time():
    t96 = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=0.0, bz=-2.0, internal="dipole")
    em, ip, fp, gh, *grid = t96.kernel_args()
    assert em is not _kernel.GRID and ip[_kernel.IP_GRID] == 0
    analytic = _kernel.field(em, ip, fp, gh, *grid, 3.0, 0.0, 0.0)
    inside = np.array(_kernel.internal_field(ip, fp, gh, 3.0, 0.0, 0.0))
    outside = np.array(_kernel.no_external_field(fp, 0.0, 3.0, 0.0, 0.0))
    assert np.all(np.isfinite(analytic)) and not np.allclose(analytic, inside)
    assert np.array_equal(outside, np.zeros(3))
    # the grid flag with a hole wider than the point: the internal field, not T96's
    ip[_kernel.IP_GRID] = 1
    fp[_kernel.FP_RINNER] = 4.0
    assert np.allclose(_kernel.field(_kernel.GRID, ip, fp, gh, *grid, 3.0, 0.0, 0.0), inside)


def test_a_kernel_of_the_wrong_return_type_is_refused():
    @numba.njit
    def bad(par, ps, x, y, z):
        return x, y  # two components

    marker = _kernel.external_model("bad-0", bad)
    with pytest.raises(numba.core.errors.TypingError, match="No conversion"):
        marker.__wrapper_address__()


def test_no_literal_arguments_in_the_kernel_sources():
    """The same check on the sources (the runtime check above only sees functions compiled in
    this process, not those loaded from numba's cache): inside jitted functions, no call to
    another jitted function passes an int or bool constant."""
    import ast
    import inspect

    from geospacexr.rb import igrf

    offenders = []
    for module in (_kernel, _t96, _ts05, tsyganenko, igrf):
        tree = ast.parse(inspect.getsource(module))
        jitted = {
            name
            for name, value in vars(module).items()
            if isinstance(value, numba.core.registry.CPUDispatcher)
        }
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name not in jitted:
                continue
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) in jitted:
                    args = list(call.args) + [k.value for k in call.keywords]
                    if any(
                        isinstance(a, ast.Constant) and isinstance(a.value, (bool, int))
                        for a in args
                    ):
                        offenders.append(f"{module.__name__}:{call.lineno} {call.func.id}")
    assert not offenders, offenders
