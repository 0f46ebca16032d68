"""Bad inputs of the public metrics, scorers and refit rules: one table.

Each case must raise the given exception type before any work, with a short
message (no dumped arrays) naming the offending parameter, and must leave its
inputs untouched.
"""

import copy
import pickle
import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.metrics import (
    UnlearningTradeoffDisplay,
    distributional_unlearning_report,
    gaussian_kl,
    gaussian_pareto_frontier,
    group_wasserstein_distance,
    independence_reference,
    leakage_auc,
    leakage_bounded_refit,
    make_leakage_scorer,
    make_tradeoff_scorer,
    marginal_information,
    membership_advantage,
    membership_audit,
    mutual_information,
)
from sklearn_unlearn.utils._compat import InvalidParameterError

RNG = np.random.default_rng(0)
P3_FORGET = RNG.dirichlet([1, 1, 1], 50)
P3_HOLD = RNG.dirichlet([1, 1, 1], 40)
P2_HOLD = RNG.dirichlet([1, 1], 40)
Y3_FORGET = RNG.integers(0, 3, 50)
Y3_HOLD = RNG.integers(0, 3, 40)
Z = RNG.normal(size=(60, 2))
S = np.arange(60) % 2
HUGE = np.array([[1.5e308] * 4, [1.4e308] * 4, [-1.5e308] * 4, [-1.4e308] * 4])
# numbers printed the way numpy prints an array: several in a row, no commas
DUMPED_ARRAY = re.compile(r"\[\s*[-+]?\d[\d.e+-]*(\s+[-+]?\d[\d.e+-]*){3,}")


def _fitted(*steps):
    s = np.arange(120) % 2
    X = np.column_stack(
        [s, np.random.default_rng(1).normal(size=(120, 2)) + s[:, None]]
    )
    y = (X[:, 1] > 0.5).astype(int)
    return make_pipeline(*steps).fit(X, y), X, y


def _two_unlearners():
    model, X, y = _fitted(
        BarycenterFeatureUnlearner([0], method="gaussian", drop_sensitive=False),
        BarycenterFeatureUnlearner([0], method="gaussian"),
        LogisticRegression(),
    )
    return make_leakage_scorer(), (model, X, y), {}


def _no_unlearner():
    model, X, y = _fitted(StandardScaler(), LogisticRegression())
    return make_leakage_scorer(), (model, X, y), {}


def _tradeoff_without_predictor():
    model, X, y = _fitted(StandardScaler(), BarycenterFeatureUnlearner([0]))
    return make_tradeoff_scorer(), (model, X, y), {}


def _display_repair_levels():
    pytest.importorskip("matplotlib")
    model = make_pipeline(BarycenterFeatureUnlearner([0]), LogisticRegression())
    _, X, y = _fitted(StandardScaler())
    levels = {"repair_levels": [0.0, 1.5]}
    return UnlearningTradeoffDisplay.from_estimator, (model, X, y, X, y), levels


def _display_unknown_scoring():
    pytest.importorskip("matplotlib")
    model = make_pipeline(BarycenterFeatureUnlearner([0]), LogisticRegression())
    _, X, y = _fitted(StandardScaler())
    return (
        UnlearningTradeoffDisplay.from_estimator,
        (model, X, y, X, y),
        {"scoring": "roc-auc"},
    )


def _set_score_request_without_routing():
    return make_leakage_scorer().set_score_request, (), {"sensitive_features": True}


def _audit_case(**change):
    model, X, y = _fitted(StandardScaler(), LogisticRegression())
    kwargs = dict(
        forget_mask=np.arange(120) < 20,
        X_holdout=X[:10],
        y_holdout=y[:10],
        estimator=LogisticRegression(),
    )
    kwargs.update(change)
    return lambda: (membership_audit, (model, X, y), kwargs)


def _case(function, *args, **kwargs):
    return lambda: (function, args, kwargs)


