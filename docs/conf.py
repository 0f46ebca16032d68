"""Sphinx configuration of the sklearn_unlearn documentation."""

import sklearn_unlearn

project = "sklearn_unlearn"
author = "The sklearn_unlearn developers"
release = sklearn_unlearn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
