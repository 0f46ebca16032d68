"""Pure kernels of the Gaussian (Bures-Wasserstein) barycenter repair.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
Row-vector convention throughout: an affine map acts as ``x @ linear + offset``
(every linear part here is symmetric, so this is also ``linear @ x + offset``).
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._groups import group_windows, row_chunks
from sklearn_unlearn.utils._linalg import psd_power, psd_roots, symmetrize

__all__ = [
    "AffineMaps",
    "BarycenterResult",
    "GroupMoments",
    "affine_inverse_transport",
    "affine_transport",
    "bures_wasserstein2",
    "bures_maps",
    "gaussian_barycenter_kernel",
    "group_moments",
    "merge_moments",
    "mccann_affine",
]


NOT_FINITE = (
    "Input X contains NaN or infinity: the repair needs finite features. Impute "
    "or drop the missing values first (e.g. SimpleImputer)."
)


class GroupMoments(NamedTuple):
    """Per-group sample counts, means and (ddof=0) covariances, in float64."""

    counts: np.ndarray  # (n_groups,)
    means: np.ndarray  # (n_groups, n_features)
    covariances: np.ndarray  # (n_groups, n_features, n_features)


class BarycenterResult(NamedTuple):
    """Bures-Wasserstein barycenter of Gaussians, with solver diagnostics."""

    mean: np.ndarray
    covariance: np.ndarray
    n_iter: int
    converged: bool


class AffineMaps(NamedTuple):
    """Stack of affine maps ``x -> x @ linear[s] + offset[s]``."""

    linear: np.ndarray  # (n_groups, n_features, n_features)
    offset: np.ndarray  # (n_groups, n_features)


def _windows(codes: np.ndarray, n_groups: int, rows_per_block: int):
    """Windows of up to 8 blocks (several groups share a window), by group."""
    return group_windows(codes, n_groups, rows_per_block * min(max(n_groups, 1), 8))


def _sub_blocks(rows, rows_per_block: int):
    """Split one group's rows of a window (a slice or indices) into blocks."""
    if isinstance(rows, slice):
        for start in range(rows.start, rows.stop, rows_per_block):
            yield slice(start, min(start + rows_per_block, rows.stop))
        return
    for start in range(0, rows.size, rows_per_block):
        yield rows[start : start + rows_per_block]


def group_moments(
    X: np.ndarray, codes: np.ndarray, n_groups: int, chunk_rows: int | None = None
) -> GroupMoments:
    """Counts, means and biased covariances of each group, streamed by blocks.

    Rows are visited in windows of consecutive rows (see
    :func:`~sklearn_unlearn.utils._groups.group_windows`), each group's rows of a
    window in blocks of at most ``chunk_rows`` rows (default: about 1 MB). Block
    statistics are merged with the pairwise update of Chan, Golub and LeVeque, so
    the result is numerically stable and accumulated in float64 whatever the
    dtype of ``X``, and the extra memory is a few blocks whatever ``n_samples``.
    """
    d = X.shape[1]
    rows_per_block = chunk_rows or row_chunks(d, 8)
    counts = np.zeros(n_groups, dtype=np.int64)
    means = np.zeros((n_groups, d))
    scatter = np.zeros((n_groups, d, d))
    # one reused float64 block; np.take into it is the fastest gather for C-ordered
    # float64 input, and the block mean is a GEMV (faster than a reduction)
    buffer = np.empty((min(rows_per_block, X.shape[0]), d))
    ones = np.ones(buffer.shape[0])
    direct = X.dtype == np.float64 and X.flags.c_contiguous
    for g, window_rows in _windows(codes, n_groups, rows_per_block):
        if g < 0:
            continue
        for index in _sub_blocks(window_rows, rows_per_block):
            if isinstance(index, slice):
                n_new = index.stop - index.start
                block = buffer[:n_new]
                block[:] = X[index]
            else:
                n_new = index.size
                block = buffer[:n_new]
                if direct:
                    np.take(X, index, axis=0, out=block, mode="clip")
                else:
                    block[:] = X[index]
            mean_new = (ones[:n_new] @ block) / n_new
            block -= mean_new
            n_old = counts[g]
            n_tot = n_old + n_new
            delta = mean_new - means[g]
            means[g] += delta * (n_new / n_tot)
            scatter[g] += block.T @ block  # one SYRK
            scatter[g] += np.outer(delta, delta) * (n_old * n_new / n_tot)
            counts[g] = n_tot
    covariances = symmetrize(scatter / np.maximum(counts, 1)[:, None, None])
    return GroupMoments(counts=counts, means=means, covariances=covariances)


