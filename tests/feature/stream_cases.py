"""A mixed table for the out-of-core tests of the ``"stochastic"`` method, and
the two audits they compare: leakage of S and utility for the label."""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sklearn_unlearn.datasets import make_grouped_mixed
from sklearn_unlearn.metrics import leakage_auc

N_TRAIN, N_TEST = 20_000, 5_000


def mixed_split():
    """One-hot blocks, skewed amounts, counts and a Gaussian column; S-dependent."""
    X, y, s = make_grouped_mixed(
        N_TRAIN + N_TEST,
        n_categorical=3,
        n_categories=4,
        n_continuous=2,
        group_weights=[0.6, 0.4],
        random_state=0,
    )
    return (X[:N_TRAIN], y[:N_TRAIN], s[:N_TRAIN]), (
        X[N_TRAIN:],
        y[N_TRAIN:],
        s[N_TRAIN:],
    )


def audit(unlearner, train, test):
    """Held-out leakage AUC of S, and held-out label AUC of a model on Z."""
    (X, y, s), (X_test, y_test, s_test) = train, test
    Z, Z_test = (
        np.asarray(unlearner.transform(A, sensitive_features=g))
        for A, g in ((X, s), (X_test, s_test))
    )
    leak = leakage_auc(Z_test, s_test, cv=3, random_state=0)
    model = HistGradientBoostingClassifier(max_iter=50, random_state=0).fit(Z, y)
    return leak, roc_auc_score(y_test, model.predict_proba(Z_test)[:, 1])
