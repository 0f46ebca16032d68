"""Reading fitted classifiers as networks and writing them back; L2 penalties."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier

from sklearn_unlearn.datapoint._adapters import (
    check_supported,
    l2_penalty,
    network_of,
    with_network,
)
from sklearn_unlearn.datapoint._network import forward


def _data(n_classes=3, n=300, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(n_classes, 4))
    y = rng.integers(0, n_classes, size=n)
    return centers[y] + rng.normal(size=(n, 4)), y


MODELS = [
    LogisticRegression(max_iter=500),
    SGDClassifier(loss="log_loss", random_state=0),
    MLPClassifier((8,), max_iter=300, random_state=0),
    MLPClassifier((6, 5), activation="tanh", max_iter=300, random_state=0),
    MLPClassifier((6,), activation="logistic", max_iter=300, random_state=0),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("index", range(len(MODELS)))
def test_network_reproduces_predict_proba(n_classes, index):
    X, y = _data(n_classes)
    model = MODELS[index].fit(X, y)
    net = network_of(model, X[:20])
    P, _ = forward(net, X)
    assert_allclose(P, model.predict_proba(X), rtol=1e-7, atol=1e-10)
    same = with_network(model, net)
    assert_allclose(same.predict_proba(X), model.predict_proba(X), atol=1e-12)
    assert same is not model


def test_with_network_writes_the_new_weights_into_a_copy():
    X, y = _data(2)
    model = LogisticRegression().fit(X, y)
    net = network_of(model, X[:5])
    shifted = net._replace(weights=[net.weights[0] + 1.0], biases=[net.biases[0] - 2])
    copy = with_network(model, shifted)
    assert_allclose(copy.coef_, model.coef_ + 1.0)
    assert_allclose(copy.intercept_, model.intercept_ - 2.0)
    assert copy.coef_.shape == model.coef_.shape


@pytest.mark.parametrize(
    "estimator, n, expected",
    [
        (LogisticRegression(C=2.0), 100, 1.0 / (2.0 * 100)),
        (LogisticRegression(C=0.5, l1_ratio=0.25, solver="saga"), 40, 0.75 / 20),
        (LogisticRegression(C=np.inf), 100, 0.0),
        (MLPClassifier(alpha=0.3), 60, 0.3 / 60),
        (SGDClassifier(loss="log_loss", alpha=0.01), 60, 0.01),
        (
            SGDClassifier(loss="log_loss", penalty="elasticnet", alpha=0.2),
            60,
            0.2 * (1 - 0.15),
        ),
        (SGDClassifier(loss="log_loss", penalty=None), 60, 0.0),
    ],
)
def test_l2_penalty_is_the_estimators_own_mean_loss_coefficient(estimator, n, expected):
    assert l2_penalty(estimator, n) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "estimator",
    [RandomForestClassifier(), SGDClassifier(loss="hinge")],
)
def test_unsupported_models_are_named_with_the_supported_ones(estimator):
    with pytest.raises(TypeError, match="LogisticRegression.*SGDClassifier.*MLP"):
        check_supported(estimator)
    check_supported(LogisticRegression())  # supported: no error


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_an_mlp_regressor_round_trips(activation, n_outputs):
    from sklearn.neural_network import MLPRegressor

    X, y = _data()
    Y = np.c_[y, -y][:, :n_outputs].astype(float)
    if n_outputs == 1:
        Y = Y[:, 0]
    model = MLPRegressor(hidden_layer_sizes=(6, 5), activation=activation,
                         max_iter=20, random_state=0).fit(X, Y)  # fmt: skip
    net = network_of(model, X[:5])
    assert net.link == "identity"
    Z, _ = forward(net, X)
    assert_allclose(Z.reshape(np.shape(Y)), model.predict(X), rtol=1e-10)
    copy = with_network(model, net._replace(weights=[2 * W for W in net.weights]))
    assert copy is not model and not np.allclose(copy.predict(X), model.predict(X))
    assert l2_penalty(model, 100) == model.alpha / 100
