"""The "Getting started" page runs as written: its Python and its command lines."""

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn.cli import main
from sklearn_unlearn.datasets import load_adult

PAGE = Path(__file__).resolve().parents[1] / "docs" / "getting_started.rst"


def _python_blocks():
    """The ``code-block:: python`` blocks of the page, dedented, in order."""
    text = PAGE.read_text()
    pattern = r"^\.\. code-block:: python\n\n((?:(?: {4}.*)?\n)+)"
    return [
        "\n".join(line[4:] for line in block.splitlines())
        for block in re.findall(pattern, text, flags=re.M)
    ]


def _command_lines():
    """The ``sklearn-unlearn`` lines of the page's literal blocks, but the demo."""
    lines = re.findall(r"^ {4}sklearn-unlearn (.*)$", PAGE.read_text(), flags=re.M)
    return [shlex.split(line) for line in lines]


def test_page_has_the_blocks():
    blocks = _python_blocks()
    assert len(blocks) >= 3
    assert all(block.strip() for block in blocks)
    assert {args[0] for args in _command_lines()} == {"audit", "repair", "select"}


def test_python_blocks_run_in_order_as_one_script(capsys):
    script = "\n".join(_python_blocks())
    namespace = {"__name__": "__getting_started__"}
    exec(compile(script, str(PAGE), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "income accuracy on held-out rows" in printed
    assert "leakage of sex" in printed
    # the pipeline predicts income and the unlearner hides most of sex
    assert namespace["model"].score(namespace["X_test"], namespace["y_test"]) > 0.75
    assert namespace["leakage"] < 0.7


@pytest.fixture
def page_files(tmp_path, monkeypatch):
    """The files the page's command lines name, in the working folder."""
    X, y, _ = load_adult(return_X_y=True, dropna=True)
    numeric = ["age", "education_num", "capital_gain", "hours_per_week"]
    people = X[numeric].iloc[:400].reset_index(drop=True)
    people.insert(0, "person_id", np.arange(1000, 1400))
    people["sex"] = X["sex"].iloc[:400].astype(str).to_numpy()
    people["income"] = y.iloc[:400].to_numpy()
    people.to_csv(tmp_path / "people.csv", index=False)
    rng = np.random.default_rng(0)
    source = np.repeat(["own", "partnerB"], [300, 100])
    events = pd.DataFrame(
        {
            "source": source,
            "a": rng.normal(size=400) + (source == "partnerB"),
            "b": rng.normal(size=400),
        }
    )
    events.to_parquet(tmp_path / "events.parquet")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_command_lines_run_on_files_like_the_page_names(page_files, capsys):
    for args in _command_lines():
        assert main(args) == 0, (args, capsys.readouterr().err)
    written = {p.name for p in page_files.iterdir()}
    assert len(written) > 2, written
