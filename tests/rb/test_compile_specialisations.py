"""The compiled kernels are specialised once per model, never once per literal constant.

Numba compiles a separate specialisation of a jitted function for every literal constant it is
called with from other jitted code (``f(x, 1)`` and ``f(x, 2)`` are two compilations); the
first L* in a fresh process pays for each. The kernels pass typed values (``np.int64(1)``)
instead; this guards against regressions after an L* has been computed.
"""

import numba
import numpy as np

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


def test_gridded_code_stays_out_of_the_analytic_specialisations():
    # only the "grid" marker's specialisation holds the grid code
    t96 = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=0.0, bz=-2.0, internal="dipole")
    em, ip, fp, gh, *grid = t96.kernel_args()
    assert em is not _kernel.GRID
    assert _kernel.gridded_field(em, ip, fp, gh, *grid, 3.0, 0.0, 0.0) == (0.0, 0.0, 0.0, False)
    assert _kernel.gridded_field(_kernel.GRID, ip, fp, gh, *grid, 3.0, 0.0, 0.0)[3]


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
