"""Output laws from chunks: partial_fit's merged sketches against fit's model."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeRegressor

from sklearn_unlearn import BarycenterOutcomeUnlearner
from sklearn_unlearn.outcome._kernels import _fit_outcome_barycenter
from sklearn_unlearn.outcome._methods import grid_levels
from sklearn_unlearn.outcome._sketches import fit_from_sketches
from sklearn_unlearn.utils._quantile_sketch import a_priori_error, merge_chunk_sketches
from sklearn_unlearn.utils._sensitive import parse_sensitive


def _rows(n, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 3)) + (s == "b")[:, None] * 1.5
    y = X @ np.array([1.0, -0.5, 2.0]) + rng.normal(size=n)
    return X, y, s


def _stream(F, s, chunk, capacity):
    state = None
    for i in range(0, len(s), chunk):
        record = parse_sensitive(values=s[i : i + chunk])
        state = merge_chunk_sketches(
            F[i : i + chunk], record.codes, record.encoding, state, capacity
        )
    return state


@pytest.mark.parametrize("tied", [False, True])
def test_exact_sketches_give_the_in_memory_model(tied):
    rng = np.random.default_rng(1)
    F = rng.normal(size=(900, 1))
    if tied:
        F = np.round(F, 1)
    s = rng.integers(0, 3, size=900)
    encoding, sketches = _stream(F, s, 200, capacity=8000)
    assert all(sk.error == 0 for sk in sketches)
    w = encoding.counts / encoding.counts.sum()
    got = fit_from_sketches(sketches, w, 100, 5)
    codes = parse_sensitive(values=s).codes
    q = grid_levels(encoding.counts, 100)
    ref = _fit_outcome_barycenter(F, codes, 3, w, q, 5, max_atoms=100)
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("tied", [False, True])
def test_compacted_sketches_stay_within_their_rank_error(tied):
    rng = np.random.default_rng(2)
    F = rng.exponential(size=(30000, 1))
    if tied:  # a third of the outputs on one value
        F[rng.random(30000) < 0.33, 0] = 0.5
    s = rng.integers(0, 2, size=30000)
    capacity = 64
    encoding, sketches = _stream(F, s, 1000, capacity)
    w = encoding.counts / encoding.counts.sum()
    model = fit_from_sketches(sketches, w, 50, 0)
    u = model.references
    for g, sketch in enumerate(sketches):
        n = sketch.count
        assert 0 < sketch.error <= a_priori_error(n, capacity) * n
        shift = sketch.error / (n - 1)
        rows = F[s == g, 0]
        lower = np.quantile(rows, np.clip(u - shift, 0, 1))
        upper = np.quantile(rows, np.clip(u + shift, 0, 1))
        Q = model.group_quantiles[g, :, 0]
        assert np.all(Q >= lower - 1e-12) and np.all(Q <= upper + 1e-12)
        if tied:  # the atom is found, its CDF limits within e / n
            values, counts = np.unique(rows, return_counts=True)
            big = np.argmax(counts)
            at = np.flatnonzero(model.atoms[g, :, 0] == values[big])
            assert at.size == 1
            right = np.sum(rows <= values[big]) / n
            assert abs(model.atom_levels[1, g, at[0], 0] - right) <= sketch.error / n


def test_partial_fit_on_chunks_matches_fit_of_the_frozen_model():
    X, y, s = _rows(3000)
    model = LinearRegression().fit(X[:1000], y[:1000])
    ref = BarycenterOutcomeUnlearner(FrozenEstimator(model), random_state=0)
    ref.fit(X[1000:], y[1000:], sensitive_features=s[1000:])
    stream = BarycenterOutcomeUnlearner(model, random_state=0)
    for i in range(1000, 3000, 400):
        stream.partial_fit(X[i : i + 400], sensitive_features=s[i : i + 400])
    assert stream.estimator_ is model  # used as it is
    for name in ("group_counts_", "group_quantiles_", "barycenter_quantiles_"):
        np.testing.assert_array_equal(getattr(stream, name), getattr(ref, name))
    np.testing.assert_array_equal(
        stream.predict(X[:500], sensitive_features=s[:500]),
        ref.predict(X[:500], sensitive_features=s[:500]),
    )
    # fit discards the sketches: the next partial_fit starts anew
    stream.fit(X[:1000], y[:1000], sensitive_features=s[:1000])
    stream.partial_fit(X[:100], sensitive_features=s[:100])
    assert stream.group_counts_.sum() == 100


def test_partial_fit_groups_appear_later_and_tied_outputs():
    X, y, s = _rows(4000, seed=3)
    tree = DecisionTreeRegressor(max_leaf_nodes=12, random_state=0).fit(X, y)
    stream = BarycenterOutcomeUnlearner(tree, n_quantiles=8, random_state=0)
    order = np.argsort(s == "c", kind="stable")  # group "c" only at the end
    Xo, so = X[order], s[order]
    stream.partial_fit(Xo[:10], sensitive_features=np.full(10, "a"))
    with pytest.raises(NotFittedError):  # one group: no barycenter yet
        stream.predict(Xo[:5], sensitive_features=so[:5])
    for i in range(10, 4000, 500):
        stream.partial_fit(Xo[i : i + 500], sensitive_features=so[i : i + 500])
    assert list(stream.groups_) == ["a", "b", "c"]
    assert stream.group_counts_.sum() == 4000
    assert max(sketch.error for sketch in stream._sketches[1]) > 0
    # 8 x 8 = 64 values per level: compacted. Against fit on the same rows
    # (the tree's leaves are atoms): each group's repaired law within the
    # rank errors of its and the barycenter's quantiles, and a grid step
    ref = BarycenterOutcomeUnlearner(FrozenEstimator(tree), n_quantiles=8)
    ref.set_params(random_state=0).fit(X, y, sensitive_features=s)
    eps = max(sk.error / sk.count for sk in stream._sketches[1])
    step = 1 / (stream.references_.size - 1)
    pred = stream.predict(X, sensitive_features=s)
    pred_ref = ref.predict(X, sensitive_features=s)
    for g in "abc":
        assert _ks(pred[s == g], pred_ref[s == g]) <= 2 * eps + step
        # as independent of S as fit's repair, up to the sketches' errors
        own = _ks(pred_ref[s == g], pred_ref[s == "a"])
        assert _ks(pred[s == g], pred[s == "a"]) <= own + 4 * eps


def _ks(a, b):
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, "right") / a.size
    fb = np.searchsorted(np.sort(b), grid, "right") / b.size
    return float(np.abs(fa - fb).max())


def test_partial_fit_needs_a_fitted_single_output_model():
    X, y, s = _rows(300)
    unfitted = BarycenterOutcomeUnlearner(LinearRegression())
    assert not hasattr(unfitted, "partial_fit")
    with pytest.raises(AttributeError) as exc:
        unfitted.partial_fit(X, sensitive_features=s)
    assert "pass a fitted estimator" in str(exc.value.__cause__)
    labels = np.digitize(y, [-1.0, 1.0])  # three classes
    clf = LogisticRegression().fit(X, labels)
    with pytest.raises(ValueError, match="3 column"):
        BarycenterOutcomeUnlearner(clf).partial_fit(X, sensitive_features=s)
    binary = LogisticRegression().fit(X, labels > 0)
    repaired = BarycenterOutcomeUnlearner(binary, random_state=0)
    repaired.partial_fit(X, sensitive_features=s)
    assert repaired.predict_proba(X, sensitive_features=s).shape == (300, 2)
