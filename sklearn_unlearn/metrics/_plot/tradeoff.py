"""Utility against leakage of a model as its unlearner's repair level grows."""

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import check_scoring

from sklearn_unlearn.metrics._checks import check_scoring_name
from sklearn_unlearn.metrics._leakage_test import leakage_test
from sklearn_unlearn.metrics._pipeline import (
    locate_unlearner,
    sensitive_and_representation,
)
from sklearn_unlearn.metrics._plot._base import (
    check_matplotlib_support,
    check_values,
    label_places,
    new_or_given_ax,
)

__all__ = ["UnlearningTradeoffDisplay"]

# gid of the reference line, so overlaid displays draw it (and list it) once
_NO_LEAKAGE_GID = "sklearn_unlearn.no_leakage"
# gid of the curves, to place the labels of overlaid curves apart
_CURVE_GID = "sklearn_unlearn.tradeoff"


def _as_float(values) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("repair_levels must hold numbers in [0, 1].") from None


def _utility_name(estimator, scoring) -> str:
    if isinstance(scoring, str):
        return scoring
    if scoring is None and is_classifier(estimator):
        return "accuracy"
    if scoring is None and is_regressor(estimator):
        return "R$^2$"
    return "utility"


class UnlearningTradeoffDisplay:
    """Utility against leakage of a model, one point per repair level.

    Full unlearning (``repair_level=1``) should bring the leakage AUC of the
    sensitive attribute down to 0.5 at some cost in utility; the curve shows the
    price of every step in between. Build it with :meth:`from_estimator`, or
    from values computed elsewhere: the constructor only stores them and
    :meth:`plot` only draws them.

    Parameters
    ----------
    repair_levels : array-like of shape (n_levels,)
        Repair level of each point.
    utility : array-like of shape (n_levels,)
        Utility of the model at each repair level (higher is better).
    leakage : array-like of shape (n_levels,)
        Leakage of the sensitive attribute at each level, e.g. by
        :func:`~sklearn_unlearn.metrics.leakage_auc` (0.5 means nothing leaks).
    leakage_ci : array-like of shape (n_levels, 2), default=None
        Confidence interval of each leakage value, e.g. ``(ci_low, ci_high)``
        of :func:`~sklearn_unlearn.metrics.leakage_test`, drawn as horizontal
        error bars; None draws none.
    name : str, default=None
        Name of the curve in the legend; None shows no name.
    utility_name : str, default="utility"
        Label of the y axis.
    leakage_name : str, default="leakage AUC"
        Label of the x axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The curve, one marker per repair level.
    errorbars_ : matplotlib LineCollection or None
        The leakage intervals (None without ``leakage_ci``).
    annotations_ : list of matplotlib Annotation
        The repair-level labels of the points (empty without ``annotate``).
    reference_line_ : matplotlib Line2D
        The dotted vertical line at 0.5 ("no leakage"), shared by the displays
        overlaid on one axes.
    ax_ : matplotlib Axes
        Axes with the curve.
    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    sklearn_unlearn.metrics.leakage_auc : The leakage measure of the x axis.
    GroupDistributionDisplay : The groups' feature laws before and after.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_unlearn.metrics import UnlearningTradeoffDisplay
    >>> display = UnlearningTradeoffDisplay(
    ...     repair_levels=[0.0, 0.5, 1.0],
    ...     utility=[0.84, 0.82, 0.79],
    ...     leakage=[0.91, 0.70, 0.52],
    ...     name="gaussian",
    ... )
    >>> display.plot()
    <...UnlearningTradeoffDisplay object at ...>
    >>> display.ax_.get_xlabel()
    'leakage AUC'
    """

    def __init__(
        self,
        *,
        repair_levels,
        utility,
        leakage,
        leakage_ci=None,
        name=None,
        utility_name="utility",
        leakage_name="leakage AUC",
    ):
        self.repair_levels = repair_levels
        self.utility = utility
        self.leakage = leakage
        self.leakage_ci = leakage_ci
        self.name = name
        self.utility_name = utility_name
        self.leakage_name = leakage_name

    def plot(self, ax=None, *, name=None, annotate=True, **kwargs):
        """Draw leakage (x) against utility (y), one marker per repair level.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure. Pass the ``ax_`` of another
            display to overlay curves.
        name : str, default=None
            Name of the curve in the legend; None uses the ``name`` stored at
            construction.
        annotate : bool, default=True
            Whether to label each point with its repair level.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : UnlearningTradeoffDisplay
            The display, with the artists stored.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        levels, utility, leakage = check_values(
            type(self).__name__,
            repair_levels=self.repair_levels,
            utility=self.utility,
            leakage=self.leakage,
        )
        ax = new_or_given_ax(ax)
        name = self.name if name is None else name

        n_previous = sum(line.get_gid() == _CURVE_GID for line in ax.lines)
        line_kwargs = {"marker": "o", "gid": _CURVE_GID}
        if name is not None:
            line_kwargs["label"] = name
        line_kwargs.update(kwargs)
        (self.line_,) = ax.plot(leakage, utility, **line_kwargs)
        self.errorbars_ = None
        if self.leakage_ci is not None:
            low, high = check_values(
                type(self).__name__,
                leakage=leakage,
                ci_low=np.asarray(self.leakage_ci, dtype=np.float64)[:, 0],
                ci_high=np.asarray(self.leakage_ci, dtype=np.float64)[:, 1],
            )[1:]
            self.errorbars_ = ax.hlines(
                utility, low, high, color=self.line_.get_color(), linewidth=1.0
            )

        existing = [line for line in ax.lines if line.get_gid() == _NO_LEAKAGE_GID]
        if existing:
            self.reference_line_ = existing[0]
        else:
            self.reference_line_ = ax.axvline(
                0.5, linestyle=":", color="0.4", label="no leakage", gid=_NO_LEAKAGE_GID
            )

        self.annotations_ = []
        if annotate:
            ax.margins(0.08)  # room for the labels, which do not autoscale
            places = label_places(
                leakage,
                utility,
                ax.get_xlim(),
                ax.get_ylim(),
                side=1 if n_previous % 2 == 0 else -1,
            )
            for level, x, y, (offset, ha, va) in zip(
                levels, leakage, utility, places, strict=True
            ):
                self.annotations_.append(
                    ax.annotate(
                        f"{level:g}",
                        (x, y),
                        xytext=offset,
                        textcoords="offset points",
                        horizontalalignment=ha,
                        verticalalignment=va,
                        fontsize="small",
                        color=self.line_.get_color(),
                    )
                )

        ax.set_xlabel(self.leakage_name)
        ax.set_ylabel(self.utility_name)
        # curves first, the shared reference line last
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(
            range(len(handles)), key=lambda i: handles[i] is self.reference_line_
        )
        ax.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="best",
            title="labels: repair level" if annotate else None,
        )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_train,
        y_train,
        X_test,
        y_test,
        *,
        repair_levels=(0.0, 0.25, 0.5, 0.75, 1.0),
        scoring=None,
        leakage_estimator=None,
        leakage_cv=3,
        random_state=None,
        name=None,
        ax=None,
    ):
        """Refit a pipeline at each repair level and plot utility against leakage.

        For each level the pipeline is cloned, its unlearner step gets that
        ``repair_level``, and the clone is fitted on the training data. Utility
        is its score on the test data; leakage is
        :func:`~sklearn_unlearn.metrics.leakage_auc` of the sensitive attribute
        of the test rows from the features that reach the final estimator.

        Parameters
        ----------
        estimator : Pipeline
            Unfitted (or fitted: it is cloned) pipeline with a
            :class:`~sklearn_unlearn.BarycenterFeatureUnlearner` at any step
            (nested pipelines included) built with ``sensitive_feature_ids=`` (S is
            read from the columns of its input) and whose last step is a
            predictor.
        X_train : {array-like, dataframe} of shape (n_train, n_features)
            Training data, sensitive columns included.
        y_train : array-like of shape (n_train,)
            Training target.
        X_test : {array-like, dataframe} of shape (n_test, n_features)
            Test data, sensitive columns included.
        y_test : array-like of shape (n_test,)
            Test target.
        repair_levels : array-like of float in [0, 1], \
                default=(0.0, 0.25, 0.5, 0.75, 1.0)
            The repair levels to evaluate.
        scoring : str, callable or None, default=None
            Utility: a scikit-learn scoring name or a scorer callable
            ``scorer(estimator, X, y)``; None uses the pipeline's ``score``.
        leakage_estimator : classifier with predict_proba, default=None
            The adversary of :func:`~sklearn_unlearn.metrics.leakage_auc`; None
            uses its default (gradient boosting).
        leakage_cv : int or cross-validation splitter, default=3
            Folds of the leakage estimate, on the test rows.
        random_state : int, RandomState instance or None, default=None
            Seeds the folds and the default adversary of the leakage estimate.
        name : str, default=None
            Name of the curve; None uses the unlearner's ``method``.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : UnlearningTradeoffDisplay
            The plotted display.

        Examples
        --------
        Overlay two methods by passing the axes of the first display to the
        second:

        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn_unlearn import BarycenterFeatureUnlearner
        >>> from sklearn_unlearn.datasets import make_grouped_gaussian
        >>> from sklearn_unlearn.metrics import UnlearningTradeoffDisplay
        >>> X, s = make_grouped_gaussian(300, 2, random_state=0)
        >>> y = (X[:, 0] > np.median(X[:, 0])).astype(int)
        >>> X = np.column_stack([X, s])  # S is the last column
        >>> displays = []
        >>> for method in ["gaussian", "quantile"]:
        ...     model = make_pipeline(
        ...         BarycenterFeatureUnlearner([2], method=method),
        ...         LogisticRegression(),
        ...     )
        ...     displays.append(UnlearningTradeoffDisplay.from_estimator(
        ...         model, X[:200], y[:200], X[200:], y[200:],
        ...         repair_levels=[0.0, 1.0],
        ...         leakage_estimator=LogisticRegression(),
        ...         random_state=0,
        ...         ax=displays[0].ax_ if displays else None,
        ...     ))
        >>> [text.get_text() for text in displays[1].ax_.get_legend().get_texts()]
        ['gaussian', 'quantile', 'no leakage']
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        location = locate_unlearner(estimator)
        if location.final is None:
            raise TypeError(
                "from_estimator needs a Pipeline with a BarycenterFeatureUnlearner "
                "among its steps and whose last step is a predictor, e.g. "
                "make_pipeline(BarycenterFeatureUnlearner(...), "
                f"LogisticRegression()); got a {type(estimator).__name__} without "
                "a predictor after the unlearner."
            )
        unlearner = location.unlearner
        if unlearner.sensitive_feature_ids is None:
            raise ValueError(
                "from_estimator reads S from the columns of X: build the unlearner "
                "with sensitive_feature_ids=<the sensitive columns of X>."
            )
        levels = np.atleast_1d(_as_float(repair_levels))
        in_range = np.all((levels >= 0) & (levels <= 1))  # False for NaN
        if levels.ndim != 1 or levels.size == 0 or not in_range:
            raise ValueError(
                "repair_levels must be a non-empty 1-D sequence of floats in [0, 1]; "
                f"got {levels.ravel()[:5].tolist()}{' ...' if levels.size > 5 else ''}."
            )
        check_scoring_name(scoring, "scoring", f"{cls.__name__}.from_estimator")
        scorer = check_scoring(estimator, scoring=scoring)

        utility, leakage, intervals = [], [], []
        for level in levels:
            model = clone(estimator).set_params(
                **{f"{location.name}__repair_level": float(level)}
            )
            model.fit(X_train, y_train)
            utility.append(float(scorer(model, X_test, y_test)))
            sensitive, Z = sensitive_and_representation(model, X_test)
            result = leakage_test(
                Z,
                sensitive,
                estimator=leakage_estimator,
                cv=leakage_cv,
                random_state=random_state,
            )
            leakage.append(result.auc)
            intervals.append((result.ci_low, result.ci_high))
        display = cls(
            repair_levels=levels,
            utility=np.asarray(utility),
            leakage=np.asarray(leakage),
            leakage_ci=np.asarray(intervals),
            name=unlearner.method if name is None else name,
            utility_name=_utility_name(estimator, scoring),
        )
        return display.plot(ax=ax)
