"""The ``geospacexr serve`` app: one Panel application, one tab per dataset.

With no files it shows the sample datasets; with files, the Datasets the reader registry opens
from them. Everything (Bokeh and Panel resources included) is served by the local server, so the
app works offline and on an air-gapped cluster.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import Any

import xarray as xr

from .. import config
from ..describe import summary

__all__ = ["build_app", "load_datasets", "prebuild_tabs", "serve"]

TITLE = "geospacexr"


def load_datasets(files: Sequence[str | os.PathLike[str]] | None = None) -> dict[str, xr.Dataset]:
    """Open what the app shows: the samples, or ``files`` grouped by reader.

    Args:
        files: Data files (or globs); ``None`` or empty for the sample data.

    Returns:
        ``{tab title: Dataset}``.
    """
    from .. import datasets
    from ..io.registry import group_files, open

    if not files:
        from tqdm import tqdm

        names = datasets.list_samples()
        opened: dict[str, xr.Dataset] = {}
        for name in tqdm(names, desc="sample data", disable=None):
            value = datasets.open_sample(name)
            if isinstance(value, dict):  # samples of several files (calibrations)
                opened.update({f"{name}: {key}": ds for key, ds in value.items()})
            else:
                opened[name] = value
        return opened
    out = {}
    for (reader, key), paths in group_files(files).items():
        ds = open(paths, reader=reader)
        title = " ".join(
            str(ds.attrs[k])
            for k in ("instrument", "site", "model", "mhd_model", "ionosphere_model", "runid")
            if ds.attrs.get(k)
        )
        base = title or f"{reader} {key}".strip()
        name = base
        if name in out:  # one instrument's several products (a spectrograph's L1, raw, skymap)
            name = f"{base} {ds.attrs.get('level') or ds.attrs.get('geospacexr_kind') or reader}"
        number = 2
        while name in out:
            name, number = f"{base} ({number})", number + 1
        out[name] = ds
    return out


#: The header row of the summary tables (a Markdown table needs one: an empty one shows as an
#: empty row).
_TABLE_HEADER = ("| property | value |", "|---|---|")


def _summary_markdown(title: str, ds: xr.Dataset) -> str:
    info = summary(ds)
    lines = [f"## {html.escape(title)}", "", *_TABLE_HEADER]
    lines.append(f"| kind | {info['kind']} |")
    for key in ("instrument", "site", "site_name", "model"):
        if key in info:
            lines.append(f"| {key} | {info[key]} |")
    if "time_start" in info:
        lines.append(
            f"| time | {info['time_start']} to {info['time_end']} ({info['n_times']} steps) |"
        )
    lines.append(f"| dimensions | {', '.join(f'{k}: {v}' for k, v in info['dims'].items())} |")
    for name, var in info["variables"].items():
        unit = f" [{var['units']}]" if var["units"] else ""
        lines.append(f"| `{name}` | ({', '.join(var['dims'])}) {var['dtype']}{unit} |")
    return "\n".join(lines)


#: With the sample data, the explorers shown (dataset, companion) and the companion's role.
SAMPLE_EXPLORERS = (
    ("tiegcm-storm", "tiegcm-control"),
    ("themis-gill", "themis-gill-skymap"),
    ("superdarn-fitacf", None),
    ("mage-msphere", "mage-remix"),
)


def _companion(title: str, ds: xr.Dataset, datasets: dict[str, xr.Dataset]) -> xr.Dataset | None:
    """The control run of a GCM run, the skymap of an imager's site, or an MHD run's ReMIX."""
    for name, partner in SAMPLE_EXPLORERS:
        if title == name and partner in datasets:
            return datasets[partner]
    if ds.attrs.get("geospacexr_kind") == "mhd":
        return _ionosphere_of(ds, datasets)
    if ds.attrs.get("geospacexr_kind") == "asi":
        for other in datasets.values():
            if (
                other.attrs.get("geospacexr_kind") == "skymap"
                and other.attrs.get("site") == ds.attrs.get("site")
                and other.attrs.get("instrument", ds.attrs.get("instrument"))
                == ds.attrs.get("instrument")
            ):
                return other
    return None


def _ionosphere_of(ds: xr.Dataset, datasets: dict[str, xr.Dataset]) -> xr.Dataset | None:
    """The ionosphere (ReMIX) output of an MHD run: the one of the same run id, else the only one.

    MAGE names both files after the run (``<runid>.gam.h5``, ``<runid>.mix.h5``).
    """
    import json

    found = [d for d in datasets.values() if d.attrs.get("geospacexr_kind") == "ionosphere"]
    runid = str(ds.attrs.get("runid", ""))
    for other in found:
        try:
            files = json.loads(str(other.attrs.get("source_files", "[]")))
        except ValueError:
            files = []
        if runid and any(os.path.basename(str(f)).startswith(f"{runid}.") for f in files):
            return other
    return found[0] if len(found) == 1 else None


def _spectrograph_of(ds: xr.Dataset, datasets: dict[str, xr.Dataset]) -> dict[str, xr.Dataset]:
    """The calibrated spectrograph data (and its skymap) at an imager's site, when open."""
    found: dict[str, xr.Dataset] = {}
    site = ds.attrs.get("site")
    for other in datasets.values():
        if other.attrs.get("site") != site or other.attrs.get("instrument") != "trex_spectrograph":
            continue
        if other.attrs.get("geospacexr_kind") == "spectrograph" and "spectra" in other:
            found.setdefault("l1", other)
        elif other.attrs.get("geospacexr_kind") == "skymap" and "lat_edge" in other:
            found.setdefault("skymap", other)
    return found if "l1" in found else {}


