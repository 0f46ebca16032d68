"""The ``select`` subcommand: kept rows and deleted ids, and its bad inputs."""

import numpy as np
import pytest

from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._options import CRITERION_FLAG
from tests.cli._inputs import NUMERIC, check_bad_input, read


def test_select_writes_kept_rows_and_deleted_ids(table, people, capsys):
    kept_path = table.with_name(f"kept{table.suffix}")
    deleted_path = table.with_name("gone.txt")
    code = main(
        [
            "select",
            str(table),
            "--domain-column",
            "occupation",
            "--forget-value",
            "Sales",
            "Tech-support",
            "--budget",
            "0.4",
            "--id-column",
            "person_id",
            "--features",
            *NUMERIC,
            "-o",
            str(kept_path),
            "--deleted",
            str(deleted_path),
        ]
    )
    assert code == 0
    domain = people["occupation"].isin(["Sales", "Tech-support"])
    deleted = [int(v) for v in deleted_path.read_text().split()]
    assert len(deleted) == round(0.4 * domain.sum())
    assert set(deleted) <= set(people.loc[domain, "person_id"])
    kept = read(kept_path)
    assert len(kept) == len(people) - len(deleted)
    np.testing.assert_array_equal(
        kept["person_id"], people.loc[~people["person_id"].isin(deleted), "person_id"]
    )
    assert "deleted" in capsys.readouterr().out


def test_select_target_and_count_budget(tmp_path, people):
    path = tmp_path / "p.csv"
    people.to_csv(path, index=False)
    args = ["select", str(path), "--domain-column", "sex", "--forget-value", "Female"]
    assert main([*args, "--budget", "25", "--features", *NUMERIC]) == 0
    assert len((tmp_path / "p.deleted.txt").read_text().split()) == 25
    # an impossible target: the computation fails (exit 1), nothing written
    (tmp_path / "p.kept.csv").unlink()
    assert main([*args, "--target", "50", "0.0", "--features", *NUMERIC]) == 1
    assert not (tmp_path / "p.kept.csv").exists()


S = ["select", "data.csv", "--domain-column", "src", "--forget-value", "partnerB"]
K = [*S, "-o", "k.csv"]

CASES = {
    "select --deleted is the input": ([*K, "--deleted", "data.csv"], "--deleted"),
    "select --deleted is -o": ([*S, "-o", "k.csv", "--deleted", "k.csv"], "--deleted"),
    "select --deleted hard link": ([*K, "--deleted", "hard.csv"], "--deleted"),
    "select --deleted is a folder": ([*K, "--deleted", "deldir.txt"], "--deleted"),
    "select --deleted parquet": ([*K, "--deleted", "d.parquet"], "--deleted"),
    "select -o is the input": ([*S, "-o", "data.csv"], "--output"),
    "select -o symlink to input": ([*S, "-o", "link.csv"], "--output"),
    "select -o folder missing": ([*S, "-o", "nodir/k.csv"], "--output"),
    "select --budget and --target": (
        [*S, "--budget", "0.1", "--target", "0.3", "0.1"],
        "--budget",
    ),
    "select --budget above the domain": ([*S, "--budget", "1000"], "--budget"),
    "select --budget 2.5": ([*S, "--budget", "2.5"], "--budget"),
    "select --target -1": ([*S, "--target", "-1", "0.1"], "--target"),
    "select --domain-column missing": (
        ["select", "data.csv", "--domain-column", "zz", "--forget-value", "x"],
        "--domain-column",
    ),
    "select --forget-value absent": (
        ["select", "data.csv", "--domain-column", "src", "--forget-value", "nope"],
        "--forget-value",
    ),
    "select every row forgotten": (
        ["select", "onegroup.csv", "--domain-column", "sex", "--forget-value", "F"],
        "--forget-value",
    ),
    "select classifier ranking, tiny domain": (
        ["select", "tiny.csv", "--domain-column", "sex", "--forget-value", "X"]
        + [CRITERION_FLAG, "classifier"],
        CRITERION_FLAG,
    ),
    "select --id-column missing": ([*S, "--id-column", "zz"], "--id-column"),
    "select empty feature cell": (
        ["select", "holes.csv", "--domain-column", "src", "--forget-value", "own"],
        "'a'",
    ),
    "select --random-state abc": ([*S, "--random-state", "abc"], "--random-state"),
}


@pytest.mark.parametrize("args, named", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_names_it_and_touches_nothing(folder, capsys, args, named):
    check_bad_input(main, folder, capsys, args, named)
