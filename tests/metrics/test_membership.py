"""Membership inference on a model's outputs: known answers and bad input."""

import numpy as np
import pytest

from sklearn_unlearn.metrics import membership_advantage


def test_membership_advantage():
    rng = np.random.default_rng(3)
    same = membership_advantage(rng.uniform(size=3000), rng.uniform(size=3000))
    assert abs(same - 0.5) < 0.03
    assert membership_advantage([0.9, 0.95], [0.1, 0.2]) == 1.0
    P = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert membership_advantage(P, P[::-1], y_forget=[0, 1], y_holdout=[0, 1]) == 1.0
    with pytest.raises(ValueError, match="class indices"):
        membership_advantage(P, P, y_forget=[0, 5], y_holdout=[0, 1])
