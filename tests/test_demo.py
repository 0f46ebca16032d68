"""The demo computation on the bundled Adult data."""

from sklearn_unlearn._demo import format_table, run_demo


def test_run_demo_rows_and_raw_baseline():
    rows = run_demo(
        methods=("gaussian",), repair_levels=(0.0, 1.0), n_train=1500, n_test=1500
    )
    assert [(r.method, r.repair_level) for r in rows] == [
        ("none", 0.0),
        ("gaussian", 0.0),
        ("gaussian", 1.0),
    ]
    # repair_level 0 is the identity: the same scores as the raw features.
    assert abs(rows[1].leakage_auc - rows[0].leakage_auc) < 1e-12
    assert abs(rows[1].utility_auc - rows[0].utility_auc) < 1e-12
    # Adult's raw features reveal sex strongly; income is predictable.
    assert rows[0].leakage_auc > 0.85 and rows[0].utility_auc > 0.85
    assert "leakage AUC(S)" in format_table(rows)
