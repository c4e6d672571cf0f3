"""The tutorial notebooks open: locally, on Binder and on Colab, from the repository.

geospacexr is not on PyPI yet, so every install line outside a clone installs the repository
(``geospacexr[all] @ git+<Repository URL>``), and Binder installs its own checkout. These
tests check that ``pyproject.toml``, ``binder/``, the notebooks' first cells, the README and
the docs agree: the same extras, the same repository, links that point to files that exist,
and docs that execute the notebooks (so the rendered pages show their outputs).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
URLS = PYPROJECT["project"]["urls"]
#: ``geospacexr[extras] @ git+URL`` (a PEP 508 direct reference to the repository)
GIT_SPEC = re.compile(r'"geospacexr\[(?P<extras>[\w,-]+)\] @ git\+(?P<url>[^"\s]+)"')
#: ``pip install [-e] ".[extras]"`` in a clone (the checkout itself)
LOCAL_SPEC = re.compile(r'pip install (?:--[\w-]+ )*-e "\.\[(?P<extras>[\w,-]+)\]"')
LINK = re.compile(r"\]\((?P<url>https?://[^)\s]+)\)")


def _extras(text: str) -> set[str]:
    return {e.strip() for e in text.split(",") if e.strip()}


def _slug() -> str:
    url = urlparse(URLS["Repository"])
    return url.path.strip("/").removesuffix(".git")


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7, NOTEBOOKS


def test_the_repository_url_is_declared():
    url = urlparse(URLS["Repository"])
    assert url.scheme == "https" and url.netloc == "github.com", URLS["Repository"]
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", _slug()), URLS["Repository"]
    assert urlparse(URLS["Documentation"]).scheme == "https"


def test_the_notebook_extra_brings_jupyterlab_and_a_kernel():
    names = {re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].lower() for req in EXTRAS["notebook"]}
    assert {"jupyterlab", "ipykernel"} <= names, EXTRAS["notebook"]


def _colab_cell(path: Path) -> re.Match:
    cell = _cells(path)[1]
    assert cell["cell_type"] == "code", f"{path.name}: the second cell is the Colab install cell"
    source = _source(cell)
    assert 'if "google.colab" in sys.modules:' in source, f"{path.name}: not guarded for Colab"
    match = GIT_SPEC.search(source)
    assert match and "%pip install" in source, f"{path.name}: no '%pip install \"{GIT_SPEC}\"'"
    return match


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_cell_installs_the_repository_with_existing_extras(path):
    match = _colab_cell(path)
    assert match["url"] == URLS["Repository"], (path.name, match["url"])
    assert _extras(match["extras"]) <= set(EXTRAS), (path.name, match["extras"])
    assert "all" in _extras(match["extras"]), path.name


def test_every_notebook_installs_the_same_extras_on_colab():
    specs = {path.name: _colab_cell(path).group(0) for path in NOTEBOOKS}
    assert len(set(specs.values())) == 1, specs


def _first_cell_links(path: Path) -> tuple[str, list[str]]:
    cell = _cells(path)[0]
    assert cell["cell_type"] == "markdown", f"{path.name}: the first cell is the title cell"
    text = _source(cell)
    assert text.startswith("# "), f"{path.name}: the first cell starts with the title"
    return text, [m["url"] for m in LINK.finditer(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_links_the_rendered_page_and_the_launchers(path):
    text, links = _first_cell_links(path)
    slug = _slug()
    docs = [u for u in links if u.startswith(URLS["Documentation"])]
    binder = [u for u in links if urlparse(u).netloc == "mybinder.org"]
    colab = [u for u in links if urlparse(u).netloc == "colab.research.google.com"]
    assert len(docs) == len(binder) == len(colab) == 1, links

    # the rendered page: <docs>/en/latest/<docname>.html, where docs/<docname>.ipynb is this file
    page = urlparse(docs[0]).path
    match = re.fullmatch(r"/en/latest/(?P<doc>[\w/.-]+)\.html", page)
    assert match, docs[0]
    source = REPO / "docs" / f"{match['doc']}.ipynb"
    assert source.exists() and source.resolve() == path.resolve(), docs[0]

    # Binder: this repository, and a path to this notebook
    binder_url = urlparse(binder[0])
    assert binder_url.path == f"/v2/gh/{slug}/HEAD", binder[0]
    (urlpath,) = parse_qs(binder_url.query)["urlpath"]
    assert urlpath.startswith("lab/tree/"), binder[0]
    assert (REPO / urlpath.removeprefix("lab/tree/")).resolve() == path.resolve(), binder[0]

    # Colab: this repository, and a path to this notebook
    prefix = f"/github/{slug}/blob/"
    colab_path = urlparse(colab[0]).path
    assert colab_path.startswith(prefix), colab[0]
    in_repo = colab_path.removeprefix(prefix).split("/", 1)[1]
    assert (REPO / in_repo).resolve() == path.resolve(), colab[0]

    # and how to open it locally, with extras that exist
    assert "`jupyter lab notebooks/`" in text, path.name
    local = LOCAL_SPEC.search(text)
    assert local and "notebook" in _extras(local["extras"]), path.name
    assert _extras(local["extras"]) <= set(EXTRAS), local["extras"]
    assert "documentation runs every notebook" in text, path.name


def test_binder_installs_this_checkout_with_the_colab_extras_and_jupyterlab():
    post_build = (REPO / "binder" / "postBuild").read_text()
    assert post_build.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in post_build
    assert (REPO / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild is not executable"
    match = LOCAL_SPEC.search(post_build)
    assert match, "binder/postBuild does not pip install the repository's checkout"
    binder_extras = _extras(match["extras"])
    colab_extras = _extras(_colab_cell(NOTEBOOKS[0])["extras"])
    assert binder_extras <= set(EXTRAS), binder_extras
    assert binder_extras == colab_extras | {"notebook"}, (binder_extras, colab_extras)
    # nothing is installed from PyPI under the package's name (it is not there)
    requirements = (REPO / "binder" / "requirements.txt").read_text().splitlines()
    packages = [line.split("#")[0].strip() for line in requirements]
    assert not [p for p in packages if p.lower().startswith("geospacexr")], requirements


def test_binder_python_satisfies_requires_python():
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, runtime
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert minimum, PYPROJECT["project"]["requires-python"]
    assert tuple(map(int, match.groups())) >= tuple(map(int, minimum.groups()))


def test_readme_opens_the_notebooks_without_a_third_set_up_command():
    readme = (REPO / "README.md").read_text()
    assert "`jupyter lab notebooks/`" in readme
    local = LOCAL_SPEC.search(readme.split("## Tutorial notebooks", 1)[-1])
    assert local and "notebook" in _extras(local["extras"]), "README: no notebook install line"
    git = GIT_SPEC.search(readme)
    assert git and git["url"] == URLS["Repository"], "README: no install line from the repository"
    assert git.group(0) == _colab_cell(NOTEBOOKS[0]).group(0)
    # exactly two set-up commands: the main job and the tests
    assert readme.count("<!-- main-command -->") == readme.count("<!-- test-command -->") == 1
    assert readme.count("```bash") == 2, "README: a third set-up command"


def _conf() -> dict:
    """The literal assignments of docs/conf.py (without importing it)."""
    tree = ast.parse((REPO / "docs" / "conf.py").read_text())
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return values


def test_docs_execute_and_render_every_notebook():
    conf = _conf()
    assert "myst_nb" in conf["extensions"]
    # "force"/"auto"/"cache" run the notebooks (stored without outputs) at every build
    assert conf["nb_execution_mode"] in ("force", "auto", "cache"), conf["nb_execution_mode"]
    assert conf["nb_execution_raise_on_error"] is True
    assert (REPO / "docs" / "notebooks").resolve() == (REPO / "notebooks").resolve()
    index = (REPO / "docs" / "index.md").read_text()
    for path in NOTEBOOKS:
        assert re.search(rf"^notebooks/{re.escape(path.stem)}$", index, re.M), path.name


def test_installation_page_installs_from_the_repository():
    page = (REPO / "docs" / "installation.md").read_text()
    git = GIT_SPEC.search(page)
    assert git and git.group(0) == _colab_cell(NOTEBOOKS[0]).group(0), "docs/installation.md"
    assert 'pip install "geospacexr[all]"\n' not in page, "not on PyPI: that finds nothing"
    assert "`jupyter lab notebooks/`" in page
