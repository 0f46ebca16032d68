"""Other libraries to compare with, imported only when a script asks for them.

A missing peer is skipped with a printed note (its cells read ``n/a``); the
benchmark itself runs on. :func:`column_peers` and :func:`aif360_peer` time
the peers of ``bench_scale.py``'s ratios.
"""

import importlib
import logging

import numpy as np

from _harness.data import grouped
from _harness.report import log
from _harness.timing import best_of as _best_of

#: import name -> name to install it by.
PACKAGES = {
    "fairlearn": "fairlearn",
    "sklego": "scikit-lego",
    "ot": "POT",
    "aif360": "aif360",
    "BlackBoxAuditing": "BlackBoxAuditing (AIF360's extra)",
}


def available(module):
    """Whether ``module`` imports (without keeping a note)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def require(module, what):
    """``module`` imported, or None after a printed note that ``what`` is skipped."""
    try:
        return importlib.import_module(module)
    except ImportError:
        log(f"{PACKAGES.get(module, module)} is not installed: no {what}")
        return None


def correlation_remover(sensitive_feature_ids, what="CorrelationRemover row"):
    """A new fairlearn ``CorrelationRemover``, or None if fairlearn is missing."""
    if require("fairlearn", what) is None:
        return None
    from fairlearn.preprocessing import CorrelationRemover

    return CorrelationRemover(sensitive_feature_ids=sensitive_feature_ids)


def information_filter(columns, what="InformationFilter row"):
    """A new scikit-lego ``InformationFilter``, or None if scikit-lego is missing."""
    if require("sklego", what) is None:
        return None
    from sklego.preprocessing import InformationFilter

    return InformationFilter(columns=columns)


def linear_transport(Xs, Xt):
    """POT's ``LinearTransport`` (the Gaussian map of ``Xs`` onto ``Xt``): fit and
    transform of ``Xs``. Callers check :func:`available` ("ot") first."""
    from ot.da import LinearTransport

    mapping = LinearTransport()
    mapping.fit(Xs=Xs, Xt=Xt)
    return mapping.transform(Xs=Xs)


def disparate_impact_remover(frame, label, sensitive, what="DisparateImpactRemover"):
    """A zero-argument call of AIF360's ``DisparateImpactRemover(repair_level=1)``
    fit + transform on ``frame`` (built here, outside any timing), or None if
    AIF360 is missing."""
    logging.disable(logging.WARNING)  # AIF360 logs its missing extras
    try:
        # the remover imports its repair code from BlackBoxAuditing when built
        if require("aif360", what) is None or require("BlackBoxAuditing", what) is None:
            return None
        from aif360.algorithms.preprocessing import DisparateImpactRemover
        from aif360.datasets import BinaryLabelDataset
    finally:
        logging.disable(logging.NOTSET)
    data = BinaryLabelDataset(
        df=frame, label_names=[label], protected_attribute_names=[sensitive]
    )

    def run():
        remover = DisparateImpactRemover(
            repair_level=1.0, sensitive_attribute=sensitive
        )
        return remover.fit_transform(data)

    return run


def column_peers(X, s):
    """fairlearn's CorrelationRemover and scikit-lego's InformationFilter (fit +
    transform, when installed) on X with S as its first column, built once."""
    makers = {
        "fairlearn": lambda: correlation_remover([0], "CorrelationRemover"),
        "sklego_information_filter": lambda: information_filter(
            [0], "InformationFilter"
        ),
    }
    out = dict.fromkeys(makers)
    with_s = None
    for name, make in makers.items():
        if make() is None:
            continue
        if with_s is None:
            with_s = np.column_stack([s.astype(X.dtype), X])
        out[name] = _best_of(lambda m=make, Z=with_s: m().fit_transform(Z), 1)
    return out


def aif360_peer(n=10_000, d=100):
    """AIF360's DisparateImpactRemover against our quantile method, at 1e4 x 100.

    Its per-feature median repair is a quantile repair group by group; it is
    pure Python per value, so it runs at a size where it ends in seconds.
    """
    import pandas as pd

    from sklearn_unlearn import BarycenterFeatureUnlearner

    X, s = grouped(n, d, np.float64)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    frame["s"] = s
    frame["label"] = (X[:, 0] > 0).astype(int)
    peer = disparate_impact_remover(frame, "label", "s")
    if peer is None:
        return {"aif360_disparate_impact_remover": None, "aif360_ours_quantile": None}

    def ours():
        BarycenterFeatureUnlearner(method="quantile").fit(
            X, sensitive_features=s
        ).transform(X, sensitive_features=s)

    return {
        "aif360_disparate_impact_remover": _best_of(peer, 1),
        "aif360_ours_quantile": _best_of(ours, 3),
    }
