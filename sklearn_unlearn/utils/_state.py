"""Fitting that is all or nothing: a failed fit leaves the estimator as it was."""

import functools

from sklearn_unlearn.utils._compat import _fit_context

__all__ = ["fit_context"]


def fit_context(*, prefer_skip_nested_validation: bool):
    """Decorate ``fit``-like methods: validate parameters, roll back on failure.

    Wraps scikit-learn's ``_fit_context`` (parameter validation and nested
    validation control) and snapshots the estimator's ``__dict__`` before the
    call. If the method raises, the snapshot is put back, so an estimator that
    was fitted stays fitted exactly as it was (a refit on bad data must not
    leave half-replaced attributes, e.g. a new ``n_features_in_`` with the old
    maps). The snapshot is shallow: ``fit`` and ``partial_fit`` replace
    fitted attributes and never update them in place (tested), so putting
    back the old references restores the old state, at no copying cost.

    Parameters
    ----------
    prefer_skip_nested_validation : bool
        Passed to scikit-learn's ``_fit_context``.

    Returns
    -------
    decorator : callable
        The method decorator.
    """
    validate = _fit_context(prefer_skip_nested_validation=prefer_skip_nested_validation)

    def decorator(method):
        validated = validate(method)

        @functools.wraps(method)
        def wrapper(estimator, *args, **kwargs):
            state = estimator.__dict__
            saved = dict(state)
            try:
                return validated(estimator, *args, **kwargs)
            except BaseException:
                state.clear()
                state.update(saved)
                raise

        return wrapper

    return decorator
