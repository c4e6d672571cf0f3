"""The layers of DESIGN.md, checked on the imports of every module of ``src/geospacexr``.

Every ``import`` and ``from ... import`` is read with :mod:`ast`, at module level and inside
functions and classes alike (plus ``importlib.import_module("geospacexr...")`` with a literal
name), and resolved to an absolute module. Three rules:

1. **io imports no science.** The readers and writers of ``geospacexr.io`` import none of the
   *science* packages, neither at module level nor inside a function. Science is
   :data:`SCIENCE`: the domain packages ``gcm``, ``asi``, ``rb``, ``superdarn``, ``mhd`` and
   the root modules of physics
   and coordinates ``physics``, ``geodesy``, ``geomagnetic``, ``solar``. Nor does io import
   anything above science (:data:`FRONT`). Where a reader needs a computed field (ZG from Z),
   the science package registers a completion with the reader
   (:func:`geospacexr.io.gcm.register_completion`): the dependency points up-to-down.
2. **Science does not import plot/ or explore/ at module level.** The science packages may
   offer front doors (``geospacexr.asi.explore_mosaic``, ``geospacexr.rb.explore``) as thin
   re-exports imported inside the function (or a module ``__getattr__``); each one is listed in
   :data:`ALLOWED` with its reason, and any other import of :data:`FRONT` from science fails,
   lazy or not.
3. **No private names across packages.** Importing a name that starts with ``_`` (a function,
   a constant, or a module such as ``gcm._select``) from another package fails, and so does
   reaching one through an imported module (``_gcm._select.variable``). A package is a
   directory under ``geospacexr`` (``gcm``, ``asi``, ``io``...) or a root module; within a
   package private names are shared freely. ``plot/`` and ``explore/`` hold one module per
   domain, so each of their modules counts as its own package (they share through the public
   names of ``plot.common``). The private modules at the root (``geospacexr._checks``,
   ``_registry``, ``_caches``, ``_fastmath``, ``_version``, ``_synth``) are the shared internals
   of every layer: importing them, and their public names, is allowed.

Docs paragraph (for ``docs/extending.md``): *Which way imports point.* ``io/`` reads and
writes files and imports no science (``gcm``, ``asi``, ``rb``, ``physics``, ``geodesy``,
``geomagnetic``, ``solar``); a reader that needs a computed field gets it from a completion the
science package registers. Science packages are pure: they import neither ``plot/`` nor
``explore/`` (except the listed lazy front doors, imported inside the function) and open no file
(a science function that needs many files takes an iterable of Datasets, and a thin front door
gets that iterable from an ``io`` helper; results worth keeping on disk go through
``geospacexr.io.cache``). Nobody imports another package's private (``_``) names; what a second
package needs is made public where it lives. ``tests/test_layers.py`` enforces this.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "geospacexr"

#: The science packages and root modules (first component under ``geospacexr``).
SCIENCE = frozenset(
    {"gcm", "asi", "rb", "superdarn", "mhd", "physics", "geodesy", "geomagnetic", "solar", "rio"}
)
#: What sits above science: figures, explorers, the accessors and the command line.
FRONT = frozenset({"plot", "explore", "accessors", "cli", "demo"})
#: Packages whose modules each count as a package of their own for the private-name rule.
PER_MODULE = frozenset({"plot", "explore"})

#: Allowed imports that the rules would refuse: (importer, imported module) -> reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("geospacexr.asi", "geospacexr.explore.mosaic"): (
        "front door geospacexr.asi.explore_mosaic: imported inside the function on first call"
    ),
    ("geospacexr.rb", "geospacexr.explore.rb"): (
        "front door geospacexr.rb.explore: imported inside the function on first call"
    ),
    ("geospacexr.superdarn", "geospacexr.plot.superdarn_fan"): (
        "front door geospacexr.superdarn.plot_fan: a module __getattr__, imported on first use"
    ),
}


@dataclass(frozen=True)
class Import:
    """One imported module or name."""

    importer: str  # the importing module
    target: str  # absolute dotted name of what is imported (module, or module.attribute)
    lazy: bool  # inside a function body (runs on call, not on import)
    line: int


def module_name(path: Path) -> str:
    parts = ["geospacexr", *path.relative_to(SRC).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _absolute(importer: str, package_file: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not package_file:
        base = base[:-1]  # a module's relative imports start from its package
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


class _Collector(ast.NodeVisitor):
    def __init__(self, importer: str, package_file: bool) -> None:
        self.importer = importer
        self.package_file = package_file
        self.imports: list[Import] = []
        self.aliases: dict[str, str] = {}  # local name -> absolute module/attribute
        self.attributes: list[tuple[str, int]] = []  # dotted chains through aliases
        self._depth = 0

    def _add(self, target: str, line: int, bound: str | None) -> None:
        self.imports.append(Import(self.importer, target, self._depth > 0, line))
        if bound and target.startswith("geospacexr"):
            self.aliases[bound] = target

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        # ``if TYPE_CHECKING:`` imports never run: count them as lazy
        guard = ast.unparse(node.test)
        if guard in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self._depth += 1
            self.generic_visit(node)
            self._depth -= 1
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self._add(alias.name, node.lineno, alias.asname and bound)
            if not alias.asname:
                self.aliases.setdefault(bound, bound)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _absolute(self.importer, self.package_file, node.level, node.module)
        for alias in node.names:
            if alias.name == "*":
                self._add(base, node.lineno, None)
                continue
            self._add(f"{base}.{alias.name}", node.lineno, alias.asname or alias.name)

    def visit_Call(self, node: ast.Call) -> None:
        func = ast.unparse(node.func)
        if (
            func in ("importlib.import_module", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.startswith("geospacexr")
        ):
            self._add(node.args[0].value, node.lineno, None)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and current.id in self.aliases:
            root = self.aliases[current.id]
            self.attributes.append((".".join([root, *reversed(chain)]), node.lineno))
            return  # the inner attributes are part of this chain
        self.generic_visit(node)


def _collect() -> tuple[list[Import], list[tuple[str, str, int]]]:
    imports: list[Import] = []
    chains: list[tuple[str, str, int]] = []
    for path in sorted(SRC.rglob("*.py")):
        name = module_name(path)
        collector = _Collector(name, is_package(path))
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        imports.extend(collector.imports)
        chains.extend((name, chain, line) for chain, line in collector.attributes)
    return imports, chains


IMPORTS, CHAINS = _collect()


def top(name: str) -> str:
    """The first component under ``geospacexr`` (``""`` for the root package itself)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "geospacexr" else ""