def merge_moments(a: GroupMoments, b: GroupMoments) -> GroupMoments:
    """Moments of the union of two samples, group by group (exact).

    Both arguments list the same groups in the same order; a group may have a
    zero count in either. Uses the pairwise update of Chan, Golub and LeVeque on
    the scatter matrices ``count * covariance``.
    """
    counts = a.counts + b.counts
    total = np.maximum(counts, 1).astype(np.float64)
    delta = b.means - a.means
    means = a.means + delta * (b.counts / total)[:, None]
    weight = (a.counts * b.counts / total)[:, None, None]
    scatter = (
        a.covariances * a.counts[:, None, None]
        + b.covariances * b.counts[:, None, None]
        + weight * (delta[:, :, None] * delta[:, None, :])
    )
    covariances = symmetrize(scatter / total[:, None, None])
    return GroupMoments(counts=counts, means=means, covariances=covariances)


def _two_group_barycenter(
    means: np.ndarray, covariances: np.ndarray, weights: np.ndarray
) -> BarycenterResult:
    """Closed form for two groups: the barycenter lies on the W2 geodesic.

    The map from group 0 is ``p0 I + p1 T_{0->1}``, so the barycenter covariance
    is ``(p0 I + p1 T) C0 (p0 I + p1 T)``: exact, no iteration.
    """
    T = bures_maps(covariances[:1], covariances[1])[0]
    A0 = weights[0] * np.eye(T.shape[0]) + weights[1] * T
    covariance = symmetrize(A0 @ covariances[0] @ A0)
    return BarycenterResult(weights @ means, covariance, n_iter=1, converged=True)