def build_app(datasets: dict[str, xr.Dataset], explorers: list[str] | None = None) -> Any:
    """Build the app's layout: one tab per explorer, and a tab of dataset summaries.

    Args:
        datasets: ``{title: Dataset}`` (see :func:`load_datasets`).
        explorers: Titles of the Datasets to open in an explorer (default: with the sample data,
            the storm run against its control and the Gillam imager with its skymap; otherwise
            every GCM run and imager).

    An MHD run on a curvilinear grid (GAMERA, LFM) gets an "MHD" tab
    (:class:`geospacexr.explore.mhd.MhdExplorer`) with its ReMIX output beside it when that is
    open too (same run id, or the only one).
    A "Radiation belts" tab (:class:`geospacexr.explore.rb.RbExplorer`) is always there; it
    computes when first shown. An imager whose site has calibrated TREx spectrograph data open
    (and its skymap) shows the slit and the spectrograph keogram. Riometer Datasets get a
    "Riometers" tab (:class:`geospacexr.explore.riometer.RiometerPanel`: a stack plot of
    absorption or signal per site and band, with the first imager's keogram above it and a time
    cursor following that imager's frame), also built when first shown.

    Returns:
        A Panel ``Tabs`` component (displays inline in Jupyter as well); its
        ``prebuild_tabs()`` builds the tabs not shown yet (:func:`prebuild_tabs`), which a
        served page does once it is shown.
    """
    import panel as pn

    from . import mhd as _mhd
    from . import superdarn as _superdarn
    from .asi import AsiExplorer
    from .gcm import GcmExplorer

    if explorers is None:
        sample_titles = [name for name, _ in SAMPLE_EXPLORERS if name in datasets]
        explorers = sample_titles or [
            t for t, d in datasets.items()
            if d.attrs.get("geospacexr_kind") in ("gcm", "asi", "superdarn", "mhd")
        ]  # fmt: skip
    tabs = []
    imagers = []
    for title in explorers:
        ds = datasets[title]
        partner = _companion(title, ds, datasets)
        if ds.attrs.get("geospacexr_kind") == "gcm":
            tabs.append((f"GCM: {title}", GcmExplorer(ds, control=partner).panel))
        elif ds.attrs.get("geospacexr_kind") == "asi":
            spect = _spectrograph_of(ds, datasets)
            imagers.append(AsiExplorer(ds, skymap=partner, spectrograph=spect or None))
            tabs.append((f"ASI: {title}", imagers[-1].panel))
        elif _superdarn.explorable(ds):
            tabs.append((f"SuperDARN: {title}", _superdarn.SuperdarnExplorer(ds).panel))
        elif _mhd.explorable(ds):
            tabs.append((f"MHD: {title}", _mhd.MhdExplorer(ds, ionosphere=partner).panel))
    with_skymaps = [
        (ds, partner)
        for title, ds in datasets.items()
        if ds.attrs.get("geospacexr_kind") == "asi" and "channel" not in ds.dims
        and (partner := _companion(title, ds, datasets)) is not None
    ]  # fmt: skip
    # a mosaic is one network's: the instrument with the most sites here
    networks = [d.attrs.get("instrument") for d, _ in with_skymaps]
    if networks:
        network = max(set(networks), key=networks.count)
        with_skymaps = [(d, s) for d, s in with_skymaps if d.attrs.get("instrument") == network]
    if len(with_skymaps) > 1:
        from .mosaic import MosaicExplorer

        tabs.append(
            (
                "Mosaic",
                MosaicExplorer([d for d, _ in with_skymaps], [s for _, s in with_skymaps]).panel,
            )
        )
    from . import riometer as _riometer

    riometers = {t: d for t, d in datasets.items() if _riometer.explorable(d)}
    rio_panel = None
    if riometers:
        imager = imagers[0] if imagers else None
        # built when its tab is first shown: the app's start-up computes nothing for it
        rio_panel = _riometer.RiometerPanel(
            riometers,
            imager=imager,
            keogram=(lambda: imager.keogram_element()) if imager is not None else None,
            defer=True,
        )
        tabs.append(("Riometers", rio_panel.panel))
    rio_index = len(tabs) - 1
    from .rb import RbExplorer

    # computed when its tab is first shown (its kernels compile once per machine)
    rb_explorer = RbExplorer(defer=True)
    tabs.append(("Radiation belts", rb_explorer.panel))
    summaries = [
        pn.pane.Markdown(_summary_markdown(title, ds), name=title) for title, ds in datasets.items()
    ]
    tabs.append(("Datasets", pn.Column(*summaries, sizing_mode="stretch_width")))
    layout = pn.Tabs(*tabs, name=TITLE, sizing_mode="stretch_width", dynamic=True)
    rb_index = len(tabs) - 2

    def _shown(event: Any) -> None:
        if event.new == rb_index and not rb_explorer.computed:
            rb_explorer.refresh()
        if rio_panel is not None and event.new == rio_index and not rio_panel.computed:
            rio_panel.refresh()

    layout.param.watch(_shown, "active")
    # the other tabs, built once the first has shown (a served page: on load; see prebuild_tabs)
    layout.prebuild_tabs = lambda: prebuild_tabs(layout, rb_explorer, rio_panel)
    doc = pn.state.curdoc
    if doc is not None and doc.session_context is not None:
        # one step per tick of the server's loop: a click meanwhile waits for one step only
        steps = iter(_prebuild_steps(layout, rb_explorer, rio_panel))

        def step() -> None:
            action = next(steps, None)
            if action is not None:
                action()
                doc.add_next_tick_callback(step)

        pn.state.onload(step)
    return layout


