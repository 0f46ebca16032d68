"""The forgetting budget of an MLP, and the reset shares validation data choose from."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_unlearn.datapoint._calibration import (
    FORGET_FRACTION,
    RESET_SHARE,
    RESET_SHARES,
    SETTLE_FRACTION,
    calibrated_settings,
    forget_step_budget,
)
from sklearn_unlearn.datapoint._fine_tuning import FineTuneSettings

SETTINGS = FineTuneSettings(4.0, None, None, 128, 2, 3, 5)
RESOLVED = SETTINGS._replace(max_iter=5, learning_rate=3e-3)


def test_budget_is_a_fraction_of_the_original_steps():
    # 40 epochs of ceil(1000 / 200) = 5 steps: 200 steps, of which 15%
    assert forget_step_budget(40, 1000, 200) == round(FORGET_FRACTION * 200)
    # a batch larger than the data is one step an epoch; never zero steps
    assert forget_step_budget(10, 50, 200) == round(FORGET_FRACTION * 10)
    assert forget_step_budget(1, 10, 200) == 1
    # another fraction of the same steps (the settling budget)
    assert forget_step_budget(40, 1000, 200, SETTLE_FRACTION) == round(
        SETTLE_FRACTION * 200
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_only_an_mlp_gets_a_budget():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int)
    mlp = MLPClassifier((5,), max_iter=20, learning_rate_init=2e-3, random_state=0)
    mlp.fit(X, y)
    out = calibrated_settings(mlp, SETTINGS, 300, None)
    assert out.forget_steps == forget_step_budget(mlp.n_iter_, 300, 200)
    assert out.settle_steps == forget_step_budget(
        mlp.n_iter_, 300, 200, SETTLE_FRACTION
    )
    assert out.reset_share == RESET_SHARE and out.reset_shares == ()
    assert out.learning_rate == 2e-3
    budget = {"forget_steps": None, "settle_steps": None, "reset_share": 0.0}
    assert out._replace(**budget, learning_rate=3e-3) == RESOLVED
    # validation data keep the same budget and add the shares to choose from
    # (they used to switch it off, for fixed epochs at 3e-3: that was worse)
    with_val = calibrated_settings(mlp, SETTINGS, 300, ("validation",))
    assert with_val == out._replace(reset_shares=RESET_SHARES)
    assert RESET_SHARE in RESET_SHARES
    # an explicit max_iter (or step size) is the user's: no budget
    explicit = SETTINGS._replace(max_iter=2)
    assert calibrated_settings(mlp, explicit, 300, None).forget_steps is None
    fixed = calibrated_settings(mlp, SETTINGS._replace(learning_rate=1e-2), 300, None)
    assert fixed.learning_rate == 1e-2 and fixed.forget_steps is not None
    lbfgs = MLPClassifier((5,), solver="lbfgs", max_iter=20, random_state=0)
    assert calibrated_settings(lbfgs.fit(X, y), SETTINGS, 300, None) == RESOLVED
    linear = LogisticRegression().fit(X, y)
    assert calibrated_settings(linear, SETTINGS, 300, None) == RESOLVED


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_mlp_regressor_gets_the_same_budget():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, batch_size=50)
    mlp.fit(X, X[:, 0])
    out = calibrated_settings(mlp, SETTINGS, 300, None)
    assert out.forget_steps == forget_step_budget(mlp.n_iter_, 300, 50)
    assert out.learning_rate == mlp.learning_rate_init
