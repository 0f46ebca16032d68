"""Each group's law of a few features, before and after unlearning."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sklearn_unlearn.metrics._pipeline import locate_unlearner, unlearner_view
from sklearn_unlearn.metrics._plot._base import check_matplotlib_support
from sklearn_unlearn.utils._sensitive import group_label

__all__ = ["GroupDistributionDisplay"]

_DEFAULT_N_FEATURES = 4


def _resolve_features(features, names: np.ndarray) -> np.ndarray:
    """Positions in the output of the features to show."""
    if features is None:
        return np.arange(min(_DEFAULT_N_FEATURES, names.size))
    if isinstance(features, (str, Integral)):
        features = [features]
    positions = []
    for feature in features:
        if isinstance(feature, str):
            match = np.flatnonzero(names == feature)
            if match.size == 0:
                raise ValueError(
                    f"features: {feature!r} is not an output feature of the "
                    f"unlearner; its outputs are {names.tolist()}."
                )
            positions.append(int(match[0]))
        elif isinstance(feature, Integral) and -names.size <= feature < names.size:
            positions.append(int(feature) % names.size)
        else:
            raise ValueError(
                f"features: {feature!r} is neither an output feature name nor a "
                f"position in [0, {names.size}); the outputs are {names.tolist()}."
            )
    if not positions:
        raise ValueError("features must name at least one output feature.")
    return np.asarray(positions, dtype=np.intp)


def _short_value(value):
    """``1`` rather than ``1.0``: a whole float as an int, for the legend."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return value


def _legend_label(group) -> str:
    """The library's group label (``"a & b"``), whole floats shown as ints."""
    if isinstance(group, tuple):
        return group_label(tuple(_short_value(value) for value in group))
    return group_label(_short_value(group))


def _sensitive_name(positions: np.ndarray, feature_names) -> str:
    """Title of the legend: the sensitive columns of the unlearner's input."""
    if positions.size == 0:
        return "group"
    if feature_names is None:
        return "group (column " + ", ".join(map(str, positions)) + ")"
    return " | ".join(str(feature_names[i]) for i in positions)


