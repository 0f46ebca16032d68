"""The groups' output laws gathered from chunks: mergeable quantile sketches.

``BarycenterOutcomeUnlearner.partial_fit`` reads a fitted model's single output
column on successive chunks of rows; each group's outputs are summarised by a
:class:`~sklearn_unlearn.utils._quantile_sketch.QuantileSketch` of bounded
size, merged chunk after chunk (:func:`merge_output_chunk`; a group may first
appear in any chunk), and the quantile repair's model is read from the merged
sketches (:func:`fit_from_sketches`), within their certified rank error of the
model that ``fit`` would learn from the same outputs. Pure functions of arrays.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sklearn_unlearn.outcome._kernels import OutcomeBarycenter, _atoms
from sklearn_unlearn.outcome._methods import (
    FittedRepair,
    grid_levels,
    output_level_count,
)
from sklearn_unlearn.outcome._outputs import OUTPUTS, output_columns, output_method
from sklearn_unlearn.outcome._validation import MISSING_S, check_rows
from sklearn_unlearn.utils._docs import fill_docs
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._quantile_sketch import (
    group_sketches,
    merge_sketches,
    sketch_masses,
    sketch_quantiles,
)
from sklearn_unlearn.utils._sensitive import (
    GroupEncoding,
    merge_encodings,
    parse_sensitive,
)
from sklearn_unlearn.utils._state import fit_context

__all__ = [
    "SKETCH_PER_QUANTILE",
    "OutputStreamingMixin",
    "fit_from_sketches",
    "merge_output_chunk",
]

#: Values per level of a group's sketch, per level of ``n_quantiles``: the rank
#: error bound ``ceil(log2(n / k)) / k`` stays below ``1 / n_quantiles`` up to
#: ``n = 2**8 k`` rows per group.
SKETCH_PER_QUANTILE = 8


def merge_output_chunk(
    F: np.ndarray,
    codes: np.ndarray,
    chunk: GroupEncoding,
    previous: tuple[GroupEncoding, tuple] | None,
    capacity: int,
) -> tuple[GroupEncoding, tuple]:
    """Merge a chunk's outputs into the groups' running sketches.

    Parameters
    ----------
    F : ndarray of shape (n_samples, 1)
        The chunk's outputs (finite).
    codes : ndarray of shape (n_samples,)
        Group codes of the rows in ``chunk``.
    chunk : GroupEncoding
        The encoding of the chunk's own groups.
    previous : tuple (encoding, sketches) or None
        The state after the earlier chunks.
    capacity : int
        Values per level of the sketches.

    Returns
    -------
    encoding : GroupEncoding
        Every group seen so far, sorted, with its rows over all chunks.
    sketches : tuple of QuantileSketch
        One per group of ``encoding``, in its order.
    """
    F = np.asarray(F, dtype=np.float64)
    sketches = group_sketches(F, codes, chunk.groups.size, capacity)
    if previous is None:
        return chunk, sketches
    old_encoding, old_sketches = previous
    encoding, old_index, new_index = merge_encodings(old_encoding, chunk)
    placed = [None] * encoding.groups.size
    for i, sketch in zip(old_index, old_sketches, strict=True):
        placed[i] = sketch
    for i, sketch in zip(new_index, sketches, strict=True):
        placed[i] = merge_sketches(placed[i], sketch, capacity)
    merged = tuple(placed)
    counts = np.array([s.count for s in merged], dtype=encoding.counts.dtype)
    return encoding._replace(counts=counts), merged


def _sketch_atoms(sketch, column: int, max_atoms: int):
    """Values certainly repeated in the rows, and their CDF limits from the sketch."""
    values, weights = sketch_masses(sketch, column)
    n = sketch.count
    right = np.cumsum(weights) / n
    left = right - weights / n
    keep = np.flatnonzero(weights - 2 * sketch.error >= 2)
    if keep.size > max_atoms:
        keep = np.sort(keep[np.argsort(-weights[keep], kind="stable")[:max_atoms]])
    return values[keep], left[keep], right[keep]


def fit_from_sketches(
    sketches: tuple, weights: np.ndarray, n_quantiles: int, output_levels: int
) -> OutcomeBarycenter:
    """The quantile repair's model read from the groups' merged output sketches.

    Parameters
    ----------
    sketches : tuple of QuantileSketch
        One per group (two rows or more each), of the single output column.
    weights : ndarray of shape (n_groups,)
        Barycenter weights summing to one.
    n_quantiles : int
        As for ``fit``: the grid has
        :func:`~sklearn_unlearn.outcome._methods.grid_levels` levels, and at
        most ``n_quantiles`` atoms are kept per group.
    output_levels : int
        Values of the fully repaired output (0: continuous).

    Returns
    -------
    model : OutcomeBarycenter
        As :func:`~sklearn_unlearn.outcome._kernels._fit_outcome_barycenter`
        returns on the same outputs, exactly when no sketch compacted.

    Notes
    -----
    With ``e_s`` the certified error of group ``s``'s sketch (in rows) and
    ``n_s`` its rows, each ``Q_s(u_k)`` lies between the exact quantiles at
    ``u_k - e_s / (n_s - 1)`` and ``u_k + e_s / (n_s - 1)``, so ``Q_bar(u_k)``
    lies between the exact barycenter's at ``u_k -+ max_s e_s / (n_s - 1)``. An
    atom (a repeated output value) is kept when its sketch weight ``w`` is at
    least ``2 e_s + 2`` (it then holds two rows or more); its CDF limits
    ``F_s(f-)`` and ``F_s(f)`` are within ``e_s / n_s`` of the exact ones.
    """
    counts = np.array([s.count for s in sketches])
    q = int(max(2, min(grid_levels(counts, n_quantiles), counts.max())))
    references = np.linspace(0.0, 1.0, q)
    group_quantiles = np.empty((len(sketches), q, 1), dtype=np.float64)
    found = []
    for g, sketch in enumerate(sketches):
        if sketch.error == 0 and len(sketch.levels) == 1:  # every output kept
            block = sketch.levels[0]
            quantiles = np.quantile(block, references, axis=0)
            found.append(_atoms(block[:, 0], n_quantiles))
        else:
            quantiles = sketch_quantiles(sketch, references * (sketch.count - 1))
            found.append(_sketch_atoms(sketch, 0, n_quantiles))
        group_quantiles[g] = np.maximum.accumulate(quantiles, axis=0)
    barycenter = np.zeros((q, 1), dtype=np.float64)
    for g in range(len(sketches)):  # elementwise: every level is rounded alike
        barycenter += weights[g] * group_quantiles[g]
    n_atoms = max(1, max(values.size for values, _, _ in found))
    atoms = np.full((len(sketches), n_atoms, 1), np.inf)
    atom_levels = np.zeros((2, len(sketches), n_atoms, 1))
    for g, (values, left, right) in enumerate(found):
        atoms[g, : values.size, 0] = values
        atom_levels[0, g, : values.size, 0] = left
        atom_levels[1, g, : values.size, 0] = right
    return OutcomeBarycenter(
        references, group_quantiles, barycenter, atoms, atom_levels, output_levels
    )


class OutputStreamingMixin:
    """``partial_fit`` of BarycenterOutcomeUnlearner: output laws from chunks."""

    __metadata_request__partial_fit = {"sensitive_features": True}

    def _has_fitted_estimator(self) -> bool:
        try:
            check_is_fitted(self.estimator)
        except NotFittedError as exc:
            raise AttributeError(
                "partial_fit gathers the groups' output laws of a fitted model "
                "from chunks of rows: pass a fitted estimator (e.g. "
                "sklearn.frozen.FrozenEstimator(model)), or call fit."
            ) from exc
        return True

    @available_if(_has_fitted_estimator)
    @fit_context(prefer_skip_nested_validation=True)
    @fill_docs
    def partial_fit(self, X, y=None, *, sensitive_features=None):
        """Update the groups' output laws with one more chunk of rows.

        For a fitted ``estimator`` (used as it is, not cloned or refitted, as
        ``estimator_``) with a single output column (a regressor, a binary
        classifier): its outputs on the chunk update each group's quantile
        sketch, and the repair is read from the merged sketches once two
        groups of two rows or more have been seen. A group may first appear in
        any chunk; ``fit`` discards the sketches, and the next ``partial_fit``
        starts anew. Typically the chunks are held-out rows, which the model
        did not see (the laws of new rows' outputs).

        Each group's sketch keeps at most ``8 n_quantiles`` values per level,
        and certifies its rank error ``e`` (rows): every fitted quantile
        ``Q_s(u)`` lies between the exact quantiles of the outputs at
        ``u -+ e / (n_s - 1)``, with ``e / n_s <= ceil(log2(n_s / k)) / k``
        for ``k = 8 n_quantiles`` (below the grid resolution up to
        ``2**11 n_quantiles`` rows per group). Without compaction (at most
        ``k`` rows per group) the repair is that of ``fit`` on the same
        outputs, bit for bit.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of rows, in any form ``estimator`` accepts.
        y : None
            Ignored: the model is already fitted.
        %(sensitive_values)s

        Returns
        -------
        self : BarycenterOutcomeUnlearner
            The updated meta-estimator.
        """
        first = getattr(self, "_sketches", None) is None
        if first:  # the repair of an earlier fit is replaced
            for name in ("_repair", "repair_method_"):
                self.__dict__.pop(name, None)
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        X = check_rows(X, allow_nan=allow_nan, fitting=False)
        validate_data(self, X, skip_check_array=True, reset=first)
        record = parse_sensitive(
            X,
            sensitive_features,
            spec=self.sensitive_feature_ids,
            feature_names=getattr(self, "feature_names_in_", None),
            missing=MISSING_S,
        )
        check_consistent_length(record.features, record.codes)
        estimator = self.estimator
        available = {name for name in OUTPUTS if hasattr(estimator, name)}
        name = type(estimator).__name__
        method = output_method(is_classifier(estimator), available, name)
        F = output_columns(getattr(estimator, method)(record.features), method)
        if F.shape[1] != 1 or not np.isfinite(F).all():
            raise ValueError(
                f"partial_fit sketches one finite output column; {name}.{method} "
                f"gives {F.shape[1]} column(s) (multiclass or multi-target "
                "outputs are repaired jointly on cells: call fit on all rows)."
            )
        if first:
            self._sketch_seed = int(
                check_random_state(self.random_state).randint(2**31 - 1)
            )
        encoding, sketches = merge_output_chunk(
            F,
            record.codes,
            record.encoding,
            None if first else self._sketches,
            SKETCH_PER_QUANTILE * self.n_quantiles,
        )
        self._sketches = (encoding, sketches)
        if encoding.groups.size < 2 or encoding.counts.min() < 2:
            return self  # not yet enough groups for a barycenter
        weights = group_weights(self.weights, encoding.counts)
        levels = output_level_count(self.output_levels, int(encoding.counts.sum()))
        model = fit_from_sketches(sketches, weights, self.n_quantiles, levels)
        repair = FittedRepair("quantile", model, self._sketch_seed)
        record = record._replace(encoding=encoding)
        return self._set_fitted(estimator, method, record, weights, repair)
