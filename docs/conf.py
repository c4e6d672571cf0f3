"""Sphinx configuration for the geospacexr documentation."""

import sys
import tomllib
from pathlib import Path

import sphinx_autosummary_accessors

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import geospacexr

project = "geospacexr"
author = "The geospacexr developers"
copyright = "2026, The geospacexr developers"
version = release = geospacexr.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "sphinx_autosummary_accessors",
    "myst_nb",
]
templates_path = ["_templates", sphinx_autosummary_accessors.templates_path]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

autosummary_generate = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# The notebooks are stored without outputs and executed at every build, so their pages show
# every figure and table (each notebook's first cell says so and links its page).
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True  # a failing notebook's traceback in the build log
# HoloViews/Panel outputs carry MIME types myst-nb does not render; that warning is expected.
suppress_warnings = ["mystnb.unknown_mime_type"]

intersphinx_mapping = {}

html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
exclude_patterns.append("make_screenshots.py")
html_title = "geospacexr"
# the repository that Binder, Colab and the install lines use (pyproject.toml's Repository URL)
_urls = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
html_theme_options = {
    "navigation_with_keys": False,
    "github_url": _urls["project"]["urls"]["Repository"],
}
