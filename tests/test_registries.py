"""The one registry dialect: readers, samples, derived fields and emissions.

Every registry has a ``register_<thing>`` decorator, a ``list_<things>(details=False)`` listing,
and raises an :class:`UnknownNameError` naming close matches for an unknown name, which is also
the error class that registry raised before the common dialect.
"""

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets, errors, gcm, io
from geospacexr.errors import (
    InvalidArgumentError,
    MissingVariableError,
    ReaderNotFoundError,
    SampleDataError,
    UnknownDerivedError,
    UnknownEmissionError,
    UnknownNameError,
    UnknownReaderError,
    UnknownSampleError,
)
from geospacexr.gcm import derived, emissions
from geospacexr.io import registry as readers


def _reader(files, **kwargs):
    """A test reader."""
    return files


def _sample(folder):
    (folder / "x.txt").write_text("x")
    return ["x.txt"]


def _field(ds):
    return ds["TN"] * 2.0


def _rate(tn):
    return tn * 0.0 + 1.0


# name: (register a test entry, remove it, list, look up, a known name, old error class)
KINDS = {
    "reader": (
        lambda name: io.register_reader(name, kind="asi", patterns=("*.regtest",))(_reader),
        lambda name: readers._READERS.remove(name),
        io.list_readers,
        lambda name: readers._READERS[name],
        "asi-pgm",
        ReaderNotFoundError,
        UnknownReaderError,
    ),
    "sample": (
        lambda name: datasets.register_sample(
            name, kind="asi", description="a test sample", opener=lambda p: p
        )(_sample),
        lambda name: datasets._SAMPLES.remove(name),
        datasets.list_samples,
        datasets.sample_info,
        "themis-gill",
        SampleDataError,
        UnknownSampleError,
    ),
    "derived": (
        lambda name: gcm.register_derived(
            name, inputs=("TN",), units="K", long_name="a test field", reference="test"
        )(_field),
        lambda name: derived._REGISTRY.remove(name),
        gcm.list_derived,
        lambda name: derived.derived(datasets.open_sample("tiegcm-5deg"), name),
        "O/N2",
        MissingVariableError,
        UnknownDerivedError,
    ),
    "emission": (
        lambda name: gcm.register_emission(
            name, inputs=("TN",), long_name="a test emission", reference="test"
        )(_rate),
        lambda name: emissions._REGISTRY.remove(name),
        gcm.list_emissions,
        lambda name: emissions.emission(datasets.open_sample("tiegcm-5deg"), name),
        "NO53",
        InvalidArgumentError,
        UnknownEmissionError,
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_register_list_and_remove(kind):
    register, remove, listing, _, known, _, _ = KINDS[kind]
    name = "regtest-entry"
    assert known in listing()
    assert name not in listing()
    register(name)
    try:
        names = listing()
        assert name in names and names == sorted(names)
        rows = listing(details=True)
        assert [r["name"] for r in rows] == names
        row = next(r for r in rows if r["name"] == name)
        assert row["description"]
        assert all({"name", "description"} <= set(r) for r in rows)
    finally:
        remove(name)
    assert name not in listing()


@pytest.mark.parametrize("kind", list(KINDS))
def test_unknown_name_names_close_matches_and_keeps_the_old_class(kind):
    _, _, _, lookup, known, old, new = KINDS[kind]
    typo = known[:-1] + ("x" if known[-1] != "x" else "y")
    for cls in (UnknownNameError, KeyError, old, new, errors.GeospacexrError):
        with pytest.raises(cls) as info:
            lookup(typo)
        assert isinstance(info.value, new)
        assert repr(known) in str(info.value)  # the close match is named
        assert info.value.name == typo and known in info.value.candidates
    with pytest.raises(old):  # an old ``except`` clause still catches it
        lookup("nothing-like-any-name-at-all")


@pytest.mark.parametrize("kind", ["reader", "derived", "emission"])
def test_taken_name_is_refused_unless_replaced(kind):
    register, _, listing, *_ = KINDS[kind]
    known = KINDS[kind][4]
    assert known in listing()
    with pytest.raises(InvalidArgumentError, match="already registered"):
        register(known)
    assert known in listing()


def test_a_redefined_function_replaces_itself():
    """A notebook cell run twice registers the same function again: no error."""

    def define():
        @gcm.register_emission("REGTEST_AGAIN", inputs=("TN",), long_name="x", reference="t")
        def again(tn):
            return tn

        return again

    first = define()
    try:
        second = define()
        assert first is not second
        assert emissions.registry()["REGTEST_AGAIN"].func is second
        with pytest.raises(InvalidArgumentError, match="already registered"):
            gcm.register_emission("REGTEST_AGAIN", inputs=("TN",), long_name="x", reference="t")(
                _rate
            )
        gcm.register_emission(
            "REGTEST_AGAIN", inputs=("TN",), long_name="x", reference="t", replace=True
        )(_rate)
        assert emissions.registry()["REGTEST_AGAIN"].func is _rate
    finally:
        emissions._REGISTRY.remove("REGTEST_AGAIN")


def test_old_names_are_aliases():
    assert emissions.register is emissions.register_emission
    assert set(emissions.registry()) == set(emissions.list_emissions())
    assert set(derived.registry()) == set(derived.list_derived())
    assert set(io.readers()) == set(io.list_readers())
    assert gcm.available is derived.available
    ds = datasets.open_sample("tiegcm-5deg")
    assert set(emissions.available(ds)) <= set(emissions.list_emissions())
    assert "NO53" in emissions.available(ds) and "CO215" not in emissions.available(ds)


def test_open_with_an_unknown_reader_name(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    with pytest.raises(ReaderNotFoundError, match="did you mean .*'asi-pgm'"):
        geospacexr.open(path, reader="asi-pgx")


def test_both_kinds_declare_inputs_units_and_a_reference():
    for rows in (gcm.list_derived(details=True), gcm.list_emissions(details=True)):
        for row in rows:
            assert row["inputs"] and row["units"] and row["reference"], row["name"]


def test_emission_contract_is_pointwise_on_arrays():
    """An emission function gets one float64 array per declared input, of one shape."""
    entry = emissions.registry()["NO53"]
    tn, o, no = np.full((2, 3), 800.0), np.full((2, 3), 1e11), np.full((2, 3), 1e7)
    out = entry.func(tn, o, no)
    assert out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_allclose(out[0, 0], emissions.no53(*_NO53_INPUTS)[0])


def test_derived_contract_takes_the_dataset():
    ds = datasets.open_sample("tiegcm-5deg")
    out = derived.registry()["O/N2"].func(ds)
    assert isinstance(out, xr.DataArray)
    assert gcm.derived(ds, "O/N2").attrs["units"] == "1"


_NO53_INPUTS = (np.array([800.0]), np.array([1e11]), np.array([1e7]))


def test_emission_kernels_are_bounded_caches():
    from geospacexr.gcm.emissions import formulas, oh

    for kernel in (formulas._ir_kernels, oh._oh_kernel):
        assert kernel.cache_info().maxsize == 1
    emissions.no53(*_NO53_INPUTS)
    assert formulas._ir_kernels.cache_info().currsize == 1
    formulas._ir_kernels.cache_clear()
    assert formulas._ir_kernels.cache_info().currsize == 0
    assert np.isfinite(emissions.no53(*_NO53_INPUTS)).all()


def test_oi_airglow_is_the_emissions_oi_module():
    from geospacexr.gcm import oi_airglow
    from geospacexr.gcm.emissions import oi

    assert oi_airglow is oi
    assert emissions.registry()["OI6300"].func is oi.oi6300


@pytest.mark.parametrize(
    "call, cls, match",
    [
        (lambda ds: gcm.lev_lon(ds, "TN"), InvalidArgumentError, "needs lat="),
        (lambda ds: gcm.var_time(ds, "TN", lat=0.0), InvalidArgumentError, "needs lon="),
        (lambda ds: gcm.density(ds, "O1", "kg"), InvalidArgumentError, "unit must be"),
        (lambda ds: gcm.difference(ds, ds, kind="x"), InvalidArgumentError, "kind must be"),
        (lambda ds: gcm.lat_lon(ds, "TN", method="x"), InvalidArgumentError, "method must be"),
        (lambda ds: gcm.lat_lon(ds, "TN", time="noon", level=0.0), InvalidArgumentError, "time"),
    ],
)
def test_former_bare_errors_are_geospacexr_errors(call, cls, match):
    ds = datasets.open_sample("tiegcm-5deg")
    with pytest.raises(cls, match=match) as info:
        call(ds)
    assert isinstance(info.value, ValueError)  # as before


def test_former_bare_errors_outside_gcm(tmp_path):
    from geospacexr import resources
    from geospacexr.io.atomic import atomic_write
    from geospacexr.io.idlsav import write_sav

    with pytest.raises(InvalidArgumentError, match="110m"):
        resources.coastlines("50m")
    with (
        pytest.raises(InvalidArgumentError, match="whole files"),
        atomic_write(tmp_path / "a", "ab"),
    ):
        pass
    with pytest.raises(errors.UnsupportedTypeError) as info:
        write_sav(tmp_path / "x.sav", {"z": np.zeros(2, dtype=np.complex64)})
    assert isinstance(info.value, TypeError)
    with pytest.raises(InvalidArgumentError, match="lower-case"):
        datasets.register_sample("Bad", kind="asi", description="", opener=print)


def test_a_plugin_may_replace_a_builtin_reader():
    original = io.readers()["asi-png"]
    io.register_reader("asi-png", kind="asi", patterns=("*.png",), replace=True)(_reader)
    try:
        assert io.readers()["asi-png"].open is _reader
    finally:
        readers._READERS.add("asi-png", original, replace=True)
    assert io.readers()["asi-png"] is original
