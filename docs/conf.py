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
    # ships MathJax 3 and points mathjax_path at its copy in _static: the math
    # renders without a network connection
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
templates_path = []
exclude_patterns = ["_build", "generated/*.examples"]
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_unlearn {release}"
copyright = "2026, The sklearn_unlearn developers"
html_theme_options = {
    # no remote assets: the documentation reads the same offline
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "icon_links": [],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {
    page: [] for page in ("index", "getting_started", "user_guide", "changelog")
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
    # the execution-times page would load its table scripts from a CDN
    "write_computation_times": False,
}

# the examples run inside the build: keep their output free of noise
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
