"""The settling phase of an MLP, and the choice of its reset share on held-out rows.

After the forgetting budget, MarginalUnlearner moves an MLP by a share ``s``
towards a fresh initialisation (:func:`~sklearn_unlearn.datapoint._reset.
partial_reset`) and settles it on the retained rows
(:func:`~sklearn_unlearn.datapoint._retained_fit.settle_adam`). Without rows
the model never saw, ``s`` is a constant. With them, each candidate share
restarts from the same post-forgetting weights, and the settled network whose
forgotten rows are classified most like the held-out rows of the same classes
(the lowest :func:`~sklearn_unlearn.datapoint._forget_phase.criterion`) is
kept, but only when it beats the default share by more than its sampling noise
(:func:`cautious_choice`, on a paired bootstrap of the rows,
:func:`bootstrap_criteria`). Pure functions on
:class:`~sklearn_unlearn.datapoint._network.Network`.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.datapoint._forget_phase import FitState, criterion
from sklearn_unlearn.datapoint._network import Network, forward
from sklearn_unlearn.datapoint._reset import partial_reset
from sklearn_unlearn.datapoint._retained_fit import settle_adam

__all__ = [
    "ShareChoice",
    "bootstrap_criteria",
    "cautious_choice",
    "choose_reset_share",
    "copy_network",
    "settle_network",
]

N_BOOTSTRAP = 200  # paired resamples of the forgotten and validation rows
MARGIN = 1.0  # standard errors by which a share must beat the default one


class ShareChoice(NamedTuple):
    """Outcome of :func:`choose_reset_share`."""

    share: float  # the share kept
    values: dict  # each share tried: its criterion
    errors: dict  # each share tried: standard error of its gap to the default
    steps: int  # settling steps of all candidates
    epochs: int  # settling epochs of all candidates


def copy_network(net: Network) -> Network:
    """A copy of ``net`` with its own arrays."""
    return Network(
        [W.copy() for W in net.weights],
        [b.copy() for b in net.biases],
        net.hidden,
        net.link,
    )


def settle_network(
    net: Network,
    X_retain: np.ndarray,
    y_retain: np.ndarray,
    l2: float,
    settings,
    share: float,
    rng: np.random.RandomState,
) -> tuple[int, int]:
    """Reset ``net`` by ``share``, then settle it on the retained rows, in place.

    ``settings`` is a ``FineTuneSettings``: ``settle_steps`` (a step budget,
    or None) or else ``settle_epochs`` epochs of ``batch_size`` rows at
    ``learning_rate``. Returns (steps, epochs).
    """
    batch = min(settings.batch_size, X_retain.shape[0])
    n_epochs = settings.settle_epochs
    if settings.settle_steps:  # a step budget: the epochs that hold it
        per_epoch = -(-X_retain.shape[0] // batch)
        n_epochs = -(-settings.settle_steps // per_epoch)
    partial_reset(net, share, rng)
    steps = settle_adam(
        net,
        X_retain,
        y_retain,
        l2,
        n_epochs=n_epochs,
        batch_size=batch,
        learning_rate=settings.learning_rate,
        rng=rng,
        max_steps=settings.settle_steps,
    )
    return steps, n_epochs


def _binary_information(q: np.ndarray, n_forget: int, weights: np.ndarray):
    """The criterion from resampled confidences: one value per row of ``q``.

    ``q`` holds confidences :math:`f_y(x)` (resamples by rows, forget rows
    first), ``weights`` the criterion's row weights. The information of a
    binary membership and a binary soft outcome depends only on each group's
    weighted mean confidence (the formula of
    :func:`~sklearn_unlearn.utils.soft_mutual_information` for two columns).
    """
    w0, w1 = weights[:n_forget], weights[n_forget:]
    total0, total1 = float(w0.sum()), float(w1.sum())
    pi0 = total0 / (total0 + total1)
    q0 = q[:, :n_forget] @ w0 / total0
    q1 = q[:, n_forget:] @ w1 / total1
    mean = pi0 * q0 + (1.0 - pi0) * q1

    def entropy(p):
        p = np.clip(p, 0.0, 1.0)
        return -(
            np.log(p, out=np.zeros_like(p), where=p > 0) * p
            + np.log1p(-p, out=np.zeros_like(p), where=p < 1) * (1.0 - p)
        )

    return entropy(mean) - pi0 * entropy(q0) - (1.0 - pi0) * entropy(q1)


def bootstrap_criteria(
    confidences: np.ndarray,
    strata: np.ndarray,
    n_forget: int,
    weights: np.ndarray,
    n_resamples: int = N_BOOTSTRAP,
    seed: int = 0,
) -> np.ndarray:
    """The criterion of each candidate on paired stratified resamples of rows.

    ``confidences`` is (n_candidates, n_rows): each candidate's :math:`f_y(x)`
    on the forgotten rows then the validation rows. Each resample draws, with
    replacement, as many rows as each stratum (membership and class) holds, so
    the class-matching weights stay valid; every candidate sees the same rows.
    Returns (n_resamples, n_candidates). ``seed`` seeds a generator of its own:
    the fit's random stream is left as it was.
    """
    rng = np.random.default_rng(seed)
    n_rows = confidences.shape[1]
    offsets = n_rows * np.arange(n_resamples)[:, None]
    counts = np.zeros(n_resamples * n_rows)
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        draws = rows[rng.integers(0, rows.size, size=(n_resamples, rows.size))]
        counts += np.bincount((draws + offsets).ravel(), minlength=counts.size)
    counts = counts.reshape(n_resamples, n_rows)
    out = np.empty((n_resamples, confidences.shape[0]))
    for k, q in enumerate(confidences):
        # a resample weighs each row by how often it was drawn
        out[:, k] = _binary_information(counts * q, n_forget, weights)
    return out


def cautious_choice(values: np.ndarray, resampled: np.ndarray, margin: float):
    """Index of the candidate kept, and each one's standard error of its gap.

    Candidate 0 is the default. Another candidate :math:`k` is eligible when
    its criterion is below the default's by more than ``margin`` standard
    errors of the gap, :math:`\\hat I_0 - \\hat I_k > z\\,
    \\mathrm{se}(\\hat I_k - \\hat I_0)`, the standard error being the
    standard deviation of the gap over the paired resamples ``resampled``
    (n_resamples, n_candidates); of the eligible ones the lowest criterion is
    kept, and the default when none is.
    """
    values = np.asarray(values, dtype=float)
    errors = np.std(resampled - resampled[:, :1], axis=0, ddof=1)
    eligible = values[0] - values > margin * errors
    eligible[0] = True
    kept = int(np.flatnonzero(eligible)[np.argmin(values[eligible])])
    # ties go to the first (the default share)
    return kept, errors


def choose_reset_share(
    net: Network,
    state: FitState,
    X_retain: np.ndarray,
    y_retain: np.ndarray,
    settings,
    rng: np.random.RandomState,
    margin: float = MARGIN,
) -> ShareChoice:
    """Settle ``net`` from each share of ``settings.reset_shares``; keep one.

    Every candidate starts from the weights ``net`` holds now; ``net``'s arrays
    end up holding the settled weights of the share :func:`cautious_choice`
    keeps: the lowest :func:`criterion` on ``state.validation`` among the
    shares that beat ``settings.reset_share`` (the share without validation
    data) by more than ``margin`` bootstrap standard errors, else that share.
    It is tried first, with the random stream the fit without validation data
    would use, so when it is kept the result is the weights that fit gives.
    Returns a :class:`ShareChoice`.
    """
    default = settings.reset_share
    shares = [default, *(s for s in settings.reset_shares if s != default)]
    start = copy_network(net)
    X_val, y_all, weights = state.validation
    n_forget = state.X_forget.shape[0]
    rows = np.arange(y_all.size)
    candidates, values, confidences = [], [], []
    steps = epochs = 0
    for share in shares:
        candidate = copy_network(start)
        n_steps, n_epochs = settle_network(
            candidate, X_retain, y_retain, state.l2, settings, share, rng
        )
        steps, epochs = steps + n_steps, epochs + n_epochs
        candidates.append(candidate)
        values.append(criterion(candidate, state))
        P = np.vstack(
            [forward(candidate, state.X_forget)[0], forward(candidate, X_val)[0]]
        )
        confidences.append(P[rows, y_all].astype(np.float64))
    if len(shares) > 1:
        strata = np.r_[
            np.zeros(n_forget, np.intp), np.ones(y_all.size - n_forget, np.intp)
        ]
        strata = strata * (int(y_all.max()) + 1) + y_all
        resampled = bootstrap_criteria(np.array(confidences), strata, n_forget, weights)
        kept, errors = cautious_choice(values, resampled, margin)
    else:
        kept, errors = 0, np.zeros(1)
    for a, b in zip([*net.weights, *net.biases],
                    [*candidates[kept].weights, *candidates[kept].biases],
                    strict=True):  # fmt: skip
        a[...] = b
    return ShareChoice(
        shares[kept],
        dict(zip(shares, values, strict=True)),
        dict(zip(shares, errors.tolist(), strict=True)),
        steps,
        epochs,
    )
