"""The wrapped model's outputs: which one is repaired, and its forms.

A regressor's ``predict``, a classifier's ``predict_proba`` (else its
``decision_function``) is the output that the repair maps
(:func:`fit_model_outputs` fits the model and reads it). It enters the repair
as a matrix ``F`` of columns (:func:`output_columns`: a binary classifier's
positive class alone) and leaves it as repaired columns ``Z``, from which
:func:`repaired_form` gives ``predict_proba`` (:func:`probabilities`),
``decision_function`` (:func:`decision_scores`) and ``predict``
(:func:`predictions`), consistent with one another.
"""

from collections.abc import Container
from typing import NamedTuple

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import cross_val_predict

__all__ = [
    "OUTPUTS",
    "ModelOutputs",
    "decision_scores",
    "fit_model_outputs",
    "model_output_method",
    "output_columns",
    "output_method",
    "predictions",
    "probabilities",
    "repaired_form",
]

#: The outputs of a model that the repair may map.
OUTPUTS = ("predict", "predict_proba", "decision_function")
#: The smallest normal float64: the floor of a probability before its log.
_TINY = np.finfo(np.float64).tiny


def output_method(classifier: bool, methods: Container[str], model: str) -> str:
    """The output of a model that the repair maps.

    Parameters
    ----------
    classifier : bool
        Whether the model is a classifier.
    methods : container of str
        The names of the model's output methods.
    model : str
        The model's name, for the error message.

    Returns
    -------
    method : {"predict", "predict_proba", "decision_function"}
        A regressor's ``predict``; a classifier's ``predict_proba``, else its
        ``decision_function``.

    Raises
    ------
    ValueError
        A regressor without ``predict``, a classifier without scores.

    Examples
    --------
    >>> from sklearn_unlearn.outcome._outputs import output_method
    >>> output_method(True, {"predict", "decision_function"}, "LinearSVC")
    'decision_function'
    """
    if not classifier:
        if "predict" not in methods:
            raise ValueError(
                f"estimator {model} has no predict method: pass a regressor or "
                "a classifier."
            )
        return "predict"
    for name in ("predict_proba", "decision_function"):
        if name in methods:
            return name
    raise ValueError(
        f"The classifier {model} has neither predict_proba nor decision_function: "
        "outcome unlearning maps scores, not labels. Use a classifier with scores "
        "(e.g. CalibratedClassifierCV around it)."
    )


def model_output_method(model) -> str:
    """The output of a fitted ``model`` that the repair maps.

    See :func:`output_method`.
    """
    available = {name for name in OUTPUTS if hasattr(model, name)}
    return output_method(is_classifier(model), available, type(model).__name__)


class ModelOutputs(NamedTuple):
    """A fitted clone of the wrapped model and the outputs the repair learns."""

    estimator: object  # the fitted clone
    method: str  # its repaired output, see output_method
    raw: np.ndarray  # that output on the training rows (or cross-fitted)


def fit_model_outputs(model, X, y, *, cv, params) -> ModelOutputs:
    """Fit a clone of the wrapped ``model``; read the output that is repaired.

    Parameters
    ----------
    model : estimator object
        The wrapped model (not fitted, not modified).
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Training rows, validated.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets.
    cv : int, cross-validation generator, iterable or None
        None: the fitted clone's in-sample outputs; otherwise the outputs of
        ``cross_val_predict`` with ``cv``.
    params : dict
        Fit parameters of the model (and of each fold's fit).

    Returns
    -------
    outputs : ModelOutputs
        The fitted clone, its output method (see :func:`output_method`) and
        that output on the training rows.
    """
    estimator = clone(model).fit(X, y, **params)
    method = model_output_method(estimator)
    if cv is None:
        raw = getattr(estimator, method)(X)
    else:
        raw = cross_val_predict(clone(model), X, y, cv=cv, method=method, params=params)
    return ModelOutputs(estimator, method, raw)