def package_of(name: str) -> str:
    """The package a module or name belongs to, for the private-name rule."""
    parts = name.split(".")
    first = top(name)
    if first in PER_MODULE and len(parts) > 2:
        return ".".join(parts[:3])
    return first


def _where(item: Import) -> str:
    return f"{item.importer} (line {item.line}) imports {item.target}"


def _allowed(importer: str, target: str) -> bool:
    return any(importer == a and (target == b or target.startswith(b + ".")) for a, b in ALLOWED)


def _first_private(importer: str, target: str) -> str | None:
    """The part of ``target`` that is private to another package, if any."""
    if not target.startswith("geospacexr."):
        return None
    parts = target.split(".")
    for i in range(1, len(parts)):
        if not parts[i].startswith("_") or parts[i].startswith("__"):
            continue
        if i == 1:
            continue  # a root private module: the shared internals of every layer
        owner = ".".join(parts[:i])
        if package_of(owner + ".x") != package_of(importer + ".x"):
            return ".".join(parts[: i + 1])
    return None


def test_the_scan_sees_the_imports():
    """The collector finds module-level, lazy and relative imports (a guard on the test)."""
    names = {(i.importer, i.target, i.lazy) for i in IMPORTS}
    assert ("geospacexr.asi.mosaic", "geospacexr.io.cache.ResultCache", False) in names
    assert ("geospacexr.asi", "geospacexr.explore.mosaic.explore_mosaic", True) in names
    assert ("geospacexr.gcm.heights", "geospacexr.gcm._select.variable", False) in names
    assert len({i.importer for i in IMPORTS}) > 60


