"""Models and scorers shared by the metric tests (not a test module)."""

from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.metrics import make_leakage_scorer

__all__ = ["N", "gaussian_unlearner", "lr_leakage_scorer", "scale_features"]

#: Rows of the ``data`` fixture.
N = 300


def gaussian_unlearner(sensitive_features=None, **params):
    return BarycenterFeatureUnlearner(
        sensitive_features, method="gaussian", random_state=0, **params
    )


def scale_features():
    return ColumnTransformer(
        [("scale", StandardScaler(), ["a", "b"])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def lr_leakage_scorer(**kwargs):
    return make_leakage_scorer(
        estimator=LogisticRegression(), random_state=0, greater_is_better=True, **kwargs
    )
