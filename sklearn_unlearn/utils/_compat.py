"""The ONE place where scikit-learn private helpers are imported.

scikit-learn keeps parameter validation and a few feature-name helpers private;
every estimator of this package relies on them through this module, so a change
upstream is fixed here once.
"""

from sklearn.base import _fit_context
from sklearn.utils._metadata_requests import RequestMethod
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import _check_feature_names_in

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "RequestMethod",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_routing_enabled",
    "validate_params",
]