def gaussian_barycenter_kernel(
    means: np.ndarray,
    covariances: np.ndarray,
    weights: np.ndarray,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> BarycenterResult:
    r"""Bures-Wasserstein barycenter of Gaussians.

    Two groups use the exact geodesic closed form. Otherwise iterate the fixed
    point of Alvarez-Esteban et al., :math:`C \leftarrow C^{-1/2} (\sum_s w_s
    (C^{1/2} C_s C^{1/2})^{1/2})^2 C^{-1/2}` from :math:`C = \sum_s w_s C_s`,
    until the relative Frobenius change is below ``max(tol, 10 d eps cond(C))``:
    round-off in :math:`C^{-1/2}` sets a floor proportional to the condition
    number below which the change cannot fall. The mean is
    :math:`\sum_s w_s m_s`.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.size == 2:
        return _two_group_barycenter(means, covariances, weights)
    mean = weights @ means
    C = symmetrize(np.einsum("s,sij->ij", weights, covariances))
    eps_floor = 10.0 * C.shape[-1] * np.finfo(np.float64).eps
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        root, inv_root = psd_roots(C)
        inner = psd_power(root @ covariances @ root, 0.5)
        M = np.einsum("s,sij->ij", weights, inner)
        C_new = symmetrize(inv_root @ M @ M @ inv_root)
        change = np.linalg.norm(C_new - C) / max(np.linalg.norm(C), 1e-300)
        C = C_new
        eigenvalues = np.linalg.eigvalsh(C)
        condition = eigenvalues[-1] / max(eigenvalues[0], 1e-300 * eigenvalues[-1])
        if change <= max(tol, eps_floor * condition):
            converged = True
            break
    return BarycenterResult(mean=mean, covariance=C, n_iter=n_iter, converged=converged)


def bures_maps(covariances: np.ndarray, target_covariance: np.ndarray) -> np.ndarray:
    r"""Linear parts of the optimal maps from each ``N(., C_s)`` to ``N(., C_t)``.

    :math:`A_s = C_s^{-1/2} (C_s^{1/2} C_t C_s^{1/2})^{1/2} C_s^{-1/2}`, symmetric
    positive semi-definite; computed for the whole stack with batched ``eigh``.
    """
    root, inv_root = psd_roots(covariances)
    middle = psd_power(root @ target_covariance @ root, 0.5)
    return symmetrize(inv_root @ middle @ inv_root)


def bures_wasserstein2(
    mean0: np.ndarray, cov0: np.ndarray, mean1: np.ndarray, cov1: np.ndarray
) -> np.ndarray:
    r"""Squared W2 distance between Gaussians (broadcasts over leading axes).

    :math:`\|m_0 - m_1\|^2 + \mathrm{tr}(C_0 + C_1 - 2 (C_0^{1/2} C_1
    C_0^{1/2})^{1/2})`, clipped at zero against round-off.
    """
    root0 = psd_power(cov0, 0.5)
    cross = psd_power(root0 @ cov1 @ root0, 0.5)
    trace = np.trace(cov0 + cov1 - 2.0 * cross, axis1=-2, axis2=-1)
    return np.clip(np.sum((mean0 - mean1) ** 2, axis=-1) + trace, 0.0, None)


def mccann_affine(
    linear: np.ndarray,
    means: np.ndarray,
    target_mean: np.ndarray,
    repair_level: float,
) -> AffineMaps:
    r"""Affine maps of the McCann interpolation ``(1 - t) x + t T_s(x)``.

    With :math:`T_s(x) = \bar m + A_s (x - m_s)` the interpolation is affine with
    linear part :math:`(1 - t) I + t A_s` and offset :math:`t (\bar m - A_s m_s)`.
    """
    t = float(repair_level)
    eye = np.eye(linear.shape[-1])
    lin = (1.0 - t) * eye + t * linear
    off = t * (target_mean - np.einsum("sj,sjk->sk", means, linear))
    return AffineMaps(linear=lin, offset=off)


def affine_transport(
    X: np.ndarray,
    codes: np.ndarray,
    maps: AffineMaps,
    chunk_rows: int | None = None,
    *,
    check_finite: bool = False,
) -> np.ndarray:
    """Apply ``x @ linear[s] + offset[s]`` row-wise by group; ``-1`` rows unchanged.

    Rows are visited in windows of consecutive rows (see
    :func:`~sklearn_unlearn.utils._groups.group_windows`). A window held by one
    group is mapped in place into the output by one GEMM; otherwise each group's
    rows of the window are gathered into a reused buffer of ``chunk_rows`` rows
    (default: about 1 MB), multiplied into a second buffer and scattered into
    the output. The cost is one GEMM plus one read of ``X`` and one write of
    the output, and the extra memory is two blocks and one window of indices
    whatever ``n_samples`` is. The output has the dtype of ``X``. With
    ``check_finite`` a ValueError is raised when X holds NaN or inf, tested on
    each block while it is in cache (NaN and inf reach the mapped block)
    instead of by a separate pass over X.
    """
    n, d = X.shape
    out = np.empty((n, d), dtype=X.dtype)
    linear = maps.linear.astype(X.dtype, copy=False)
    offset = maps.offset.astype(X.dtype, copy=False)
    n_groups = linear.shape[0]
    rows_per_block = chunk_rows or row_chunks(d, X.itemsize)
    gathered = np.empty((min(rows_per_block, n), d), dtype=X.dtype)
    mapped = np.empty_like(gathered)
    contiguous = X.flags.c_contiguous
    for g, window_rows in _windows(codes, n_groups, rows_per_block):
        for rows in _sub_blocks(window_rows, rows_per_block):
            if isinstance(rows, slice):  # consecutive rows: no gather or scatter
                target = out[rows]
                if g < 0:
                    target[:] = X[rows]
                else:
                    np.matmul(X[rows], linear[g], out=target)
                    target += offset[g]
                if check_finite and not np.isfinite(target).all():
                    raise ValueError(NOT_FINITE)
                continue
            m = rows.size
            if g < 0:
                out[rows] = X[rows]
                if check_finite and not np.isfinite(out[rows]).all():
                    raise ValueError(NOT_FINITE)
                continue
            if contiguous:
                np.take(X, rows, axis=0, out=gathered[:m], mode="clip")
            else:  # np.take into a buffer is very slow on strided input
                gathered[:m] = X[rows]
            np.matmul(gathered[:m], linear[g], out=mapped[:m])
            mapped[:m] += offset[g]
            if check_finite and not np.isfinite(mapped[:m]).all():
                raise ValueError(NOT_FINITE)
            out[rows] = mapped[:m]
    return out


def affine_inverse_transport(
    Z: np.ndarray, codes: np.ndarray, maps: AffineMaps, chunk_rows: int | None = None
) -> np.ndarray:
    """Invert :func:`affine_transport` (pseudo-inverse of singular linear parts)."""
    inverse_linear = np.linalg.pinv(maps.linear, hermitian=True)
    inverse_offset = -np.einsum("sj,sjk->sk", maps.offset, inverse_linear)
    return affine_transport(
        Z, codes, AffineMaps(inverse_linear, inverse_offset), chunk_rows
    )
