"""Helpers shared by the displays: optional matplotlib, stored values."""

import pytest

from sklearn_unlearn.metrics import DeletionCurveDisplay


def test_missing_matplotlib_names_the_caller(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    display = DeletionCurveDisplay(fractions=[0], alpha=[0], epsilon=[0], kappa=0)
    with pytest.raises(ImportError, match="DeletionCurveDisplay.plot requires"):
        display.plot()
