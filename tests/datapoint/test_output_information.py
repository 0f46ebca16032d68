"""The regressor's forgetting term: soft bins, information, exact gradients."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._output_information import (
    output_bins,
    output_information,
    regression_objective,
)
from tests.datapoint.finite_differences import assert_gradients


def _net(rng, hidden, k, d=3):
    sizes = [d, 5, k]
    weights = [
        rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    biases = [0.1 * rng.normal(size=b) for b in sizes[1:]]
    return Network(weights, biases, hidden, "identity")


def test_bins_span_the_outputs_and_weigh_by_the_target_variance():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(50, 2)) * [1.0, 10.0]
    Y = rng.normal(size=(30, 2)) * [2.0, 0.0]  # a constant second target
    bins = output_bins(Z, Y, n_bins=11)
    assert_allclose(bins.centers[:, 0], Z.min(axis=0))
    assert_allclose(bins.centers[:, -1], Z.max(axis=0))
    assert_allclose(bins.width, (Z.max(axis=0) - Z.min(axis=0)) / 10)
    assert_allclose(bins.weight, [Y[:, 0].var(), 1.0])


def test_information_sees_a_shifted_group_only():
    rng = np.random.default_rng(1)
    same = rng.normal(size=(400, 1))
    labels = np.r_[np.zeros(200, np.intp), np.ones(200, np.intp)]
    shifted = same.copy()
    shifted[:40] += 4.0  # part of the label-0 rows sit where no label-1 row is
    bins = output_bins(shifted, shifted, n_bins=20)
    low, _ = output_information(same, labels, bins)
    high, _ = output_information(shifted, labels, bins)
    assert high[0] > 10 * low[0] > 0


@pytest.mark.parametrize("hidden", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("k", [1, 2])
def test_objective_gradient_matches_finite_differences(hidden, k):
    rng = np.random.default_rng(2)
    net = _net(rng, hidden, k)
    X = rng.normal(size=(30, 3))
    labels = np.r_[np.zeros(18, np.intp), np.ones(12, np.intp)]
    retain_rows = np.arange(18, 30)
    Y = rng.normal(size=(12, k))
    Z = X @ net.weights[0]  # any spread of values: the bins are fixed data
    bins = output_bins(np.c_[Z[:, :k]], Y, n_bins=7)

    def value(params):
        trial = net._replace(weights=params[:2], biases=params[2:])
        return regression_objective(
            trial, X, labels, retain_rows, Y, 2.5, 0.1, bins=bins
        ).loss

    result = regression_objective(net, X, labels, retain_rows, Y, 2.5, 0.1, bins=bins)
    assert result.mi > 0
    params = [*net.weights, *net.biases]
    analytic = [*result.grad_weights, *result.grad_biases]
    assert_gradients(value, params, analytic)


def test_objective_value_is_its_three_terms():
    rng = np.random.default_rng(3)
    net = _net(rng, "tanh", 1)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(8, 1))
    labels = np.r_[np.zeros(12, np.intp), np.ones(8, np.intp)]
    retain_rows = np.arange(12, 20)
    bins = output_bins(rng.normal(size=(20, 1)), Y)
    out = regression_objective(net, X, labels, retain_rows, Y, 3.0, 0.2, bins=bins)
    Z = np.tanh(X @ net.weights[0] + net.biases[0]) @ net.weights[1] + net.biases[1]
    se = 0.5 * np.mean((Z[retain_rows] - Y) ** 2)
    info, _ = output_information(Z, labels, bins)
    penalty = 0.1 * sum(np.sum(W**2) for W in net.weights)
    assert out.squared_error == pytest.approx(se)
    assert out.loss == pytest.approx(se + 3.0 * bins.weight[0] * info[0] + penalty)
