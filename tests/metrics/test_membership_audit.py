"""membership_audit: known answers on small models, reuse, invariances, bad input."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklearn_unlearn.metrics import MembershipAudit, membership_audit
from sklearn_unlearn.utils._compat import InvalidParameterError


def _noise_labels(seed=0, n_train=400, n_out=300, n_forget=150):
    """Features with labels of 10 random classes: only memorising fits them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_out, 5))
    y = rng.integers(0, 10, n_train + n_out)
    forget = np.zeros(n_train, dtype=bool)
    forget[rng.choice(n_train, n_forget, replace=False)] = True
    return X[:n_train], y[:n_train], forget, X[n_train:], y[n_train:]


def _audit(model, data, **kwargs):
    X, y, forget, X_out, y_out = data
    return membership_audit(
        model, X, y, forget_mask=forget, X_holdout=X_out, y_holdout=y_out, **kwargs
    )


def test_memorising_model_is_caught_and_retraining_is_not():
    # a 1-NN classifier is certain of each training row's (random) label, and
    # right on an unseen row only by chance (1 in 10): AUC about 0.95
    data = _noise_labels()
    X, y, forget, _, _ = data
    one_nn = KNeighborsClassifier(n_neighbors=1)
    original = _audit(
        one_nn.fit(X, y), data, estimator=one_nn, n_references=4, fpr=(0.01, 0.15)
    )
    assert original.auc > 0.9
    # the unseen rows it gets right tie with the forgotten ones: passing them
    # (FPR about 10%) flags nearly every forgotten row, at 1% none can be
    assert original.tpr_at_fpr[1] > 0.9
    assert original.tpr_at_fpr[0] <= original.tpr_at_fpr[1]
    retrained = KNeighborsClassifier(n_neighbors=1).fit(X[~forget], y[~forget])
    again = _audit(retrained, data, references=original.references)
    # both groups unseen: 1/2 up to sampling noise (sd about 0.03 at 150 + 300
    # rows, less with ties); tolerance 0.1
    assert abs(again.auc - 0.5) < 0.1


def test_a_model_drawn_like_the_references_scores_one_half():
    # the audited model is one more reference (its own half of the retained
    # rows): its outputs follow the references' law on both groups
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1000, 20))
    y = (X[:, 0] + rng.normal(size=1000) > 0).astype(int)
    data = (X[:600], y[:600], np.arange(600) < 200, X[600:], y[600:])
    lr = LogisticRegression(C=10.0)
    audit = _audit(lr.fit(X[:600][300:], y[:600][300:]), data, estimator=lr)
    # sd about 0.025 at 200 + 400 rows; tolerance 0.08
    assert abs(audit.auc - 0.5) < 0.08


def test_result_fields_and_reuse_of_the_references():
    data = _noise_labels(n_train=120, n_out=80, n_forget=30)
    X, y, *_ = data
    model = LogisticRegression(C=100.0).fit(X, y)
    audit = _audit(
        model,
        data,
        estimator=LogisticRegression(C=100.0),
        n_references=3,
        fpr=0.05,
        random_state=0,
    )
    assert isinstance(audit, MembershipAudit)
    assert audit.scores_forget.shape == (30,) and audit.scores_holdout.shape == (80,)
    np.testing.assert_array_equal(audit.fpr, [0.05])
    assert len(audit.references) == 3 and 0.0 <= audit.tpr_at_fpr[0] <= 1.0
    assert repr(audit).startswith("MembershipAudit(auc=")
    reused = _audit(model, data, references=audit.references, fpr=0.05)
    np.testing.assert_array_equal(reused.scores_forget, audit.scores_forget)
    assert reused.auc == audit.auc
    other = _audit(
        model,
        data,
        estimator=LogisticRegression(C=100.0),
        n_references=3,
        fpr=0.05,
        random_state=1,
    )
    assert not np.array_equal(other.scores_forget, audit.scores_forget)


