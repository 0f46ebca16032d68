"""Removal and preservation as a growing share of the forget set is deleted."""

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_unlearn.metrics._checks import check_float_matrix
from sklearn_unlearn.metrics._forgetting import (
    distributional_unlearning_report,
    gaussian_pareto_frontier,
)
from sklearn_unlearn.metrics._plot._base import (
    check_matplotlib_support,
    check_values,
    new_or_given_ax,
)
from sklearn_unlearn.utils._sensitive import parse_sensitive
from sklearn_unlearn.utils._validation import is_dataframe

__all__ = ["DeletionCurveDisplay"]

# gid of the kappa line, so overlaid displays of the same data draw it once
_KAPPA_GID = "sklearn_unlearn.kappa"


def _selector_features(selector, X):
    """The features a fitted selector ranks, from its public parameters only.

    ``X`` without its domain column when the selector drops it, else ``X``.
    """
    if selector.domain_column is not None and not is_dataframe(X):
        X = check_array(X, dtype=None, ensure_all_finite=False)
    # the number and names of the columns must be those seen in fit
    validate_data(selector, X, skip_check_array=True, reset=False)
    if selector.domain_column is None or not selector.drop_domain_column:
        return X
    return parse_sensitive(
        X,
        spec=selector.domain_column,
        feature_names=getattr(selector, "feature_names_in_", None),
        spec_param="domain_column",
        encode=False,
    ).features


