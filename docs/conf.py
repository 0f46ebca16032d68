"""Sphinx configuration of the sklearn_unlearn documentation.

Build (warnings are errors; the gallery examples are executed)::

    python -m sphinx -W -b html docs docs/_build/html
"""

import warnings

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
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = []
exclude_patterns = ["_build", "generated/*.examples"]
html_theme = "alabaster"
copyright = "2026, The sklearn_unlearn developers"
html_theme_options = {
    "description": "Machine unlearning you can audit, for scikit-learn",
    "fixed_sidebar": True,
    "page_width": "1240px",
    "sidebar_width": "230px",
    "body_max_width": "none",
}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}

# the examples run inside the build: keep their output free of noise
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