def test_seeded_references_are_reproducible_and_differ_in_their_seeds():
    data = _noise_labels(n_train=120, n_out=60, n_forget=30)
    X, y, *_ = data
    sgd = make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", tol=None))
    sgd.set_params(sgdclassifier__max_iter=20)
    model = sgd.fit(X, y)
    one = _audit(model, data, estimator=sgd, n_references=3, random_state=0)
    with parallel_config(backend="threading"):  # the parallel path, no spawn
        two = _audit(
            model, data, estimator=sgd, n_references=3, random_state=0, n_jobs=2
        )
    np.testing.assert_array_equal(one.scores_holdout, two.scores_holdout)
    seeds = {r.get_params()["sgdclassifier__random_state"] for r in one.references}
    assert len(seeds) == 3


def test_row_order_does_not_matter():
    data = _noise_labels(n_train=200, n_out=100, n_forget=60)
    X, y, forget, X_out, y_out = data
    model = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    audit = _audit(model, data, estimator=KNeighborsClassifier(3), random_state=0)
    rng = np.random.default_rng(5)
    order, order_out = rng.permutation(200), rng.permutation(100)
    shuffled = (X[order], y[order], forget[order], X_out[order_out], y_out[order_out])
    again = _audit(model, shuffled, references=audit.references)
    assert again.auc == pytest.approx(audit.auc, abs=1e-12)
    np.testing.assert_allclose(again.tpr_at_fpr, audit.tpr_at_fpr)
    # the forgotten rows' scores follow their rows
    position = np.argsort(np.flatnonzero(forget[order]))
    forgotten_then = np.flatnonzero(forget)
    expected = audit.scores_forget[
        np.searchsorted(forgotten_then, order[forget[order]])
    ]
    np.testing.assert_allclose(again.scores_forget[position], expected[position])
    np.testing.assert_allclose(
        np.sort(again.scores_holdout), np.sort(audit.scores_holdout)
    )


class _NoFit(ClassifierMixin, BaseEstimator):
    """Fails the test if the audit starts training before checking its input."""

    def fit(self, X, y):
        raise AssertionError("fit was called before the input was checked")

    def predict_proba(self, X):
        raise AssertionError("predict_proba was called")


def _bad(**change):
    X, y, forget, X_out, y_out = _noise_labels(n_train=40, n_out=20, n_forget=10)
    model = LogisticRegression().fit(X, y)
    kwargs = dict(
        model=model,
        X=X,
        y=y,
        forget_mask=forget,
        X_holdout=X_out,
        y_holdout=y_out,
        estimator=_NoFit(),
    )
    kwargs.update(change)
    return kwargs


X40 = np.zeros((40, 5))
BAD = [
    ("no-forgotten", _bad(forget_mask=np.zeros(40, bool)), "selects no row"),
    ("all-forgotten", _bad(forget_mask=np.ones(40, bool)), "selects every row"),
    ("mask-not-bool", _bad(forget_mask=np.zeros(40, int)), "must be boolean"),
    ("mask-length", _bad(forget_mask=np.ones(30, bool)), r"shape \(30,\) but X"),
    ("y-length", _bad(y=np.zeros(39, int)), r"y has shape \(39,\) but X has 40"),
    ("holdout-empty", _bad(X_holdout=np.zeros((0, 5))), "X_holdout is empty"),
    ("y_holdout-length", _bad(y_holdout=np.zeros(3, int)), "y_holdout has shape"),
    ("neither", _bad(estimator=None), "exactly one of estimator .* neither"),
    ("both", _bad(references=[_NoFit(), _NoFit()]), "exactly one .* both"),
    ("one-reference", _bad(estimator=None, references=[_NoFit()]), "at least 2"),
    ("fpr-range", _bad(fpr=[0.01, 2.0]), r"fpr must be .* in \(0, 1\)"),
    ("labels", _bad(y=np.full(40, 99), y_holdout=np.full(20, 77)), "None of the"),
]


@pytest.mark.parametrize(
    "kwargs, pattern", [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_fails_before_any_training(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        membership_audit(**kwargs)
    assert len(str(info.value)) < 300


def test_models_without_probabilities_or_fit_are_rejected():
    with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
        membership_audit(**_bad(estimator=LinearSVC()))
    svc = LinearSVC().fit(X40, np.arange(40) % 2)
    with pytest.raises(InvalidParameterError, match="'model' parameter"):
        membership_audit(**_bad(model=svc))
    with pytest.raises(InvalidParameterError, match="'n_references' parameter"):
        membership_audit(**_bad(n_references=1))
    with pytest.raises(NotFittedError):
        membership_audit(**_bad(model=LogisticRegression()))
