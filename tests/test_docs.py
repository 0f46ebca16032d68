"""The documentation builds with warnings as errors, and its examples run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_docs_build_without_warnings_and_run_the_gallery(tmp_path):
    pytest.importorskip("sphinx_gallery", reason="the [test] extra installs it")
    docs = tmp_path / "docs"
    shutil.copytree(
        ROOT / "docs",
        docs,
        ignore=shutil.ignore_patterns("_build", "generated", "auto_examples"),
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
    html = tmp_path / "html"
    gallery = sorted(p.name for p in (html / "auto_examples").glob("plot_*.html"))
    assert len(gallery) == 5, gallery
    for page in ("getting_started.html", "user_guide.html", "api.html"):
        assert (html / page).stat().st_size > 5000
    # every example produced its figures
    images = list((html / "_images").glob("sphx_glr_plot_*_001.png"))
    assert len(images) >= 4, images