def prebuild_tabs(layout: Any, rb_explorer: Any = None, rio_panel: Any = None) -> None:
    """Build every tab of a shown app now, so that switching tabs is the browser's alone.

    The app's tabs are rendered when first shown (``dynamic``), so the first page needs only
    its first tab; a served page does this once it is shown (``pn.state.onload``), one step per
    tick of the server's loop: the other tabs' plots are built and sent then, and a tab switch
    no longer waits for the server (issue 18: the first switch took about a second). The
    radiation-belt and riometer tabs compute now too, the radiation-belt one only when its
    kernels are ready (else it computes when shown, with its compiling message, as before).

    Args:
        layout: The app's ``Tabs`` (:func:`build_app`).
        rb_explorer: Its radiation-belt explorer, if any.
        rio_panel: Its riometer panel, if any.
    """
    for action in _prebuild_steps(layout, rb_explorer, rio_panel):
        action()


def _prebuild_steps(layout: Any, rb_explorer: Any, rio_panel: Any) -> list[Any]:
    """The steps of :func:`prebuild_tabs`: render every tab, compute the riometers, the belts."""
    from .rb import compile_state

    def rio() -> None:
        if rio_panel is not None and not rio_panel.computed:
            rio_panel.refresh()

    def belts() -> None:
        if rb_explorer is not None and not rb_explorer.computed:
            if compile_state(rb_explorer.model.value) == "ready":
                rb_explorer.refresh()

    return [lambda: setattr(layout, "dynamic", False), rio, belts]


def serve(
    files: Sequence[str | os.PathLike[str]] | None = None,
    port: int | None = None,
    address: str | None = None,
    show: bool = False,
    start: bool = True,
    compile_kernels: bool = True,
) -> Any:
    """Serve the app until interrupted, printing its URL.

    Before serving, the app is built once, so that what every page needs (the mosaic's
    pixel-to-grid mapping, the keograms, the first GCM slices) is computed and cached and the
    first page shows its plots at once; the radiation-belt kernels then compile (or load from
    numba's disk cache) in a background thread while the server runs
    (:func:`geospacexr.explore.rb.compile_in_background`), the radiation-belt tab saying so;
    with an MHD run open, the gridded-field kernels too
    (:func:`geospacexr.explore.mhd.compile_in_background`).

    Args:
        files: Data files to explore (default: the sample data).
        port: TCP port (default from ``serve.port``: 5006).
        address: Address to listen on (default from ``serve.address``: 127.0.0.1).
        show: Open a browser tab.
        start: Block serving (``False`` returns the started server, for tests).
        compile_kernels: Compile the radiation-belt (and gridded-field) kernels in the
            background at start.

    Returns:
        The Bokeh server (only when ``start`` is false).

    Raises:
        ConfigError: If the port is not 0-65535 or the address not an IP address or host name.
    """
    import panel as pn

    port = config.validate("serve.port", config.resolve(port, "serve.port"), source="serve()")
    address = config.validate(
        "serve.address", config.resolve(address, "serve.address"), source="serve()"
    )
    datasets = load_datasets(files)
    print("geospacexr: preparing the explorers (cached for every page)...", flush=True)
    build_app(datasets)  # fills the caches the pages read: their first frames draw at once
    if compile_kernels:
        from . import mhd as _mhd
        from .rb import compile_in_background

        compile_in_background()
        runs = [d for d in datasets.values() if _mhd.explorable(d)]
        if runs:  # the gridded-field kernels, and the first run's field at its last step
            _mhd.compile_in_background(runs[0])

    def page() -> Any:
        pn.extension()
        template = pn.template.BootstrapTemplate(title=TITLE)
        template.main.append(build_app(datasets))
        return template

    origins = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    print(f"geospacexr app at http://{address}:{port}/  (Ctrl-C to stop)", flush=True)
    server = pn.serve(
        page,
        port=port,
        address=address,
        show=show,
        title=TITLE,
        websocket_origin=origins,
        start=False,
        threaded=False,
        print_url=False,
    )
    if not start:
        return server
    server.start()
    server.io_loop.start()
    return None
