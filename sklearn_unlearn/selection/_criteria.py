"""The selector's criteria: the scores of the forget rows, for each ``criterion``.

A criterion of the registry :data:`~sklearn_unlearn.selection._scores.SCORES`
scores the rows from the domain statistics; ``"random"`` draws a uniform
order, ``"classifier"`` cross-fits a domain classifier, and a callable scores
the forget rows from both domains' rows. Functions of arrays and of the
selector's parameters (the selector passes them; none reads an estimator's
attributes); they raise a clear error when the data hold NaN or inf, which
these passes detect (they propagate into the means and the scores) instead of
a separate pass over X.
"""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from sklearn_unlearn.selection._chunked_stats import (
    chunk_stats,
    dask_domain_stats,
    dask_forget_scores,
)
from sklearn_unlearn.selection._domain import NOT_FINITE, check_lazy_forget_mask
from sklearn_unlearn.selection._scores import SCORES
from sklearn_unlearn.selection._stats import (
    DomainStats,
    all_finite,
    block_rows,
    domain_stats,
    with_scatter,
)

__all__ = [
    "CLIP",
    "check_dask_input",
    "check_streamable",
    "check_streamed_stats",
    "classifier_logits",
    "dask_statistics_and_scores",
    "statistics_and_scores",
    "streamed_chunk_stats",
    "streamed_scores",
]

#: Probabilities are clipped to [CLIP, 1 - CLIP] before the logit.
CLIP = 1e-12