def test_io_imports_no_science():
    bad = [
        _where(i)
        for i in IMPORTS
        if top(i.importer) == "io"
        and top(i.target) in SCIENCE | FRONT
        and not _allowed(i.importer, i.target)
    ]
    assert not bad, "io must not import science or above:\n" + "\n".join(bad)


def test_science_imports_no_plot_or_explore():
    eager = [
        _where(i)
        for i in IMPORTS
        if top(i.importer) in SCIENCE and top(i.target) in FRONT and not i.lazy
    ]
    assert not eager, "science imports plot/explore at module level:\n" + "\n".join(eager)
    unlisted = [
        _where(i)
        for i in IMPORTS
        if top(i.importer) in SCIENCE
        and top(i.target) in FRONT
        and not _allowed(i.importer, i.target)
    ]
    assert not unlisted, "lazy re-exports not in ALLOWED:\n" + "\n".join(unlisted)


def test_no_private_names_across_packages():
    bad = []
    for i in IMPORTS:
        private = _first_private(i.importer, i.target)
        if private and not _allowed(i.importer, private):
            bad.append(_where(i))
    for importer, chain, line in CHAINS:
        private = _first_private(importer, chain)
        if private and not _allowed(importer, private):
            bad.append(f"{importer} (line {line}) uses {chain}")
    assert not bad, "private names used across packages:\n" + "\n".join(sorted(set(bad)))


def test_allow_list_is_short_justified_and_used():
    assert len(ALLOWED) <= 5
    for key, reason in ALLOWED.items():
        assert len(reason) > 10, key
        used = any(i.importer == key[0] and i.target.startswith(key[1]) for i in IMPORTS)
        if not used and reason == "integrator removes":
            continue  # the integrator's fix has landed: the entry can go
        assert used, f"{key} is allowed but no longer imported: remove it from ALLOWED"


@pytest.mark.parametrize(
    ("importer", "target", "private"),
    [
        ("geospacexr.explore.gcm", "geospacexr.gcm._select.variable", "geospacexr.gcm._select"),
        ("geospacexr.plot.asi", "geospacexr.plot.gcm._figure", "geospacexr.plot.gcm._figure"),
        ("geospacexr.datasets", "geospacexr.io.atomic._umask", "geospacexr.io.atomic._umask"),
        ("geospacexr.gcm.heights", "geospacexr.gcm._select.variable", None),
        ("geospacexr.asi.keogram", "geospacexr._checks.require", None),
        ("geospacexr.plot.gcm", "geospacexr.plot.common._style", "geospacexr.plot.common._style"),
        ("geospacexr.plot.gcm", "geospacexr.plot.gcm._style", None),
        ("geospacexr.rb.tracing", "geospacexr.rb.models._time", None),
    ],
)
def test_private_rule_examples(importer, target, private):
    """The rule says what the docstring says (cross-package refused, same package allowed)."""
    assert _first_private(importer, target) == private


def test_collector_on_a_snippet():
    """Relative resolution, lazy flags, TYPE_CHECKING and attribute chains, on known code."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "from ..plot import gcm as pg\n"
        "from . import _kernels\n"
        "if TYPE_CHECKING:\n"
        "    from ..explore.asi import AsiExplorer\n"
        "def f():\n"
        "    from ..io.download import download\n"
        "    import importlib\n"
        "    importlib.import_module('geospacexr.rb.models')\n"
        "    return pg._figure()\n"
    )
    collector = _Collector("geospacexr.asi.keogram", package_file=False)
    collector.visit(ast.parse(code))
    found = {(i.target, i.lazy) for i in collector.imports}
    assert ("geospacexr.plot.gcm", False) in found
    assert ("geospacexr.asi._kernels", False) in found
    assert ("geospacexr.explore.asi.AsiExplorer", True) in found
    assert ("geospacexr.io.download.download", True) in found
    assert ("geospacexr.rb.models", True) in found
    assert ("geospacexr.plot.gcm._figure", 10) in collector.attributes
    package = _Collector("geospacexr.asi", package_file=True)
    package.visit(ast.parse("from .mosaic import grid\nfrom .. import config\n"))
    assert {i.target for i in package.imports} == {
        "geospacexr.asi.mosaic.grid",
        "geospacexr.config",
    }