class GroupDistributionDisplay:
    """Histograms of each group's features before and after unlearning.

    One row per feature, two columns: the features entering a
    :class:`~sklearn_unlearn.BarycenterFeatureUnlearner` (left) and the same
    features in its output (right), one step line per group. After full
    unlearning the groups' curves should coincide. Build it with
    :meth:`from_estimator`, or from densities computed elsewhere: the
    constructor only stores them and :meth:`plot` only draws them.

    Parameters
    ----------
    feature_names : array-like of str of shape (n_features_shown,)
        Name of each feature shown.
    groups : array-like of shape (n_groups,)
        The groups (their values; tuples for intersections), in the order of
        the second axis of the densities. The legend shows each one's label,
        ``"a & b"`` for an intersection.
    bin_edges : array-like of shape (n_features_shown, n_bins + 1)
        Bin edges of each feature, shared by before and after.
    densities_before : array-like of shape (n_features_shown, n_groups, n_bins)
        Histogram densities (integrating to one over the bins) of each feature in
        each group, before unlearning.
    densities_after : array-like of shape (n_features_shown, n_groups, n_bins)
        The same after unlearning.
    sensitive_name : str, default=None
        Title of the legend (the name of the sensitive attribute); None shows no
        title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_features_shown, 2)
        The grid: column 0 before, column 1 after.
    stairs_ : ndarray of matplotlib StepPatch of shape \
            (n_features_shown, 2, n_groups)
        The step line of each feature, panel and group.
    legend_ : matplotlib Legend
        The legend shared by the grid (one entry per group).
    figure_ : matplotlib Figure
        Figure containing the grid.

    See Also
    --------
    UnlearningTradeoffDisplay : Utility against leakage across repair levels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_unlearn import BarycenterFeatureUnlearner
    >>> from sklearn_unlearn.datasets import make_grouped_gaussian
    >>> from sklearn_unlearn.metrics import GroupDistributionDisplay
    >>> X, s = make_grouped_gaussian(300, 2, random_state=0)
    >>> X = np.column_stack([s, X])  # S is the first column
    >>> unlearner = BarycenterFeatureUnlearner([0], random_state=0).fit(X)
    >>> display = GroupDistributionDisplay.from_estimator(unlearner, X, bins=10)
    >>> display.densities_after.shape  # (features, groups, bins)
    (2, 3, 10)
    >>> display.axes_.shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        feature_names,
        groups,
        bin_edges,
        densities_before,
        densities_after,
        sensitive_name=None,
    ):
        self.feature_names = feature_names
        self.groups = groups
        self.bin_edges = bin_edges
        self.densities_before = densities_before
        self.densities_after = densities_after
        self.sensitive_name = sensitive_name

    def _checked_values(self):
        owner = type(self).__name__
        names = np.asarray(self.feature_names, dtype=object).ravel()
        groups = np.asarray(self.groups, dtype=object).ravel()
        before = np.asarray(self.densities_before, dtype=np.float64)
        after = np.asarray(self.densities_after, dtype=np.float64)
        edges = np.asarray(self.bin_edges, dtype=np.float64)
        if before.ndim != 3 or before.shape != after.shape:
            raise ValueError(
                f"{owner}: densities_before and densities_after must both have shape "
                f"(n_features_shown, n_groups, n_bins); got {before.shape} and "
                f"{after.shape}."
            )
        n_features, n_groups, n_bins = before.shape
        expected = {
            "feature_names": ((n_features,), names.shape),
            "groups": ((n_groups,), groups.shape),
            "bin_edges": ((n_features, n_bins + 1), edges.shape),
        }
        for name, (want, got) in expected.items():
            if want != got:
                raise ValueError(
                    f"{owner}: {name} must have shape {want} to match densities of "
                    f"shape {before.shape}; got {got}."
                )
        return names, groups, edges, before, after

    def plot(self, axes=None, *, figsize=None):
        """Draw the grid of histograms: one row per feature, before and after.

        Parameters
        ----------
        axes : array-like of matplotlib Axes of shape (n_features_shown, 2), \
                default=None
            Axes to draw on; None creates a figure with shared x and y axes per
            row.
        figsize : tuple of float, default=None
            Size of the new figure in inches; None scales the height with the
            number of features. Ignored when ``axes`` is given.

        Returns
        -------
        display : GroupDistributionDisplay
            The display, with the artists stored.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        names, groups, edges, before, after = self._checked_values()
        n_features, n_groups, _ = before.shape
        if axes is None:
            import matplotlib.pyplot as plt

            figsize = (9.0, 0.6 + 2.2 * n_features) if figsize is None else figsize
            figure, axes = plt.subplots(
                n_features,
                2,
                figsize=figsize,
                sharex="row",
                sharey="row",
                squeeze=False,
                layout="constrained",
            )
        else:
            axes = np.asarray(axes, dtype=object)
            if axes.size != 2 * n_features:
                raise ValueError(
                    f"axes must hold {2 * n_features} Axes (one row of two per "
                    f"feature); got {axes.size}."
                )
            axes = axes.reshape(n_features, 2)
            figure = axes[0, 0].figure

        stairs = np.empty((n_features, 2, n_groups), dtype=object)
        for i, name in enumerate(names):
            for j, (when, densities) in enumerate(
                [("before", before), ("after", after)]
            ):
                ax = axes[i, j]
                for g, group in enumerate(groups):
                    stairs[i, j, g] = ax.stairs(
                        densities[i, g],
                        edges[i],
                        baseline=None,
                        color=f"C{g % 10}",
                        linewidth=1.5,
                        label=_legend_label(group),
                    )
                ax.set_title(f"{name}: {when} unlearning", fontsize="medium")
                if j == 0:
                    ax.set_ylabel("density")

        handles = list(stairs[0, 0])
        labels = [_legend_label(group) for group in groups]
        if figure.get_layout_engine() is not None:
            legend = figure.legend(
                handles, labels, loc="outside right upper", title=self.sensitive_name
            )
        else:  # no layout engine to make room outside: use the first panel
            legend = axes[0, -1].legend(handles, labels, title=self.sensitive_name)

        self.axes_ = axes
        self.stairs_ = stairs
        self.legend_ = legend
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls, unlearner, X, *, features=None, sensitive_features=None, bins=30
    ):
        """Histogram the groups' features before and after a fitted unlearner.

        Before: the features entering the unlearner (without its sensitive
        columns). After: the unlearner's output. Each feature's bins are shared
        by both panels, computed on the pooled values.

        Parameters
        ----------
        unlearner : BarycenterFeatureUnlearner or Pipeline
            A fitted unlearner, or a fitted pipeline (nested ones included) with
            one at any step: ``X`` then goes through the steps before it.
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Data to transform, with the sensitive columns when the unlearner
            reads S from its input.
        features : str, int or list of str or int, default=None
            Output features to show, by name (``get_feature_names_out()``) or
            position; None shows the first four.
        sensitive_features : array-like of shape (n_samples,), default=None
            S of the rows of ``X``, only when the unlearner takes S as metadata.
        bins : int, default=30
            Number of bins of each histogram.

        Returns
        -------
        display : GroupDistributionDisplay
            The plotted display.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if not isinstance(bins, Integral) or isinstance(bins, bool) or bins < 1:
            raise ValueError(f"bins must be a positive int; got {bins!r}.")
        location = locate_unlearner(unlearner)
        check_is_fitted(location.unlearner)
        shown = _resolve_features(features, location.unlearner.get_feature_names_out())
        view = unlearner_view(unlearner, X, sensitive_features)
        unlearner = location.unlearner
        # S of the unlearner's input, parsed: the features without S, the groups
        # (sorted values; tuples for intersections) and each row's group code
        parsed = view.sensitive_record
        before = np.asarray(
            parsed.features if unlearner.drop_sensitive else view.X_in,
            dtype=np.float64,
        )
        after = np.asarray(view.X_out, dtype=np.float64)
        groups, codes = parsed.encoding.groups, parsed.codes
        n_bins = int(bins)
        edges = np.empty((shown.size, n_bins + 1))
        densities = np.empty((2, shown.size, groups.size, n_bins))
        for i, column in enumerate(shown):
            values = [before[:, column], after[:, column]]
            edges[i] = np.histogram_bin_edges(np.concatenate(values), bins=n_bins)
            for k, v in enumerate(values):
                for g in range(groups.size):
                    densities[k, i, g], _ = np.histogram(
                        v[codes == g], bins=edges[i], density=True
                    )
        display = cls(
            feature_names=unlearner.get_feature_names_out()[shown],
            groups=groups,
            bin_edges=edges,
            densities_before=densities[0],
            densities_after=densities[1],
            sensitive_name=_sensitive_name(
                parsed.positions, getattr(unlearner, "feature_names_in_", None)
            ),
        )
        return display.plot()
