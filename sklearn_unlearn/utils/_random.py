"""Counter-based randomness: reproducible uniforms that are a pure function of a row.

A transformer that randomises must give ``transform(X[subset]) ==
transform(X)[subset]`` (scikit-learn's common checks), so its random numbers can
depend neither on a row's position nor on the other rows. Here they are derived by
hashing the bits of each row, its group code and a seed. Also: seeded clones of
estimators (every ``random_state`` of a clone, nested ones included, set).
"""

import numpy as np
from sklearn.base import clone

__all__ = ["seeded_clone", "DRAW_WINDOW", "_row_uniforms", "draw_windows"]

#: Identical rows are told apart by their rank among their copies within aligned
#: windows of this many consecutive rows. The transforms draw window by window
#: (and process each window in smaller blocks), so their output depends neither
#: on block sizes nor on ``working_memory``, and the hashes of one window are
#: all the extra memory the draws take.
DRAW_WINDOW = 1 << 15

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, the splitmix64 increment
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_TO_UNIT = 2.0**-53
#: Steps per standard unit of the hashed values when a shift and scale are given.
_HASH_STEPS = 2.0**20
#: Square roots of these give the rationally independent steps of the
#: Kronecker sequences that spread identical rows' draws.
_PRIMES = np.array([2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0, 29.0])


def _mix64(h: np.ndarray) -> np.ndarray:
    """Apply the splitmix64 finaliser to a uint64 array, in place, and return it.

    A bijection of the 64-bit integers with full avalanche. Multiplication wraps
    modulo ``2**64``; on arrays (never on NumPy scalars) NumPy does this silently.
    """
    s1, s2, s3 = _SHIFTS
    h ^= h >> s1
    h *= _MUL1
    h ^= h >> s2
    h *= _MUL2
    h ^= h >> s3
    return h


