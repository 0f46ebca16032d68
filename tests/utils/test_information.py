"""Soft plug-in mutual information of model outputs (spec section 4.10)."""

import numpy as np
from numpy.testing import assert_allclose
from scipy.stats import entropy

from sklearn_unlearn.utils._information import soft_mutual_information


def _pooled(proba_full, proba_retain):
    """Copy 0 = all training rows, copy 1 = the retained rows (the criterion)."""
    proba = np.vstack([proba_full, proba_retain])
    labels = np.r_[np.zeros(len(proba_full), int), np.ones(len(proba_retain), int)]
    return proba, labels


def test_zero_when_outputs_are_identical_across_labels():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=300)
    # Nothing forgotten: the retained copy is the full set; outputs coincide.
    assert_allclose(soft_mutual_information(*_pooled(proba, proba)), 0.0, atol=1e-15)


def test_equals_label_entropy_for_separating_one_hot_outputs():
    for n0, n1 in [(50, 50), (30, 70), (10, 90)]:
        labels = np.r_[np.zeros(n0, int), np.ones(n1, int)]
        proba = np.eye(2)[labels]
        expected = entropy([n0, n1])  # H(S') in nats
        assert_allclose(soft_mutual_information(proba, labels), expected, atol=1e-12)


def test_invariant_to_permuting_classes_and_rows():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(5), size=400)
    labels = rng.integers(0, 2, size=400)
    proba[labels == 1] = 0.7 * proba[labels == 1] + 0.3 * np.eye(5)[0]
    mi = soft_mutual_information(proba, labels)
    assert mi > 1e-3
    cols, rows = rng.permutation(5), rng.permutation(400)
    assert_allclose(soft_mutual_information(proba[:, cols], labels), mi, rtol=1e-12)
    assert_allclose(soft_mutual_information(proba[rows], labels[rows]), mi, rtol=1e-12)


def test_matches_naive_double_sum():
    rng = np.random.default_rng(2)
    proba = rng.dirichlet(np.ones(3), size=50)
    labels = rng.integers(0, 3, size=50)
    joint = np.zeros((3, 3))
    for i in range(50):
        joint[labels[i]] += proba[i] / 50
    pz, pc = joint.sum(1), joint.sum(0)
    naive = sum(
        joint[z, c] * np.log(joint[z, c] / (pz[z] * pc[c]))
        for z in range(3)
        for c in range(3)
        if joint[z, c] > 0
    )
    assert_allclose(soft_mutual_information(proba, labels), naive, rtol=1e-12)
