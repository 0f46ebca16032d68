"""leakage_certificate: the bound holds where the total variation is known."""

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from sklearn_unlearn.metrics import leakage_certificate
from sklearn_unlearn.metrics._certificate import pairwise_total_variation
from sklearn_unlearn.utils._compat import InvalidParameterError

# two laws on six values (rows of Z are two-column codes of them)
P = np.array([0.30, 0.25, 0.20, 0.10, 0.10, 0.05])
Q = np.array([0.15, 0.20, 0.20, 0.20, 0.15, 0.10])
R = np.array([0.20, 0.20, 0.20, 0.15, 0.15, 0.10])
VALUES = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]], dtype=float)


def _true_tv(p, q):
    return 0.5 * np.abs(p - q).sum()


def _sample(laws, n_per_group, seed):
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(laws)), n_per_group)
    index = np.concatenate([rng.choice(6, n_per_group, p=law) for law in laws])
    return VALUES[index], codes


def test_bound_holds_in_twenty_seeds_and_is_not_vacuous():
    tv = _true_tv(P, Q)  # 0.2
    slack = []
    for seed in range(20):
        Z, s = _sample([P, Q], 1000, seed)
        certificate = leakage_certificate(Z, s)
        assert certificate.tv_bound >= tv
        assert certificate.auc_bound == pytest.approx((1 + certificate.tv_bound) / 2)
        assert certificate.balanced_accuracy_bound == certificate.auc_bound
        assert certificate.parity_gap_bound == certificate.tv_bound
        slack.append(certificate.tv_bound - tv)
    # measured: slack 0.01 to 0.12 at 1000 rows per group (deviation 0.055)
    assert max(slack) < 0.15


def test_independent_z_certifies_near_chance():
    Z, s = _sample([P, P], 2000, 0)
    certificate = leakage_certificate(Z, s, confidence=0.99)
    assert certificate.tv_bound < 0.1
    assert certificate.auc_bound < 0.55
    assert certificate.n_values == 6 and certificate.confidence == 0.99


def test_three_groups_bound_every_pair_and_balanced_accuracy():
    true = max(_true_tv(P, Q), _true_tv(P, R), _true_tv(Q, R))
    for seed in range(10):
        Z, s = _sample([P, Q, R], 1500, seed)
        labels = np.array(["a", "b", "c"])[s]
        certificate = leakage_certificate(Z, labels)
        assert certificate.tv_bound >= true
        expected = (1 + 2 * certificate.tv_bound) / 3
        assert certificate.balanced_accuracy_bound == pytest.approx(expected)


def test_bayes_adversary_and_a_trained_classifier_stay_under_the_bounds():
    Z, s = _sample([P, Q], 1000, 1)
    certificate = leakage_certificate(Z, s)
    # the best adversary on the true laws: balanced accuracy (1 + TV) / 2
    assert (1 + _true_tv(P, Q)) / 2 <= certificate.balanced_accuracy_bound
    # a classifier trained on other rows, judged on many fresh rows
    model = DecisionTreeClassifier(random_state=0).fit(*_sample([P, Q], 500, 2))
    fresh, groups = _sample([P, Q], 100_000, 3)
    rates = [model.predict(fresh[groups == g]).mean() for g in (0, 1)]
    assert abs(rates[0] - rates[1]) <= certificate.parity_gap_bound


def test_pairwise_total_variation_matches_a_crosstab():
    rng = np.random.default_rng(4)
    values, codes = rng.integers(0, 7, 500), rng.integers(0, 3, 500)
    laws = pd.crosstab(codes, values, normalize="index").to_numpy()
    expected = 0.5 * np.abs(laws[:, None, :] - laws[None, :, :]).sum(axis=2)
    tv = pairwise_total_variation(values, codes, 7, 3)
    np.testing.assert_allclose(tv, expected, atol=1e-12)


def test_refuses_continuous_z_and_warns_on_few_rows_per_value():
    rng = np.random.default_rng(5)
    s = rng.integers(0, 2, 400)
    with pytest.raises(ValueError, match=r"distinct rows.*discretise Z"):
        leakage_certificate(rng.normal(size=(400, 2)), s)
    with pytest.warns(UserWarning, match="fewer than 10 per value"):
        certificate = leakage_certificate(rng.integers(0, 40, size=(400, 1)), s)
    assert certificate.tv_bound <= 1.0


def test_repr_and_bad_confidence():
    Z, s = _sample([P, Q], 300, 6)
    assert repr(leakage_certificate(Z, s)).startswith("LeakageCertificate(tv_bound=")
    with pytest.raises(InvalidParameterError, match="confidence"):
        leakage_certificate(Z, s, confidence=1.0)
