"""The documentation builds with warnings as errors, its examples run, and the
built pages need no network (math included)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: A ``<script src=...>`` or ``<link href=...>`` tag and its address.
ASSET = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]*)\"[^>]*>", re.I)
#: Math as Sphinx writes it for MathJax.
MATH = re.compile(r"class=\"math[ \"]")


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    """The documentation built once, with ``-W``, from a copy of docs/ and examples/."""
    pytest.importorskip("sphinx_gallery", reason="the [test] extra installs it")
    tmp_path = tmp_path_factory.mktemp("docs")
    docs = tmp_path / "docs"
    shutil.copytree(
        ROOT / "docs",
        docs,
        ignore=shutil.ignore_patterns(
            "_build", "generated", "auto_examples", "sg_execution_times.rst"
        ),
    )
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(docs),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp_path / "html"


def _pages(html):
    return sorted(html.rglob("*.html"))


@pytest.mark.slow
def test_docs_build_without_warnings_and_run_the_gallery(html):
    gallery = sorted(p.name for p in (html / "auto_examples").glob("plot_*.html"))
    assert len(gallery) == 6, gallery
    assert "plot_fairlearn_workflow.html" in gallery
    pages = ("getting_started.html", "user_guide.html", "api.html", "changelog.html")
    for page in pages:
        assert (html / page).stat().st_size > 5000
    # every example produced its figures
    images = list((html / "_images").glob("sphx_glr_plot_*_001.png"))
    assert len(images) >= 5, images


@pytest.mark.slow
def test_theme_is_pydata_sphinx_theme(html):
    index = (html / "index.html").read_text()
    assert "pydata-sphinx-theme" in index
    assert list((html / "_static").rglob("pydata-sphinx-theme*.css"))


@pytest.mark.slow
def test_math_renders_offline_from_a_local_mathjax(html):
    mathjax = html / "_static" / "mathjax"
    assert (mathjax / "tex-chtml.js").stat().st_size > 100_000
    # the fonts that MathJax's CommonHTML output loads, next to the script
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    with_math = 0
    for page in _pages(html):
        text = page.read_text()
        assets = ASSET.findall(text)
        # no page loads a script, a style sheet or a font from the network
        remote = [a for a in assets if re.match(r"(?:https?:)?//", a)]
        assert not remote, (page.relative_to(html), remote)
        if not MATH.search(text):
            continue
        with_math += 1
        scripts = [
            a for a in assets if a.split("?")[0].endswith("mathjax/tex-chtml.js")
        ]
        assert len(scripts) == 1, (page.relative_to(html), assets)
        assert (page.parent / scripts[0].split("?")[0]).resolve() == (
            mathjax / "tex-chtml.js"
        ).resolve()
    # the user guide, generated API pages and examples have math
    assert with_math >= 3
    user_guide = (html / "user_guide.html").read_text()
    assert r"\bar\nu" in user_guide
    assert not re.search(r"https?://[^\"' ]*(?:mathjax|katex)", user_guide, re.I)


@pytest.mark.slow
def test_fairlearn_example_runs_without_fairlearn(tmp_path):
    """A build without fairlearn keeps the example, with a note instead of tables."""
    example = ROOT / "examples" / "plot_fairlearn_workflow.py"
    runner = (
        "import runpy, sys\n"
        "sys.modules['fairlearn'] = None  # as if it were not installed\n"
        f"runpy.run_path({str(example)!r}, run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", runner],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={
            **os.environ,
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "fairlearn is not installed" in result.stdout
    assert "leakage of sex" in result.stdout