@contextmanager
def _passes():
    """NumPy warnings off (the NaN error follows) and one BLAS thread.

    One thread: the block loops issue many small GEMMs, which two threads on a
    busy machine can slow down by orders of magnitude.
    """
    with (
        np.errstate(over="ignore", invalid="ignore"),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        yield


def classifier_logits(F, mask, *, classifier, cv, random_state, n_jobs):
    r"""Cross-fitted logits :math:`\log p / (1 - p)` of ``P(forget | x)``.

    Each row is scored by a clone of ``classifier`` (None: a logistic
    regression) fitted on folds without it; an int ``cv`` means shuffled
    stratified folds seeded by ``random_state``.
    """
    if classifier is None:
        classifier = LogisticRegression(max_iter=1000)
    if isinstance(cv, Integral):
        cv = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    cv = check_cv(cv, mask, classifier=True)
    smallest = int(min(mask.sum(), (~mask).sum()))
    n_splits = cv.get_n_splits(F, mask)
    if isinstance(cv, StratifiedKFold) and smallest < n_splits:
        raise ValueError(
            f"criterion='classifier' uses cv={n_splits} stratified folds, but a "
            f"domain has only {smallest} samples: lower cv or use another criterion."
        )
    proba = cross_val_predict(
        classifier, F, mask, cv=cv, method="predict_proba", n_jobs=n_jobs
    )
    p = np.clip(proba[:, 1], CLIP, 1.0 - CLIP)
    return np.log(p) - np.log1p(-p)


def _scores(F, forget, retain, mask, stats, step, criterion, random_state, fold):
    """The forget rows' scores of any criterion (``fold``: the classifier's
    ``classifier``, ``cv`` and ``n_jobs``)."""
    if callable(criterion):
        scores = np.asarray(criterion(F[forget], F[retain]), dtype=np.float64)
        scores = scores.reshape(-1)
        if scores.shape != (forget.size,):
            raise ValueError(
                f"The criterion callable returned {scores.size} values for "
                f"{forget.size} forget samples: return one score per row of "
                "X_forget."
            )
        if not all_finite(scores):
            raise ValueError(
                "The criterion callable returned non-finite values (NaN or inf): "
                "return one finite score per forget row."
            )
        return scores
    if criterion == "random":
        scores = check_random_state(random_state).uniform(size=forget.size)
    elif criterion == "classifier":
        scores = classifier_logits(F, mask, random_state=random_state, **fold)
        scores = scores[forget]
    else:
        scores = SCORES[criterion].kernel(F, forget, stats, step)
    if not all_finite(scores):
        raise ValueError(NOT_FINITE)
    return scores


def statistics_and_scores(
    F: np.ndarray,
    mask: np.ndarray,
    *,
    criterion,
    family,
    random_state,
    classifier=None,
    cv=5,
    n_jobs=None,
) -> tuple[DomainStats, np.ndarray]:
    """Domain statistics (as much as needed) and the forget rows' scores.

    The means always; the centred power sums when ``family`` reports the edit
    or the criterion reads them. ``classifier``, ``cv`` and ``n_jobs`` are
    those of ``criterion="classifier"``.
    """
    fold = {"classifier": classifier, "cv": cv, "n_jobs": n_jobs}
    forget, retain = np.flatnonzero(mask), np.flatnonzero(~mask)
    kernel = SCORES.get(criterion) if isinstance(criterion, str) else None
    scatter = family is not None or bool(kernel and kernel.needs_scatter)
    forget_mean = scatter or kernel is None or kernel.needs_forget_mean
    step = block_rows(F)
    with _passes():
        stats = domain_stats(
            F, forget, F, retain, scatter=False, forget_mean=forget_mean, step=step
        )
        if not all_finite(stats.mean_retain, stats.mean_forget):
            raise ValueError(NOT_FINITE)
        if scatter:
            stats = with_scatter(stats, F, forget, F, retain, step)
        scores = _scores(
            F, forget, retain, mask, stats, step, criterion, random_state, fold
        )
    return stats, scores


def check_dask_input(X, forget_mask, criterion, family, target, domain_column):
    """The NumPy forget mask of a dask array's rows, if the parameters allow it."""
    if callable(criterion) or criterion == "classifier":
        raise ValueError(
            "dask input supports the built-in criteria but not "
            "criterion='classifier' or a callable: compute the array first."
        )
    if family is not None or target is not None:
        raise ValueError(
            "dask input needs family=None and budget (the report of the edit and "
            "target read the deleted rows back): set family=None."
        )
    if domain_column is not None:
        raise ValueError("dask input reads the forget domain from forget_mask.")
    return check_lazy_forget_mask(forget_mask, X.shape[0])


def dask_statistics_and_scores(
    X, mask: np.ndarray, *, criterion: str, random_state
) -> tuple[DomainStats, np.ndarray]:
    """Blockwise statistics and forget scores of a dask array ``X``."""
    kernel = SCORES.get(criterion)
    stats = dask_domain_stats(X, mask, kernel is not None and kernel.needs_scatter)
    if not all_finite(stats.mean_forget, stats.mean_retain, stats.scatter_retain):
        raise ValueError(NOT_FINITE)
    if kernel is None:  # "random"
        scores = check_random_state(random_state).uniform(size=stats.n_forget)
    else:
        scores = dask_forget_scores(X, mask, kernel.kernel, stats)
    if not all_finite(scores):
        raise ValueError(NOT_FINITE)
    return stats, scores


def check_streamable(criterion, target) -> bool:
    """True when ``partial_fit`` and ``score_samples`` exist, else AttributeError."""
    if not (isinstance(criterion, str) and criterion in SCORES):
        raise AttributeError(
            "partial_fit and score_samples need a criterion computed from the "
            f"domain statistics ({sorted(SCORES)}); criterion={criterion!r} needs "
            "all rows at once: call fit."
        )
    if target is not None:
        raise AttributeError(
            "partial_fit cannot search for target=(alpha, epsilon): the search "
            "reads the deleted rows back. Set budget or use fit."
        )
    return True


def streamed_chunk_stats(F: np.ndarray, mask: np.ndarray, criterion: str):
    """Statistics of one chunk, as much as ``criterion`` needs (checked finite)."""
    with _passes():
        chunk = chunk_stats(F, mask, SCORES[criterion].needs_scatter, block_rows(F))
    if not all_finite(*chunk):
        raise ValueError(NOT_FINITE)
    return chunk


def check_streamed_stats(stats: DomainStats, criterion: str) -> None:
    """Raise unless ``stats`` can score rows under ``criterion``."""
    kernel = SCORES[criterion]
    if stats.n_forget == 0 or stats.n_retain == 0:
        raise ValueError(
            f"The statistics hold {stats.n_forget} forget and {stats.n_retain} "
            "retained rows: score_samples needs rows of both domains. Pass "
            "chunks holding both to partial_fit first."
        )
    if (kernel.needs_scatter and stats.scatter_retain is None) or (
        kernel.needs_forget_mean and stats.mean_forget is None
    ):
        raise ValueError(
            f"criterion={criterion!r} needs statistics that the last fit did not "
            "compute (criterion was changed after fit): fit again."
        )


def streamed_scores(F: np.ndarray, stats: DomainStats, criterion: str) -> np.ndarray:
    """Scores of every row of ``F`` under streamed (or fitted) statistics."""
    kernel = SCORES[criterion]
    with _passes():
        scores = kernel.kernel(F, np.arange(F.shape[0]), stats, block_rows(F))
    if not all_finite(scores):
        raise ValueError(NOT_FINITE)
    return scores