def output_columns(raw: np.ndarray, method: str) -> np.ndarray:
    """The columns to repair: a binary classifier's positive class, else all.

    Parameters
    ----------
    raw : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The model's output ``method``.
    method : str
        Its name.

    Returns
    -------
    F : ndarray of shape (n_samples, n_columns)
        One column for a 1-D output and for binary probabilities.
    """
    raw = np.asarray(raw)
    if raw.ndim == 1:
        return raw[:, None]
    if method == "predict_proba" and raw.shape[1] == 2:
        return raw[:, 1:]
    return raw


def probabilities(Z: np.ndarray) -> np.ndarray:
    """Class probabilities from repaired columns of ``predict_proba``.

    One column is the positive class ``p`` of a binary classifier, clipped to
    ``[0, 1]``: the rows are ``(1 - p, p)``. Several columns are multiclass
    vectors, the model's own or stored ones (already probability vectors):
    returned as they are.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.outcome._outputs import probabilities
    >>> probabilities(np.array([[0.25], [1.5]]))
    array([[0.75, 0.25],
           [0.  , 1.  ]])
    """
    if Z.shape[1] > 1:
        return Z
    p = np.clip(Z[:, 0], 0.0, 1.0)
    return np.column_stack([1.0 - p, p])


def decision_scores(Z: np.ndarray, method: str) -> np.ndarray:
    """Repaired decision scores: (n,) for binary, (n, n_classes) otherwise.

    Repaired ``decision_function`` columns are the scores. Repaired
    probabilities give :math:`\\log p_1 - \\log p_0` (binary) or
    :math:`\\log p_c`, each probability floored at the smallest normal float
    (about :math:`e^{-708}`): a saturated probability (0 or 1, e.g. a model
    fitted on unscaled money columns) gives a large but finite score, which
    metrics such as ROC AUC accept.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.outcome._outputs import decision_scores
    >>> decision_scores(np.array([[0.5], [0.8]]), "predict_proba").round(4)
    array([0.    , 1.3863])
    """
    if method == "decision_function":
        return Z[:, 0] if Z.shape[1] == 1 else Z
    logs = np.log(np.maximum(probabilities(Z), _TINY))
    return logs[:, 1] - logs[:, 0] if logs.shape[1] == 2 else logs


def predictions(
    Z: np.ndarray, raw: np.ndarray, method: str, classes: np.ndarray | None
) -> np.ndarray:
    """Repaired ``predict``: regression values, or the labels of the scores.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_columns)
        Repaired columns of the output ``method``.
    raw : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The model's output ``method`` (its shape and floating dtype are kept
        for a regressor).
    method : str
        The repaired output.
    classes : ndarray of shape (n_classes,) or None
        The classifier's labels; None for a regressor.

    Returns
    -------
    y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        A regressor's repaired values (float64 unless ``raw`` is floating);
        a classifier's label of the largest probability, or of the largest
        score (binary: the second class when the score is positive).
    """
    if classes is None:
        out = Z[:, 0] if np.ndim(raw) == 1 else Z
        dtype = np.asarray(raw).dtype
        return out.astype(dtype if dtype.kind == "f" else np.float64, copy=False)
    if method == "predict_proba":
        return classes[np.argmax(probabilities(Z), axis=1)]
    scores = decision_scores(Z, method)
    if scores.ndim == 1:
        return classes[(scores > 0).astype(np.intp)]
    return classes[np.argmax(scores, axis=1)]


def repaired_form(
    form: str, Z: np.ndarray, raw: np.ndarray, method: str, classes
) -> np.ndarray:
    """The repaired columns ``Z`` of the output ``method`` as ``form`` returns.

    ``form`` is "predict" (:func:`predictions`), "predict_proba"
    (:func:`probabilities`, in the dtype of ``raw``) or "decision_function"
    (:func:`decision_scores`).
    """
    if form == "predict":
        return predictions(Z, raw, method, classes)
    if form == "predict_proba":
        return probabilities(Z).astype(raw.dtype, copy=False)
    return decision_scores(Z, method)
