"""The spectrograph in the ASI explorer: the slit on the image and its keogram (Python state)."""

import numpy as np
import pytest

pytest.importorskip("panel")

from geospacexr import datasets
from geospacexr.asi.spectrograph import emission_intensity, slit_on_ccd
from geospacexr.errors import InvalidArgumentError
from geospacexr.explore.asi import AsiExplorer


@pytest.fixture(scope="module")
def inputs():
    """The Pas imager and the Rabbit Lake spectrograph, its spectra moved to the imager's night
    (the samples are of different nights; one spectrum every five frames)."""
    ds = datasets.open_sample("themis-tpas")
    sky = datasets.open_sample("themis-tpas-skymap")
    spect = datasets.open_sample("trex_spect-rabb")
    l1 = spect["l1"].assign_coords(time=ds.time.values[::5][: spect["l1"].sizes["time"]])
    return ds, sky, l1, spect["skymap"]


def _polygons(ex):
    import holoviews as hv

    return next(el for el in ex.image_view.element if isinstance(el, hv.Polygons))


def test_slit_on_the_image_coloured_at_the_frame_time(inputs):
    import holoviews as hv

    ds, sky, l1, spect_sky = inputs
    ex = AsiExplorer(ds, sky, spectrograph={"l1": l1, "skymap": spect_sky})
    view = ex.spectrograph
    assert view.scale.value == (0.0, 5000.0)  # PyAuroraX's default scale
    assert view.emission.options == ["blue", "green", "hbeta", "red"]
    slit = slit_on_ccd(spect_sky, sky, 110.0)
    inside = np.flatnonzero(slit.inside.values)
    green = emission_intensity(l1, "green").values
    for frame in (0, 10, 12):  # spectra at frames 0, 5, 10...: frame 12 shows frame 10's
        ex.time.value = frame
        poly = _polygons(ex)
        drawn = poly.dimension_values("intensity", expanded=False)
        np.testing.assert_allclose(drawn, green[round(frame / 5)][inside])
    # one polygon per bin in the field of view, at its CCD place
    poly = _polygons(ex)
    assert len(poly.split()) == inside.size
    np.testing.assert_allclose(poly.split()[0].array()[:5, 0], slit.x.values[inside[0]])
    # the keogram: bins (by latitude) against time, a cursor at the frame's time
    keo = ex.spectrograph.keogram_view.element
    mesh = keo.get(0)
    assert isinstance(mesh, hv.QuadMesh) and "latitude at 110 km" in str(
        hv.Store.lookup_options("bokeh", mesh, "plot").kwargs["ylabel"]
    )
    assert keo.get(1).data == ds.time.values[12]
    # another emission and height: new colours and places, streamed into the same figures
    view.emission.value = "red"
    np.testing.assert_allclose(
        _polygons(ex).dimension_values("intensity", expanded=False),
        emission_intensity(l1, "red").values[2][inside],
    )
    view.height.value = 150.0
    moved = slit_on_ccd(spect_sky, sky, 150.0)
    assert _polygons(ex).split()[0].array()[0, 0] == pytest.approx(
        moved.x.values[np.flatnonzero(moved.inside.values)[0], 0]
    )
    assert (ex.image_view.built, view.keogram_view.built) == (1, 1)
    # a click on the spectrograph keogram moves the imager's frame (the nearest one)
    view._clicked(x=l1.time.values[7])
    assert ex.time.value == 35
    assert ex.spectrograph.keogram_view.element.get(1).data == ds.time.values[35]
    assert not view.note.visible


def test_frames_without_a_spectrum_and_missing_skymaps_say_so(inputs):
    ds, sky, l1, spect_sky = inputs
    late = l1.isel(time=slice(0, 4))  # spectra for the first 20 frames only
    ex = AsiExplorer(ds, sky, spectrograph=late, spectrograph_skymap=spect_sky)
    ex.time.value = 50
    assert ex.spectrograph.note.visible and "No spectrum near this frame" in (
        ex.spectrograph.note.object
    )
    assert np.isnan(_polygons(ex).dimension_values("intensity", expanded=False)).all()
    ex.time.value = 3
    assert not ex.spectrograph.note.visible
    # without the spectrograph's skymap: the keogram by bin, no slit, a note saying why
    bare = AsiExplorer(ds, sky, spectrograph=l1)
    assert len(_polygons(bare)) == 0 and "spectrograph's skymap" in bare.spectrograph.note.object
    assert bare.spectrograph.height.disabled
    # raw counts have no wavelengths: refused with a message saying what to open
    raw = datasets.open_sample("trex_spect-rabb")["raw"]
    with pytest.raises(InvalidArgumentError, match="calibrated"):
        AsiExplorer(ds, sky, spectrograph=raw)


def test_spectrograph_files_and_the_accessor(inputs):
    ds, sky, _, _ = inputs
    folder = datasets.sample_path("trex_spect-rabb")
    l1_file = next(folder.glob("*_cal_*.h5"))
    sky_file = next(folder.glob("spect_skymap_*.sav"))
    panel = ds.asi.explore(sky, spectrograph=l1_file, spectrograph_skymap=sky_file)
    assert "spectrograph emission" in {getattr(w, "label", "") for w in panel.select()}


def test_the_app_gives_an_imager_its_sites_spectrograph(inputs):
    from geospacexr.explore import app

    ds, sky, l1, spect_sky = inputs
    # an imager at the spectrograph's site (The Pas's frames renamed): the app pairs them
    here = ds.assign_attrs(site="rabb")
    data = {
        "imager": here,
        "skymap": sky.assign_attrs(site="rabb"),
        "spectra": l1,
        "slit": spect_sky,
        "raw": datasets.open_sample("trex_spect-rabb")["raw"],
    }
    assert app._spectrograph_of(here, data) == {"l1": l1, "skymap": spect_sky}
    assert app._spectrograph_of(ds, data) == {}  # another site: none
    tabs = app.build_app(data, explorers=["imager"])
    assert "spectrograph emission" in {getattr(w, "label", "") for w in tabs[0].select()}


def test_serving_spectrograph_files_keeps_each_product():
    from geospacexr.explore import app

    folder = datasets.sample_path("trex_spect-rabb")
    data = app.load_datasets([folder / "*.h5", folder / "*.sav", folder / "*.pgm.gz"])
    kinds = sorted((d.attrs["geospacexr_kind"], d.attrs.get("level", "")) for d in data.values())
    assert kinds == [("skymap", ""), ("spectrograph", "l1"), ("spectrograph", "raw")], data
    assert len(set(data)) == 3 and all(t.startswith("trex_spectrograph rabb") for t in data)
