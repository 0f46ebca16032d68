"""``partial_fit`` of BarycenterFeatureUnlearner (a mixin of the estimator).

Validates each chunk once, merges its groups into the fitted encoding, and
calls the streaming kernels of :mod:`sklearn_unlearn.feature._streaming`:
exact moments for ``method="gaussian"``, fixed cells with exact counts for
``method="stochastic"``.
"""

import numpy as np
from sklearn.utils._available_if import available_if
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._gaussian_maps import GaussianModel
from sklearn_unlearn.feature._input import (
    check_label,
    check_streaming,
    draw_seed,
)
from sklearn_unlearn.feature._methods import METHODS
from sklearn_unlearn.feature._stochastic import CellBarycenter
from sklearn_unlearn.feature._stochastic_stream import (
    model_from_sketch,
    sketch_from_model,
)
from sklearn_unlearn.feature._streaming import (
    CellStream,
    merge_chunk,
    stream_cells,
)
from sklearn_unlearn.utils._docs import fill_docs
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import merge_encodings
from sklearn_unlearn.utils._state import fit_context

__all__ = ["PartialFitMixin"]


class PartialFitMixin:
    """``partial_fit`` for the methods whose statistics merge across chunks."""

    def _can_stream(self) -> bool:
        return check_streaming(self.method, self.sensitive_bins)

    @available_if(_can_stream)
    @fit_context(prefer_skip_nested_validation=True)
    @fill_docs
    def partial_fit(self, X, y=None, *, sensitive_features=None):
        """Update the barycenter and maps with one more chunk of rows.

        ``method="gaussian"`` is exact: the groups' counts, means and scatter
        matrices are merged, so a sequence of ``partial_fit`` calls gives the
        barycenter and maps of ``fit`` on all the rows (to rounding).

        ``method="stochastic"`` keeps the rows of the first calls until 50,000
        rows have been seen, refitting on all of them at each call (the same
        model as ``fit`` on their concatenation). The call that reaches 50,000
        rows fixes the embedding (with ``y``, if given) and the cells, fitted
        on a uniform sample of 50,000 of those rows, their number set by the
        rows seen so far; the rows are then dropped. Later chunks add their
        exact counts per group and cell and candidate stored rows (each cell
        keeps the 32 with the smallest seeded hash of their position in the
        stream), and the barycenter and plans are recomputed from the counts.
        Unlike ``fit`` on the concatenation, the standardisation, label score
        and cells come from that sample, the number of cells does not grow
        after it, and ``y`` of later chunks is not used.

        A group may first appear in any chunk. After ``fit``, ``partial_fit``
        continues from its model (for ``"stochastic"``: its cells, counts and
        stored rows). Other methods and ``sensitive_bins`` do not stream
        (``partial_fit`` does not exist and the AttributeError says why).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of training rows.
        y : array-like of shape (n_samples,), default=None
            Labels of the chunk: used by ``"stochastic"`` until its cells are
            fixed (pass them with every chunk or with none); ignored otherwise.
        %(sensitive_values)s

        Returns
        -------
        self : BarycenterFeatureUnlearner
            The updated transformer.
        """
        if self.method == "stochastic":
            return self._stream_cells(X, y, sensitive_features)
        previous = getattr(self, "_model", None)
        first = not isinstance(previous, GaussianModel)
        record = self._split(X, sensitive_features, reset=first)
        with threadpool_limits(limits=1, user_api="blas"):
            encoding, moments = merge_chunk(
                record.features,
                record.codes,
                record.encoding,
                None if first else (self._encoding, previous.moments),
            )
        seed = draw_seed(self.random_state) if first else self._seed
        return self._fit_moments(encoding, moments, seed)

    def _stream_cells(self, X, y, sensitive_features):
        """``partial_fit`` of ``method="stochastic"``."""
        previous = getattr(self, "_model", None)
        first = not isinstance(previous, CellBarycenter)
        record = self._split(X, sensitive_features, reset=first)
        label = None
        if y is not None and self.label_weight:
            label = check_label(y, record.features.shape[0])
        if first:
            seed, state = draw_seed(self.random_state), None
            encoding, codes = record.encoding, record.codes
            old_index = np.empty(0, dtype=np.intp)
        else:
            seed, (model, state) = self._seed, getattr(self, "_stream", (None, None))
            if model is not previous:  # fitted by fit: continue from its model
                state = CellStream(
                    int(self.group_counts_.sum()),
                    None,
                    previous.embedding,
                    previous.centers,
                    sketch_from_model(previous, self.group_counts_, seed),
                )
            encoding, old_index, new_index = merge_encodings(
                self._encoding, record.encoding
            )
            codes = new_index[record.codes]
        fit_params, _ = self._method_params(seed)
        with threadpool_limits(limits=1, user_api="blas"):
            state = stream_cells(
                state,
                record.features,
                codes,
                label,
                old_index,
                encoding.groups.size,
                n_support=self.n_support,
                label_weight=self.label_weight,
                seed=seed,
            )
            weights = group_weights(self.weights, encoding.counts)
            if state.kept is not None:
                X_kept, codes_kept, y_kept = state.kept
                fit = METHODS["stochastic"].fit
                model = fit(X_kept, codes_kept, weights, y=y_kept, **fit_params)
            else:
                model = model_from_sketch(
                    state.sketch,
                    state.embedding,
                    state.centers,
                    weights,
                    tol=fit_params["tol"],
                    max_iter=self.max_iter,
                    seed=seed,
                )
        self._set_fitted(encoding, weights, seed, model)
        self._stream = (model, state)
        return self
