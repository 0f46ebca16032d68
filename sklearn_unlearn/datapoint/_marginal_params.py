"""The parameters of MarginalUnlearner: what each one accepts.

Kept beside the estimator's module so that both stay within the size limit.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import StrOptions

from sklearn_unlearn.utils._compat import Interval

__all__ = ["PARAMETER_CONSTRAINTS"]

PARAMETER_CONSTRAINTS: dict = {
    "estimator": [object],
    "prefit": ["boolean"],
    "forget_rows": [callable, None],
    "gamma": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left"), None],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "n_rounds": [Interval(Integral, 1, None, closed="left")],
    "settle_epochs": [Interval(Integral, 0, None, closed="left")],
    "linear_update": [StrOptions({"settle", "newton"})],
    "newton_steps": [Interval(Integral, 1, None, closed="left")],
    "loss_noise": [Interval(Real, 0, None, closed="left")],
    "removal_delta": [Interval(Real, 0, 1, closed="neither")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}
