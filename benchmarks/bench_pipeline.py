"""The call users make, measured literally: a Pipeline on the raw table.

``Pipeline([("prep", ColumnTransformer), ("unlearn",
BarycenterFeatureUnlearner(sensitive_feature_ids=["S"])), ("model",
LogisticRegression(max_iter=2000))])`` is fitted on the raw training frame,
S being one of its columns (passed through the ColumnTransformer, named by the
unlearner and dropped by it). Everything else is the protocol of
``spec/measuring_forgetting.md`` and of ``bench_tables.py`` (same tables,
60/40 split stratified on y, seeds 0-2):

- ``leak``: ``HistGradientBoostingClassifier`` predicting S from
  ``pipeline[:-1].transform`` of the training rows, ROC AUC on the test rows;
- ``U``: test ROC AUC of ``pipeline.predict_proba``;
- ``R``: the independence reference on the same split.

Usage::

    python benchmarks/bench_pipeline.py                   # every table, 3 seeds
    python benchmarks/bench_pipeline.py --tables titanic hmda --seeds 1
"""

import warnings

import numpy as np
from _harness import add_seeds, blas_threads, log, make_parser, print_table
from _tables import LOADERS, adversary_auc, column_kinds, load, reference, split
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner

#: The tables the library was not designed on (Adult is measured elsewhere).
TABLES = [n for n in LOADERS if not n.startswith("adult")]


def pipeline(X):
    """The users' pipeline; S (column "S") passes through the encoder."""
    categorical, numeric = column_kinds(X.drop(columns="S"))
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            (
                "cat",
                OneHotEncoder(
                    handle_unknown="ignore", min_frequency=0.01, sparse_output=False
                ),
                categorical,
            ),
            ("s", "passthrough", ["S"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline(
        [
            ("prep", prep),
            ("unlearn", BarycenterFeatureUnlearner(sensitive_feature_ids=["S"])),
            ("model", LogisticRegression(max_iter=2000)),
        ]
    )


def run_seed(table, seed):
    rows = np.arange(len(table.y))
    sp = split(table, seed)  # the same rows as bench_tables.py (for R)
    X = table.X.assign(S=table.s)
    train, test = train_test_split(
        rows, test_size=0.4, stratify=table.y, random_state=seed
    )
    model = pipeline(X).fit(X.iloc[train], table.y[train])
    Z_train = model[:-1].transform(X.iloc[train])
    Z_test = model[:-1].transform(X.iloc[test])
    util = roc_auc_score(table.y[test], model.predict_proba(X.iloc[test])[:, 1])
    ref = reference(sp, LogisticRegression(max_iter=2000), seed)
    leak = adversary_auc(
        np.asarray(Z_train), sp.s_train, np.asarray(Z_test), sp.s_test, seed
    )
    return leak, util, ref.utility


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--tables", nargs="+", default=TABLES)
    add_seeds(parser, 3)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    with blas_threads(1):
        for name in args.tables:
            runs = np.array([run_seed(load(name), s) for s in range(args.seeds)])
            leak, util, ref = runs.mean(axis=0)
            ok = leak <= 0.55 and util >= ref - 0.02
            rows.append(
                [
                    name,
                    f"{leak:.3f}",
                    f"{runs[:, 0].max():.3f}",
                    f"{util:.3f} of {ref:.3f}",
                    "PASS" if ok else "FAIL",
                ]
            )
            log(f"{name}: leak {leak:.3f}, utility {util:.3f} of a possible {ref:.3f}")
    log("")
    print_table(["table", "leak", "leak max", "U of a possible R", "verdict"], rows)


if __name__ == "__main__":
    main()
