"""The parameters of BarycenterFeatureUnlearner: constraints and documentation.

:data:`PARAMETER_CONSTRAINTS` says what each parameter accepts;
:data:`DOCSTRING`, the class docstring (and :data:`PARTIAL_FIT_DOCSTRING`, that
of ``partial_fit``), what each parameter and fitted
attribute means, the math of the methods (Notes), references and examples.
They are kept beside the estimator's module, which holds its behaviour, so
that both stay within the size limit; the class sets ``__doc__`` to
:data:`DOCSTRING` (its examples run as doctests of
:mod:`sklearn_unlearn.feature._unlearner`). A new method registers its
parameters here and in the estimator's ``_method_params``.
"""

from numbers import Integral, Real

from sklearn_unlearn.feature._methods import METHODS
from sklearn_unlearn.utils._compat import Interval, StrOptions

__all__ = ["DOCSTRING", "PARAMETER_CONSTRAINTS", "PARTIAL_FIT_DOCSTRING"]

PARAMETER_CONSTRAINTS: dict = {
    "sensitive_feature_ids": [None, str, Integral, "array-like"],
    "method": [StrOptions(set(METHODS))],
    "repair_level": [Interval(Real, 0, 1, closed="both")],
    "weights": [StrOptions({"proportional", "uniform"}), "array-like"],
    "handle_unknown": [StrOptions({"error", "identity"})],
    "drop_sensitive": ["boolean"],
    "sensitive_bins": [None, Interval(Integral, 2, None, closed="left")],
    "reg": [Interval(Real, 0, None, closed="left")],
    "n_quantiles": [Interval(Integral, 2, None, closed="left")],
    "max_samples_per_group": [Interval(Integral, 2, None, closed="left")],
    "n_support": [None, Interval(Integral, 2, None, closed="left")],
    "within_cell": [Interval(Real, 0, 1, closed="both")],
    "label_weight": [Interval(Real, 0, None, closed="left")],
    "tol": [None, Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "duplicates": [StrOptions({"spread", "identical"})],
    "random_state": ["random_state"],
    "n_jobs": [None, Integral],
}

DOCSTRING = r"""Remove a sensitive attribute from features by Wasserstein-2 barycenters.

    Each group's law :math:`X \mid S = s` is moved onto the Wasserstein-2
    barycenter of all groups, fully (``repair_level=1``: the output carries no
    information about S that the method can see) or part of the way along the W2
    geodesic. Among all representations independent of S this one moves the data
    least (Xu & Strohmer).

    Parameters
    ----------
    sensitive_feature_ids : str, int or list of str or int, default=None
        Columns of ``X`` holding the sensitive attribute S (names for data frames,
        positions otherwise); several columns define intersectional groups. This
        is the way that works everywhere (Pipeline, GridSearchCV with any scorer).
        As in fairlearn, ``sensitive_features`` always means values: when this
        is None, S is passed as ``sensitive_features=`` values to ``fit``,
        ``transform`` and ``fit_transform`` (enable metadata routing and call
        ``set_fit_request``/``set_transform_request`` inside a Pipeline).
    method : {"stochastic", "gaussian", "quantile", "empirical"}, default=...
        How the barycenter and maps are computed (default ``"stochastic"``).
        The default is the one that
        forgets against a non-linear adversary on real (mixed-type) tables
        while keeping the label information (see Notes and the benchmark
        table in the user guide); the others are exact closed forms for
        continuous data and warn when ``X`` has discrete columns.

        - ``"gaussian"``: affine Bures-Wasserstein maps; equalises the groups'
          means and covariances exactly (the exact W2 barycenter for Gaussian
          groups). Fast: one GEMM per row block at transform.
        - ``"quantile"``: per-feature exact 1-D barycenter on a quantile grid;
          equalises every marginal (not the joint law). Ties of discrete features
          are spread at random inside their quantile interval (see Notes).
        - ``"empirical"``: free-support optimal transport barycenter of the
          groups' joint laws (exact plans by POT) on subsamples; new points move
          by the displacement of their nearest fitted point of their group.
        - ``"stochastic"``: for tables (one-hot, integer, skewed, unscaled
          columns). Columns are standardised internally; when ``fit`` gets ``y``
          a linear label score joins the geometry. The space is cut into cells
          shared by all groups, the W2 barycenter of the groups' laws on the
          cells is computed, and each row moves to a cell drawn from its cell's
          exact optimal plan, where it becomes a stored training row of that
          cell (outputs are real rows in the original units; see Notes).
          Forgets against non-linear adversaries where the other methods do
          not; not invertible. When the groups cannot be told apart at fit
          (``groups_indistinguishable_``), they share one law and the rows are
          returned unchanged.
    repair_level : float in [0, 1], default=1.0
        How far to unlearn: 0 is the identity, 1 full unlearning. For the
        closed-form methods it is the position on the W2 geodesic (McCann
        interpolation). For ``"stochastic"`` it is the fraction of each group's
        rows that are transported (a mixture of each group's law and the
        barycenter): interpolating discrete values would create values of one
        group only, which leak more than the raw data. Read at transform
        time, so it can be changed with ``set_params`` without refitting.
    %(weights)s
    handle_unknown : {"error", "identity"}, default="error"
        What ``transform`` does with a group not seen during ``fit``: raise, or
        return those rows unchanged.
    drop_sensitive : bool, default=True
        Whether the sensitive columns are removed from the output. When False
        they are kept unchanged in their positions (they must be numeric).
    sensitive_bins : int >= 2, default=None
        Cut every sensitive column into this many quantile bins (for a continuous
        attribute). When None, each distinct value is a group and a float column
        with more than 20 distinct values is rejected.
    reg : float >= 0, default=1e-6
        ``"gaussian"`` only: ridge added to every group covariance, ``reg``
        times each column's total variance (the average variance for a
        constant column), so a small-scale column is equalised like the others.
        Needed when a group covariance is singular (one-hot or constant
        columns). Columns whose scales differ by more than about ``1e8`` are
        beyond what the eigendecompositions resolve in float64: standardise
        them first.
    n_quantiles : int >= 2, default=1000
        ``"quantile"`` only: size of the probability grid storing each group's
        quantile function (capped by the largest group's size).
    max_samples_per_group : int >= 2, default=1000
        ``"empirical"`` only: each group is subsampled to at most this many
        points to fit the transport plans (cost grows cubically with it).
    n_support : int >= 2, default=None
        ``"empirical"``: number of barycenter support points; None uses
        ``max_samples_per_group``. ``"stochastic"``: number of cells; None uses
        ``min(1000, n_samples // 30)``.
    within_cell : float in [0, 1], default=0.0
        ``"stochastic"`` only: the fraction of a row's offset from its cell
        centre carried to its target cell. 0 sends all rows of a target cell to one
        stored row, so the output depends on the input only through the drawn
        cell, whose law is the barycenter for every group: independence on the
        training data, and no adversary can learn S from the repaired rows.
        Larger values keep a little more detail and let information about S
        through the position inside the cell (measured: 0.56-0.68 adversary
        AUC at 1 on small tables).
    label_weight : float >= 0, default=16.0
        ``"stochastic"`` only, when ``fit`` receives ``y``: weight of a linear
        label score (logistic regression for classes, ridge for numbers, on
        the standardised features) in the geometry of the cells, as a multiple
        of the total variance of the standardised features. Cells then group
        rows that predict the label alike, so the repaired table keeps the
        label information up to what independence of S allows. 0 ignores
        ``y``. ``transform`` never needs ``y``.
    tol : float >= 0, default=None
        Convergence tolerance of the barycenter solver (relative change; for
        ``"stochastic"`` the L1 change of the barycenter's law on the cells);
        None uses 1e-10 for ``"gaussian"``, 1e-6 for ``"empirical"`` and 1e-4
        for ``"stochastic"`` (far below the sampling noise of the groups' laws
        on the cells).
    max_iter : int >= 1, default=100
        Maximum number of barycenter fixed-point iterations (for
        ``"stochastic"``: of tens of Bregman projections).
    duplicates : {"spread", "identical"}, default="spread"
        Exact copies of a row within one ``transform`` batch (``"quantile"``,
        ``"empirical"``, ``"stochastic"``). "spread": the k-th copy takes the
        k-th draw of the row's sequence, so a repeated row's copies split as the
        barycenter requires (the first copy gets the row's output alone).
        "identical": every copy gets the row's own draw, so each output is a
        pure function of the row and ``random_state``, whatever the batch; on
        tables of many repeated rows that gives S away (see Notes).
    random_state : int, RandomState instance or None, default=None
        Seeds the tie randomisation of ``"quantile"`` and the subsampling and
        initialisation of ``"empirical"``, and the cells, stored rows and draws
        of ``"stochastic"``. Pass an int for reproducible output.
    n_jobs : int, default=None
        ``"empirical"`` only: number of threads computing the groups' transport
        plans. None means 1.

    Attributes
    ----------
    groups_ : ndarray of shape (n_groups,)
        Group labels, sorted (tuples of values for several sensitive columns,
        bin indices with ``sensitive_bins``).
    group_counts_ : ndarray of shape (n_groups,)
        Number of training samples of each group.
    group_weights_ : ndarray of shape (n_groups,)
        Barycenter weights of the groups (sum to one).
    sensitive_columns_ : ndarray of int
        Positions of the sensitive columns in ``X`` (empty when S is metadata).
    sensitive_bin_edges_ : list of ndarray
        Inner bin edges of each sensitive column (only with ``sensitive_bins``).
    barycenter_mean_, barycenter_covariance_ : ndarray
        ``"gaussian"``: moments of the barycenter.
    group_means_, group_covariances_ : ndarray
        ``"gaussian"``: moments of each group (covariances regularised by
        ``reg``).
    transport_maps_ : ndarray of shape (n_groups, n_features, n_features)
        ``"gaussian"``: symmetric linear parts :math:`A_s` of the maps
        :math:`T_s(x) = \bar m + A_s (x - m_s)`.
    references_, group_quantiles_, barycenter_quantiles_ : ndarray
        ``"quantile"``: probability grid, each group's quantile functions
        ``(n_groups, n_quantiles, n_features)`` and the barycenter's.
    barycenter_support_ : ndarray of shape (n_support, n_features)
        ``"empirical"``: support points of the barycenter (uniform mass).
    cell_centers_ : ndarray of shape (n_cells, n_features)
        ``"stochastic"``: centers of the cells (nearest-center assignment).
    group_cell_masses_ : ndarray of shape (n_groups, n_cells)
        ``"stochastic"``: each group's law on the cells (training data).
    cell_barycenter_ : ndarray of shape (n_cells,)
        ``"stochastic"``: the barycenter law on the cells.
    label_used_ : bool
        ``"stochastic"``: whether a label score shaped the cells (``fit`` got
        an informative ``y`` and ``label_weight > 0``).
    group_separability_ : float
        ``"stochastic"``: cross-fitted ROC AUC of a naive-Bayes adversary
        telling the groups apart on the training rows (per column, at most
        50,000 rows; the largest one-group-against-the-rest AUC).
    groups_indistinguishable_ : bool
        ``"stochastic"``: True when that AUC stayed within one standard error
        of 0.5 and the groups' counts over the cells passed a chi-square test
        of homogeneity (level 0.05). The groups then share one law, its own
        barycenter, and ``transform`` returns the rows unchanged (the optimal
        maps are the identity; moving rows would only chase sampling noise).
    n_iter_ : int
        Barycenter iterations run (always 1 for ``"quantile"``, a closed form).
    n_features_in_ : int
        Number of features seen during ``fit`` (sensitive columns included).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    sklearn_unlearn.feature.gaussian_barycenter : The Gaussian barycenter on
        moments, without an estimator.

    Notes
    -----
    With group laws :math:`\mu_s` and weights :math:`p_s`, the barycenter is
    :math:`\bar\nu = \arg\min_\nu \sum_s p_s W_2^2(\mu_s, \nu)` and :math:`T_s` the
    optimal map from :math:`\mu_s` to :math:`\bar\nu`. The output is the McCann
    interpolation :math:`Z = (1 - t) X + t\,T_S(X)` with ``t = repair_level``:
    its distortion is :math:`E\|Z - X\|^2 = t^2 \sum_s p_s W_2^2(\mu_s, \bar\nu)`
    and each group stays at W2 distance :math:`(1 - t) W_2(\mu_s, \bar\nu)` from
    the barycenter.

    ``"gaussian"`` uses :math:`\bar m = \sum_s p_s m_s`, the covariance fixed
    point :math:`C \leftarrow C^{-1/2}(\sum_s p_s (C^{1/2} C_s C^{1/2})^{1/2})^2
    C^{-1/2}` and :math:`A_s = C_s^{-1/2}(C_s^{1/2} \bar C C_s^{1/2})^{1/2}
    C_s^{-1/2}`, all through symmetric eigendecompositions. ``"quantile"`` uses
    :math:`\bar Q(u) = \sum_s p_s Q_s(u)` and :math:`T_s = \bar Q \circ F_s` per
    feature; a sample on a flat stretch of :math:`F_s` (a tie) gets :math:`u`
    uniform in :math:`[F_s(x^-), F_s(x)]`, from a hash of its row and
    ``random_state``, so transform is reproducible.

    *Batch independence.* A row without an exact copy in the batch gets the
    same output whatever the rest of the batch: transformed alone, in any
    order or in any split (all methods). With ``duplicates="spread"`` (the
    default), exact copies of a row within one batch (``"quantile"``,
    ``"empirical"``, ``"stochastic"``) get distinct draws: the k-th copy
    takes the k-th point of the row's sequence of draws, so the first copy
    gets the row's output alone and the copies' outputs, as a multiset, do
    not depend on their order; copies split across batches each restart the
    sequence. With ``duplicates="identical"`` every output is a pure function
    of the row, duplicates included, but every copy goes to one output: on
    tables of many repeated rows that leaks S (titanic at
    ``repair_level=0.5``: 0.62 against 0.56 for the raw data, measured when
    the draws were a pure function of the row).

    ``"stochastic"`` treats the data as a whole, discrete or not. The cells are
    the Voronoi cells of ``k`` centers (random training rows refined by three
    Lloyd steps). Group ``s`` becomes a law :math:`a_s` on the cells; the
    barycenter :math:`b = \arg\min_b \sum_s p_s W_2^2(a_s, b)` on the same
    cells is computed with entropic Bregman projections (blur 3% of the median
    squared distance between cells), and exact plans :math:`\pi_s` from
    :math:`a_s` to :math:`b` with :func:`ot.emd`. A row of group ``s`` in
    cell ``c`` goes to cell ``j`` with probability :math:`\pi_s[c, j] / a_s[c]`
    (a reproducible draw from a hash of the row and ``random_state``), so
    each group's repaired training rows have the law :math:`b` on the cells.
    Its output is the stored training row of cell ``j`` (32 per cell) nearest
    to :math:`m_j + \text{within\_cell}\,(x - m_c)`. Outputs are real rows, so a
    discrete column takes the same values in every group (affine maps give each
    group its own values, which a tree model reads off at once). Cost: fit is
    a few passes of an ``n x k`` distance GEMM plus Bregman projections on a
    ``k x k`` matrix and ``n_groups`` exact plans of that size (about 6 s for
    30 000 x 100 with 2 000 cells); transform is one ``n x k`` GEMM plus a
    search among 32 rows per sample, in chunks sized by ``working_memory``.

    The maps depend on the sample's group, so S is needed at transform time too.

    References
    ----------
    .. [1] S. Xu and T. Strohmer, "Machine Unlearning via Information Theoretic
       Regularization", arXiv:2502.05684, 2025.
    .. [2] S. Xu and T. Strohmer, "Fair Data Representation for Machine Learning
       at the Pareto Frontier", JMLR 24, 2023.
    .. [3] P. C. Alvarez-Esteban, E. del Barrio, J. A. Cuesta-Albertos and
       C. Matran, "A fixed-point approach to barycenters in Wasserstein space",
       J. Math. Anal. Appl. 441, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn import BarycenterFeatureUnlearner
    >>> rng = np.random.default_rng(0)
    >>> s = np.repeat([0, 1], 500)
    >>> X = np.column_stack([s, rng.normal(size=1000) + 3 * s, rng.normal(size=1000)])
    >>> y = (X[:, 2] > 0).astype(int)
    >>> unlearner = BarycenterFeatureUnlearner([0], random_state=0)
    >>> Z = unlearner.fit_transform(X, y)  # y shapes the cells, S is dropped
    >>> Z.shape, unlearner.label_used_
    ((1000, 2), True)
    >>> float(X[s == 0, 1].mean() - X[s == 1, 1].mean())  # raw group gap
    -2.96...
    >>> round(float(Z[s == 0, 0].mean() - Z[s == 1, 0].mean()), 2)
    -0.11
    >>> bool(np.isin(Z[:, 0], X[:, 1]).all())  # outputs are training rows
    True
    >>> gaussian = BarycenterFeatureUnlearner([0], method="gaussian")
    >>> G = gaussian.fit_transform(X)  # equal group means and covariances
    >>> bool(np.allclose(G[s == 0].mean(axis=0), G[s == 1].mean(axis=0)))
    True
    """

PARTIAL_FIT_DOCSTRING = """Update the barycenter and maps with one more chunk of rows.

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

        ``method="quantile"`` summarises each group's columns by a mergeable
        quantile sketch of at most ``8 n_quantiles`` values per level (the
        sketch of the dask fit), merged chunk after chunk; the quantile maps
        are read from the merged sketches. Up to ``8 n_quantiles`` rows per
        group nothing is compacted and the maps are those of ``fit`` on the
        concatenation, bit for bit; beyond, the sketch certifies its rank error
        ``e`` (rows): each fitted ``Q_s(u)`` lies between the exact quantiles
        at ``u -+ e / (n_s - 1)``, with ``e / n_s <= ceil(log2(n_s / k)) / k``
        for ``k = 8 n_quantiles`` (below the grid step ``1 / n_quantiles`` up
        to ``2**11 n_quantiles`` rows per group).

        A group may first appear in any chunk. After ``fit``, ``partial_fit``
        continues from its model for ``"gaussian"`` and ``"stochastic"`` (its
        cells, counts and stored rows); for ``"quantile"`` it starts anew (the
        fitted grid is not a sketch). ``"empirical"`` and ``sensitive_bins``
        do not stream (``partial_fit`` does not exist and the AttributeError
        says why).

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
