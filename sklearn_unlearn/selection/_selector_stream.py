"""Streaming API of DistributionalSelector: ``partial_fit`` and ``score_samples``."""

import numpy as np
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from sklearn_unlearn.selection._scores import SCORES
from sklearn_unlearn.selection._selector_input import (
    DOMAIN_HINT,
    NOT_FINITE,
    _block_rows,
)
from sklearn_unlearn.selection._streaming import chunk_stats, merge_domain_stats
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import is_dask, to_float_features

__all__ = ["SelectorStreamMixin"]


def _can_stream(selector) -> bool:
    """``partial_fit`` and ``score_samples`` exist for the statistic scores."""
    if not (isinstance(selector.score, str) and selector.score in SCORES):
        raise AttributeError(
            "partial_fit and score_samples need a score computed from the domain "
            f"statistics ({sorted(SCORES)}); score={selector.score!r} needs all "
            "rows at once: call fit."
        )
    if selector.target is not None:
        raise AttributeError(
            "partial_fit cannot search for target=(alpha, epsilon): the search reads "
            "the deleted rows back. Set budget or use fit."
        )
    return True


class SelectorStreamMixin:
    """Exact streaming of the domain statistics, and scoring of any rows."""

    @available_if(_can_stream)
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, *, forget_mask=None):
        """Add a chunk of rows to the domain statistics (exact streaming).

        The counts, means and, when the score needs them, the scatter matrices
        and the fourth power sums of Ledoit-Wolf shrinkage are merged exactly:
        after chunks ``X_1, .., X_k`` they equal those ``fit`` computes on their
        concatenation. Nothing is deleted: score the rows in a second pass with
        :meth:`score_samples` and delete the top of the forget rows (see the
        User Guide). The first call after construction or after ``fit``
        starts afresh. Only for the built-in statistic scores
        (``"likelihood_ratio"``, ``"euclidean"``, ``"mahalanobis"``,
        ``"cosine"``, ``"coreset"``) without ``target``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of rows of either domain (with the domain column if
            ``domain_column`` is set).
        y : None
            Ignored.
        forget_mask : array-like of bool, shape (n_samples,), default=None
            True for the chunk's rows of the forget domain (when
            ``domain_column`` is None).

        Returns
        -------
        self : DistributionalSelector
            The selector, with updated ``statistics_``.
        """
        if is_dask(X):
            raise TypeError(
                "partial_fit takes in-memory chunks (NumPy arrays or DataFrames); "
                "pass a dask array to fit instead, which reduces it blockwise."
            )
        first = not getattr(self, "_streaming", False)
        F, mask = self._features_and_mask(X, forget_mask, reset=first)
        with (
            np.errstate(over="ignore", invalid="ignore"),
            threadpool_limits(limits=1, user_api="blas"),
        ):
            chunk = chunk_stats(
                F, mask, SCORES[self.score].needs_scatter, _block_rows(F)
            )
        if not all(np.isfinite(np.asarray(v)).all() for v in chunk if v is not None):
            raise ValueError(NOT_FINITE)
        self.statistics_ = (
            chunk if first else merge_domain_stats(self.statistics_, chunk)
        )
        self._streaming = True
        return self

    @available_if(_can_stream)
    def score_samples(self, X):
        """Deletion score of every row of ``X`` under the fitted statistics.

        The higher the score, the earlier a forget row would be deleted. For
        the rows ``fit`` saw, ``score_samples(X)[forget_indices_]`` equals
        ``scores_``; after :meth:`partial_fit` it scores rows in a second pass
        over the data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score, as passed to ``fit`` (with the domain column if
            ``domain_column`` is set; its value is ignored).

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Score of each row.
        """
        check_is_fitted(self, "statistics_")
        stats = self.statistics_
        kernel = SCORES[self.score]
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
                f"score={self.score!r} needs statistics that the last fit did not "
                "compute (score was changed after fit): fit again."
            )
        F = to_float_features(
            self._drop_domain(X), hint=DOMAIN_HINT, ensure_all_finite=False
        )
        with (
            np.errstate(over="ignore", invalid="ignore"),
            threadpool_limits(limits=1, user_api="blas"),
        ):
            scores = kernel.kernel(F, np.arange(F.shape[0]), stats, _block_rows(F))
        if not np.all(np.isfinite(scores)):
            raise ValueError(NOT_FINITE)
        return scores
