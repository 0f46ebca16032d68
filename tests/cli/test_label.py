"""The label of ``repair``: checked first, and the audit of its utility."""

import json

import numpy as np
import pandas as pd

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.cli import main


def test_repair_with_a_label_reports_utility_of_a_possible_reference(
    tmp_path, people, capsys
):
    path = tmp_path / "data.csv"
    people.to_csv(path, index=False)
    code = main(
        [
            "repair",
            str(path),
            "--sensitive",
            "sex",
            "--keep",
            "person_id",
            "--label",
            "income",
            "--quiet",
        ]
    )
    assert code == 0
    repaired = pd.read_csv(tmp_path / "data.repaired.csv")
    # the label is used, never repaired
    np.testing.assert_array_equal(repaired["income"], people["income"])
    audit = json.loads((tmp_path / "data.repaired.audit.json").read_text())
    assert audit["method"] == BarycenterFeatureUnlearner().method  # one default
    assert "income" not in audit["features"] and audit["label"] == "income"
    label = audit["label_utility"]
    assert label["metric"] == "ROC AUC"
    # 800 rows of Adult: measured utility 0.890 of a possible 0.912 (raw 0.915)
    assert label["utility"] > label["reference"] - 0.05
    assert label["raw_utility"] > 0.75
    assert "of a possible" in capsys.readouterr().out


def test_repair_label_errors_are_usage_errors(tmp_path, people, capsys):
    path = tmp_path / "data.csv"
    people.assign(
        income=people["income"].astype(float).where(people.index != 3)
    ).to_csv(path, index=False)
    for label, message in (("salary", "salary"), ("income", "missing value")):
        code = main(["repair", str(path), "--sensitive", "sex", "--label", label])
        assert code == 2
        assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]