def _row_hashes(
    X: np.ndarray,
    codes: np.ndarray,
    seed: int,
    shift: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """One 64-bit hash per row of ``X``, mixing the row's bits, code and seed.

    With ``shift`` and ``scale``, the row hashed is ``(x - shift) / scale``
    rounded to ``2**-20`` (computed one column at a time, in float64): rows
    that differ by less than that in standard units hash alike.
    """
    n_samples, n_features = X.shape
    key = np.array([int(seed) & _MASK64], dtype=np.uint64)
    _mix64(key)
    h = np.asarray(codes, dtype=np.int64).view(np.uint64).copy()
    h ^= key
    h += np.uint64(_GOLDEN)
    _mix64(h)
    for j in range(n_features):
        # float64 bits: a float32 value hashes like its exact float64 cast, and
        # adding 0.0 maps -0.0 to +0.0 so that rows equal as numbers hash equally.
        if shift is None:
            column = np.add(X[:, j], 0.0, dtype=np.float64)
        else:
            # rounded to 2**-20 standard units: rescaling a column by any
            # factor (not only a power of two) then leaves the hash unchanged
            # but for values within rounding error of a half-step
            column = np.subtract(X[:, j], shift[j], dtype=np.float64)
            column *= _HASH_STEPS / scale[j]
            np.rint(column, out=column)
            column += 0.0
        h ^= column.view(np.uint64)
        h += np.uint64(_GOLDEN)
        _mix64(h)
    return h


def _occurrence_ranks(h: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows with the same hash (0 for the first)."""
    order = np.argsort(h, kind="stable")
    sorted_h = h[order]
    new_run = np.ones(h.shape[0], dtype=bool)
    np.not_equal(sorted_h[1:], sorted_h[:-1], out=new_run[1:])
    positions = np.arange(h.shape[0])
    run_start = np.maximum.accumulate(np.where(new_run, positions, 0))
    ranks = np.empty(h.shape[0], dtype=np.int64)
    ranks[order] = positions - run_start
    return ranks


def draw_windows(n_samples: int):
    """Slices of the aligned windows of :data:`DRAW_WINDOW` consecutive rows."""
    for start in range(0, n_samples, DRAW_WINDOW):
        yield slice(start, min(start + DRAW_WINDOW, n_samples))


def _row_uniforms(
    X: np.ndarray,
    codes: np.ndarray,
    seed: int,
    n_columns: int,
    *,
    spread_duplicates: bool | str = False,
    hash_codes: bool = True,
    shift: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Pseudo-random uniforms in ``[0, 1)`` that are a pure function of each row.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite floating-point data. Only the values matter: the memory layout,
        the dtype (float32 values hash like their float64 casts) and the sign of
        zeros do not.
    codes : ndarray of shape (n_samples,)
        Integer group code of each row (any value, including -1), mixed into
        the hash so that equal rows of different groups get unrelated draws.
    seed : int
        Any Python integer (reduced modulo ``2**64``).
    n_columns : int
        Number of independent uniforms wanted per row.
    spread_duplicates : bool or "sequence", default=False
        If True, rows equal in values and code get distinct draws: the rank of a
        row among its identical copies in this batch (in row order) is mixed into
        its hash. With ``"sequence"`` the copies instead walk a Kronecker
        (additive recurrence) sequence from the first copy's draw: copy ``r``
        gets ``frac(u_0 + r * alpha_c)`` with ``alpha_c`` the fractional part
        of the square root of the ``c``-th prime, so the draws of ``m`` copies
        are spread evenly over ``[0, 1)`` (discrepancy of order ``log(m) / m``
        instead of ``1 / sqrt(m)`` for independent draws): a discrete value's
        copies then split in proportions as exact as their number allows. Rows
        without a copy are unaffected.
    hash_codes : bool, default=True
        Whether the code enters the hash. With False, equal rows of different
        groups get the same draws copy by copy (the ``r``-th copy of a row in
        each group draws alike), so a decision taken on the draws does not
        treat one group's copies of a value differently from another's; copies
        are still ranked within their own group.
    shift, scale : ndarray of shape (n_features,), default=None
        When given, the rows are hashed in these units, ``(x - shift) /
        scale``, one column at a time (so a column rescaled by a power of two,
        with its shift and scale, gives the same draws).

    Returns
    -------
    U : ndarray of shape (n_samples, n_columns), dtype float64
        Without ``spread_duplicates``, ``U[i]`` depends only on ``(X[i],
        codes[i], seed)``: equal rows get equal draws, and any subset of rows gets
        the corresponding subset of ``U``. With it, this still holds for rows
        without an identical copy in the batch; copies get independent draws
        (what randomising ties needs: a deterministic function of the row alone
        would send all copies of a discrete value to one output).

    Notes
    -----
    Each row is hashed with a splitmix64-style chain,
    ``h <- mix(h ^ bits(x_j) + gamma)`` over its features, started from
    ``mix(code ^ mix(seed) + gamma)``, where ``gamma = 0x9E3779B97F4A7C15`` and
    ``mix`` is the splitmix64 finaliser (xorshift-multiply steps, a bijection).
    Column ``c`` of the output is ``mix(h + (c + 1) gamma) >> 11`` scaled by
    ``2**-53``, i.e. a multiple of ``2**-53`` in ``[0, 1)``. The cost is
    ``O(n_samples * (n_features + n_columns))`` vectorised integer operations.
    This is a hash, not a cryptographic or statistically certified generator;
    it passes simple uniformity checks (see the tests).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.utils._random import _row_uniforms
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [0.0, 1.0]])
    >>> U = _row_uniforms(X, np.array([0, 1, 0]), seed=0, n_columns=3)
    >>> U.shape
    (3, 3)
    >>> bool(np.array_equal(U[0], U[2])), bool(np.all((U >= 0) & (U < 1)))
    (True, True)
    """
    h = _row_hashes(X, codes, seed, shift, scale)
    if spread_duplicates == "sequence":
        ranks = _occurrence_ranks(h)
        if not hash_codes:
            del h  # one hash array at a time: transforms bound their memory
            h = _row_hashes(X, np.zeros(len(ranks), np.int64), seed, shift, scale)
        U = _hash_uniforms(h, n_columns)
        del h
        copies = np.flatnonzero(ranks)
        if copies.size:
            steps = np.sqrt(_PRIMES[:n_columns]) % 1.0
            U[copies] = (U[copies] + ranks[copies, None] * steps) % 1.0
        return U
    if spread_duplicates:
        ranks = _occurrence_ranks(h)
        copies = ranks > 0
        if np.any(copies):
            salt = ranks[copies].astype(np.uint64) * np.uint64(_GOLDEN)
            _mix64(salt)
            mixed = h[copies]  # fancy indexing copies: mix, then write back
            mixed ^= salt
            mixed += np.uint64(_GOLDEN)
            h[copies] = _mix64(mixed)
    return _hash_uniforms(h, n_columns)


def _hash_uniforms(h: np.ndarray, n_columns: int) -> np.ndarray:
    """``n_columns`` uniforms in ``[0, 1)`` per 64-bit row hash."""
    U = np.empty((h.shape[0], n_columns), dtype=np.float64)
    for c in range(n_columns):
        g = h + np.uint64(((c + 1) * _GOLDEN) & _MASK64)
        _mix64(g)
        U[:, c] = g >> np.uint64(11)
    U *= _TO_UNIT
    return U


def seeded_clone(estimator, seed: int):
    """A clone of ``estimator`` with every ``random_state`` set to ``seed``."""
    model = clone(estimator)
    names = [
        name
        for name in model.get_params(deep=True)
        if name == "random_state" or name.endswith("__random_state")
    ]
    return model.set_params(**dict.fromkeys(names, int(seed)))