MA = membership_advantage
REFIT = leakage_bounded_refit(0.6)
# (id, factory of (callable, args, kwargs), exception type, message regex)
CASES = [
    ("ma-classes", _case(MA, P3_FORGET, P2_HOLD), ValueError, "proba_holdout has 2"),
    (
        "ma-y_forget-alone",
        _case(MA, P3_FORGET, P3_HOLD, y_forget=Y3_FORGET),
        ValueError,
        "y_forget was given without y_holdout",
    ),
    (
        "ma-y_holdout-alone",
        _case(MA, P3_FORGET, P3_HOLD, y_holdout=Y3_HOLD),
        ValueError,
        "y_holdout was given without y_forget",
    ),
    (
        "ma-y_forget-length",
        _case(MA, P3_FORGET, P3_HOLD, y_forget=Y3_FORGET[:7], y_holdout=Y3_HOLD),
        ValueError,
        r"y_forget .*one class index per row of proba_forget \(50 rows\).*\(7,\)",
    ),
    (
        "ma-y_forget-range",
        _case(MA, P3_FORGET, P3_HOLD, y_forget=np.full(50, 5), y_holdout=Y3_HOLD),
        ValueError,
        r"y_forget must hold class indices in 0\.\.2",
    ),
    (
        "ma-y_forget-float",
        _case(MA, P3_FORGET, P3_HOLD, y_forget=np.full(50, 0.5), y_holdout=Y3_HOLD),
        ValueError,
        "y_forget must hold integer class indices",
    ),
    (
        "audit-nothing-forgotten",
        _audit_case(forget_mask=np.zeros(120, bool)),
        ValueError,
        "forget_mask selects no row",
    ),
    (
        "audit-empty-holdout",
        _audit_case(X_holdout=np.zeros((0, 3))),
        ValueError,
        "X_holdout is empty",
    ),
    ("ma-nan", _case(MA, [0.9, np.nan], [0.5, 0.6]), ValueError, "proba_forget .*NaN"),
    ("ma-3d", _case(MA, np.ones((2, 2, 2)), np.ones((2, 2, 2))), ValueError, "proba_f"),
    (
        "ma-empty",
        _case(MA, np.empty((0, 2)), P2_HOLD),
        ValueError,
        "proba_forget is em",
    ),
    (
        "ma-1d-vs-2d",
        _case(MA, RNG.random(50), P2_HOLD),
        ValueError,
        "proba_forget is 1-D but proba_holdout is 2-D",
    ),
    (
        "ma-labels-of-scores",
        _case(MA, [0.9, 0.8], [0.1, 0.2], y_forget=[0, 1], y_holdout=[1, 0]),
        ValueError,
        "drop y_forget and y_holdout",
    ),
    (
        "tradeoff-unknown-utility",
        _case(make_tradeoff_scorer, "not_a_metric"),
        InvalidParameterError,
        r"'utility' parameter of make_tradeoff_scorer.*'not_a_metric'",
    ),
    (
        "refit-missing-key",
        _case(REFIT, {"mean_test_utility": [0.7], "mean_test_leak": [-0.5]}),
        ValueError,
        r"mean_test_leakage.*leakage='leakage'.*\['mean_test_leak'",
    ),
    (
        "refit-single-metric",
        _case(REFIT, {"mean_test_score": [0.1, 0.2], "params": [{}, {}]}),
        ValueError,
        r"mean_test_utility.*\['mean_test_score'\]",
    ),
    (
        "refit-nan-leakage",
        _case(
            REFIT, {"mean_test_utility": [0.7, 0.9], "mean_test_leakage": [np.nan] * 2}
        ),
        ValueError,
        "mean_test_leakage'] is NaN for every candidate.*error_score='raise'",
    ),
    (
        "refit-nan-utility",
        _case(
            REFIT,
            {"mean_test_utility": [np.nan] * 2, "mean_test_leakage": [-0.7, -0.5]},
        ),
        ValueError,
        "mean_test_utility'] is NaN for every candidate.*error_score='raise'",
    ),
    (
        "refit-not-an-auc",
        _case(
            REFIT, {"mean_test_utility": [0.7, 0.9], "mean_test_leakage": [-3.0, -0.5]}
        ),
        ValueError,
        r"mean_test_leakage'\] holds values outside \[-1, 1\]",
    ),
    (
        "pareto-shapes",
        _case(gaussian_pareto_frontier, np.ones(3), np.ones(2)),
        ValueError,
        r"kappa \(shape \(3,\)\) and epsilon \(shape \(2,\)\) must broadcast",
    ),
    (
        "pareto-nan",
        _case(gaussian_pareto_frontier, [1.0, np.nan], 0.1),
        ValueError,
        "kappa must be nonnegative.*NaN",
    ),
    (
        "marginal-1d",
        _case(marginal_information, RNG.random(5), RNG.random(5)),
        ValueError,
        r"proba_full must be 2-D, of shape \(n_samples, n_classes\)",
    ),
    (
        "w2-1d",
        _case(group_wasserstein_distance, Z[:, 0], S),
        ValueError,
        "Z must be 2-D",
    ),
    (
        "w2-strings",
        _case(group_wasserstein_distance, [["a", "b"]] * 4, [0, 0, 1, 1]),
        ValueError,
        "Z must hold numbers",
    ),
    (
        "w2-missing-sensitive",
        _case(group_wasserstein_distance, Z[:6], [0.0, 1.0, np.nan, 0.0, 1.0, 0.0]),
        ValueError,
        "^sensitive_features contains missing",
    ),
    ("leakage-1d", _case(leakage_auc, Z[:, 0], S), ValueError, "Z must be 2-D"),
    (
        "leakage-continuous-sensitive",
        _case(leakage_auc, Z, RNG.normal(size=60)),
        ValueError,
        "^sensitive_features is float with 60 distinct values.*KBinsDiscretizer",
    ),
    (
        "mi-continuous-sensitive",
        _case(mutual_information, Z, RNG.normal(size=60)),
        ValueError,
        "^sensitive_features is float with 60 distinct values",
    ),
    (
        "mi-ragged",
        _case(mutual_information, [[1.0, 2.0], [3.0]], [0, 1]),
        ValueError,
        "Z must be a rectangular array",
    ),
    (
        "report-1d",
        _case(distributional_unlearning_report, Z[:, 0], Z, np.ones(60, bool)),
        ValueError,
        r"X_forget must be 2-D.*X_forget\.reshape\(-1, 1\)",
    ),
    (
        "kl-nan-cov_q",
        _case(
            gaussian_kl, np.zeros(2), np.eye(2), np.zeros(2), np.full((2, 2), np.nan)
        ),
        ValueError,
        "cov_q must be finite",
    ),
    (
        "kl-cov_p-shape",
        _case(gaussian_kl, np.zeros(3), np.eye(2), np.zeros(3)),
        ValueError,
        r"mean_p must be 1-D.*cov_p 2-D.*\(3,\) and \(2, 2\)",
    ),
    (
        "reference-lengths",
        _case(independence_reference, Z[:50], S[:40], S[:50]),
        ValueError,
        "'y': 40",
    ),
    ("scorer-two-unlearners", _two_unlearners, ValueError, "2 BarycenterFeatureUnl"),
    (
        "scorer-no-unlearner",
        _no_unlearner,
        TypeError,
        "among its steps.*standardscaler",
    ),
    ("tradeoff-no-predictor", _tradeoff_without_predictor, TypeError, "final estima"),
    ("display-repair_levels", _display_repair_levels, ValueError, "repair_levels must"),
    (
        "display-unknown-scoring",
        _display_unknown_scoring,
        InvalidParameterError,
        r"'scoring' parameter of .*from_estimator.*\['roc_auc'",
    ),
    (
        "w2-overflow",
        _case(group_wasserstein_distance, HUGE, [0, 0, 1, 1], method="gaussian"),
        ValueError,
        "exceeds the float64 range.*express Z in larger units",
    ),
    (
        "set_score_request-routing-off",
        _set_score_request_without_routing,
        RuntimeError,
        "set_score_request.*enable_metadata_routing=True",
    ),
]


@pytest.mark.parametrize(
    "factory, error, pattern",
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_is_rejected_clearly(factory, error, pattern):
    function, args, kwargs = factory()
    given_args, given_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    with pytest.raises(error, match=pattern) as info:
        function(*given_args, **given_kwargs)
    message = str(info.value)
    assert len(message) < 400, message
    assert not DUMPED_ARRAY.search(message), message
    assert "sensitive_bins" not in message  # no metric has such a parameter
    # the inputs were not mutated
    assert pickle.dumps((given_args, given_kwargs)) == pickle.dumps((args, kwargs))