class DeletionCurveDisplay:
    r"""Removal and preservation of an edit as more forget samples are deleted.

    Deleting forget samples in some order (a ranking) moves the fitted
    distribution :math:`\hat p` of the edited data away from the forget domain
    :math:`p_1` (removal :math:`\alpha = KL(p_1 \| \hat p)`, higher is better)
    and towards the retained domain :math:`p_2` (preservation cost
    :math:`\epsilon = KL(p_2 \| \hat p)`, lower is better). The dotted line is
    the closed-form frontier :math:`(\sqrt\kappa + \sqrt\epsilon)^2`: the most
    removal any edit could reach at the preservation cost achieved, so a good
    ranking keeps its solid line close to it. The horizontal line is
    :math:`\kappa = KL(p_1 \| p_2)`, reached by deleting the whole forget set.

    Build it with :meth:`from_ranking`, or from values computed elsewhere: the
    constructor only stores them and :meth:`plot` only draws them.

    Parameters
    ----------
    fractions : array-like of shape (n_points,)
        Fraction of the forget set deleted at each point.
    alpha : array-like of shape (n_points,)
        :math:`KL(p_1 \| \hat p)` at each point.
    epsilon : array-like of shape (n_points,)
        :math:`KL(p_2 \| \hat p)` at each point.
    kappa : float
        :math:`KL(p_1 \| p_2)`.
    name : str, default=None
        Name of the ranking in the legend; None shows no name.

    Attributes
    ----------
    alpha_line_ : matplotlib Line2D
        The removal curve (solid).
    epsilon_line_ : matplotlib Line2D
        The preservation-cost curve (dashed, same color).
    frontier_line_ : matplotlib Line2D or None
        The frontier at the achieved preservation cost (dotted, same color);
        None when ``show_frontier=False``.
    kappa_line_ : matplotlib Line2D
        The horizontal line at ``kappa``, shared by the displays of the same
        data overlaid on one axes.
    ax_ : matplotlib Axes
        Axes with the curves.
    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    sklearn_unlearn.metrics.distributional_unlearning_report : The values of
        one edit.
    sklearn_unlearn.metrics.gaussian_pareto_frontier : The frontier.

    Notes
    -----
    The frontier is exact for ``family="gaussian_mean"`` (Gaussians sharing one
    covariance); with ``family="gaussian"`` it is a reference only.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import DeletionCurveDisplay
    >>> rng = np.random.default_rng(0)
    >>> X_forget = rng.normal(2.0, 1.0, size=(100, 2))
    >>> X_retain = rng.normal(0.0, 1.0, size=(300, 2))
    >>> farthest_first = np.argsort(-np.linalg.norm(X_forget, axis=1))
    >>> display = DeletionCurveDisplay.from_ranking(
    ...     X_forget, X_retain, farthest_first, fractions=[0.0, 0.5, 1.0],
    ...     name="farthest first",
    ... )
    >>> bool(np.isclose(display.alpha[-1], display.kappa))  # all deleted
    True
    """

    def __init__(self, *, fractions, alpha, epsilon, kappa, name=None):
        self.fractions = fractions
        self.alpha = alpha
        self.epsilon = epsilon
        self.kappa = kappa
        self.name = name

    def plot(self, ax=None, *, name=None, show_frontier=True):
        """Draw removal and preservation cost against the deleted fraction.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure. Pass the ``ax_`` of another
            display to compare rankings.
        name : str, default=None
            Name of the ranking in the legend; None uses the ``name`` stored at
            construction.
        show_frontier : bool, default=True
            Whether to draw the frontier at the achieved preservation cost.

        Returns
        -------
        display : DeletionCurveDisplay
            The display, with the artists stored.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        owner = type(self).__name__
        fractions, alpha, epsilon = check_values(
            owner, fractions=self.fractions, alpha=self.alpha, epsilon=self.epsilon
        )
        kappa = np.asarray(self.kappa, dtype=np.float64)
        if kappa.ndim != 0 or not np.isfinite(kappa) or kappa < 0:
            raise ValueError(
                f"{owner}: kappa must be a finite nonnegative number (a KL); got "
                f"{self.kappa!r}."
            )
        kappa = float(kappa)
        ax = new_or_given_ax(ax, figsize=(9.0, 4.8), layout="constrained")
        name = self.name if name is None else name
        prefix = "" if name is None else f"{name}: "

        (self.alpha_line_,) = ax.plot(
            fractions,
            alpha,
            linestyle="-",
            marker=".",
            label=prefix + r"removal $\alpha = KL(p_1 \| \hat{p})$",
        )
        color = self.alpha_line_.get_color()
        (self.epsilon_line_,) = ax.plot(
            fractions,
            epsilon,
            linestyle="--",
            marker=".",
            color=color,
            label=prefix + r"cost $\epsilon = KL(p_2 \| \hat{p})$",
        )
        self.frontier_line_ = None
        if show_frontier:
            (self.frontier_line_,) = ax.plot(
                fractions,
                gaussian_pareto_frontier(kappa, np.clip(epsilon, 0.0, None)),
                linestyle=":",
                color=color,
                label=prefix + r"frontier $(\sqrt{\kappa} + \sqrt{\epsilon})^2$",
            )

        existing = [
            line
            for line in ax.lines
            if line.get_gid() == _KAPPA_GID and np.isclose(line.get_ydata()[0], kappa)
        ]
        if existing:
            self.kappa_line_ = existing[0]
        else:
            self.kappa_line_ = ax.axhline(
                kappa,
                color="0.3",
                linestyle="-.",
                linewidth=1.0,
                label=r"$\kappa = KL(p_1 \| p_2)$: delete everything",
                gid=_KAPPA_GID,
            )

        ax.set_xlabel("fraction of the forget set deleted")
        ax.set_ylabel("KL divergence (nats)")
        # up to four entries per ranking: outside the axes, not over the curves
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_ranking(
        cls,
        X_forget,
        X_retain,
        ranking,
        *,
        fractions=None,
        family="gaussian_mean",
        name=None,
        ax=None,
    ):
        """Delete forget samples in ranking order and plot the resulting KLs.

        At each fraction ``f`` the first ``floor(f * n_forget + 0.5)`` samples of
        ``ranking`` are deleted and the edit is measured by
        :func:`~sklearn_unlearn.metrics.distributional_unlearning_report`.

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Samples of the domain to forget.
        X_retain : array-like of shape (n_retain, n_features)
            Samples of the domain to keep (never deleted).
        ranking : array-like of int of shape (n_ranked,)
            Distinct row indices into ``X_forget``, in deletion order (first
            deleted first). It must be long enough for the largest fraction.
        fractions : array-like of float in [0, 1], default=None
            Fractions of the forget set to delete; None means
            ``np.linspace(0, 1, 11)``.
        family : {"gaussian_mean", "gaussian"}, default="gaussian_mean"
            Plug-in model of the report (see
            :func:`~sklearn_unlearn.metrics.distributional_unlearning_report`).
        name : str, default=None
            Name of the ranking in the legend.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : DeletionCurveDisplay
            The plotted display.
        """
        check_matplotlib_support(f"{cls.__name__}.from_ranking")
        X_forget = check_float_matrix(X_forget, "X_forget")
        X_retain = check_float_matrix(X_retain, "X_retain")
        n_forget = X_forget.shape[0]
        fractions = np.linspace(0.0, 1.0, 11) if fractions is None else fractions
        fractions = np.asarray(fractions, dtype=np.float64)
        if (
            fractions.ndim != 1
            or fractions.size == 0
            or np.any((fractions < 0) | (fractions > 1))
        ):
            raise ValueError(
                "fractions must be a non-empty 1-D sequence of floats in [0, 1]."
            )
        counts = [int(np.floor(f * n_forget + 0.5)) for f in fractions]
        ranking = np.asarray(ranking)
        if (
            ranking.ndim != 1
            or (ranking.size and ranking.dtype.kind not in "iu")
            or np.any((ranking < 0) | (ranking >= n_forget))
            or np.unique(ranking).size != ranking.size
        ):
            raise ValueError(
                "ranking must be a 1-D array of distinct row indices into X_forget "
                f"(in 0..{n_forget - 1}), in deletion order."
            )
        if ranking.size < max(counts):
            raise ValueError(
                f"ranking orders {ranking.size} samples but the largest fraction "
                f"deletes {max(counts)}: rank more samples or lower the fractions."
            )

        alpha, epsilon, kappa = [], [], None
        for count in counts:
            keep = np.ones(n_forget, dtype=bool)
            keep[ranking[:count]] = False
            report = distributional_unlearning_report(
                X_forget, X_retain, keep, family=family
            )
            alpha.append(report.alpha)
            epsilon.append(report.epsilon)
            kappa = report.kappa
        display = cls(
            fractions=fractions,
            alpha=np.asarray(alpha),
            epsilon=np.asarray(epsilon),
            kappa=kappa,
            name=name,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_estimator(
        cls,
        selector,
        X,
        *,
        fractions=None,
        family=None,
        name=None,
        ax=None,
    ):
        """Plot the deletion curve of a fitted :class:`DistributionalSelector`.

        The forget rows are deleted in the order of ``selector.ranking_``; the
        curve shows what every budget would give, with the selector's own
        budget among the fractions one can pass.

        Parameters
        ----------
        selector : DistributionalSelector
            A fitted selector.
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The data the selector was fitted on (with its domain column, if any).
        fractions : array-like of float in [0, 1], default=None
            Fractions of the forget set to delete; None means
            ``np.linspace(0, 1, 11)``.
        family : {"gaussian_mean", "gaussian"}, default=None
            Plug-in model of the KLs; None means the selector's ``family`` (or
            ``"gaussian_mean"`` if it has none).
        name : str, default=None
            Legend name; None means the selector's score.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : DeletionCurveDisplay
            The plotted display.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(selector, "ranking_")
        F = check_array(_selector_features(selector, X), dtype=[np.float64, np.float32])
        forget = selector.forget_indices_
        retain = np.setdiff1d(np.arange(F.shape[0]), forget, assume_unique=True)
        family = family or selector.family or "gaussian_mean"
        if name is None:
            score = selector.criterion
            name = score if isinstance(score, str) else getattr(score, "__name__", "")
        return cls.from_ranking(
            F[forget],
            F[retain],
            np.searchsorted(forget, selector.ranking_),
            fractions=fractions,
            family=family,
            name=name,
            ax=ax,
        )
