"""Options of the command line: checked values, and choices the estimators accept."""

import argparse
import re

import numpy as np
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner, DistributionalSelector
from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._main import COMMANDS, build_parser
from sklearn_unlearn.cli._options import (
    DEFAULT_CRITERION,
    DEFAULT_METHOD,
    SELECTOR_CRITERION,
    SENSITIVE_BINS,
    sensitive_bins,
)


def _offered(command: str, dest: str) -> list:
    """The choices the command line offers for an option of a subcommand."""
    (subparsers,) = [
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ]
    (action,) = [a for a in subparsers.choices[command]._actions if a.dest == dest]
    return list(action.choices)


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--repair-levels", "1.5"], "must be in [0, 1]"),
        (["demo", "--methods", "magic"], "invalid choice: 'magic'"),
        (["select", "x.csv", "--domain-column", "d"], "--forget-value"),
        (["repair", "x.csv", "--sensitive", "s", "--repair-level", "-1"], "[0, 1]"),
    ],
)
def test_bad_values_are_usage_errors(capsys, args, message):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_choices_and_defaults_are_the_estimators():
    assert _offered("repair", "method") == _offered("demo", "methods")
    assert _offered("repair", "method")[0] == DEFAULT_METHOD
    assert DEFAULT_METHOD == BarycenterFeatureUnlearner().method
    assert _offered("select", "criterion")[0] == DEFAULT_CRITERION
    assert (
        DEFAULT_CRITERION == DistributionalSelector().get_params()[SELECTOR_CRITERION]
    )


@pytest.mark.parametrize("method", _offered("repair", "method"))
def test_every_method_offered_is_accepted_by_the_unlearner(method):
    rng = np.random.default_rng(0)
    s = np.repeat([0, 1], 30)
    X = rng.normal(size=(60, 2)) + s[:, None]
    unlearner = BarycenterFeatureUnlearner(method=method, random_state=0)
    Z = unlearner.fit_transform(X, sensitive_features=s)
    assert Z.shape == X.shape and np.isfinite(Z).all()


@pytest.mark.parametrize("criterion", _offered("select", "criterion"))
def test_every_criterion_offered_is_accepted_by_the_selector(criterion):
    rng = np.random.default_rng(0)
    forget = np.repeat([True, False], 30)
    X = rng.normal(size=(60, 2)) + forget[:, None]
    selector = DistributionalSelector(
        **{SELECTOR_CRITERION: criterion}, budget=0.5, random_state=0
    )
    selector.fit(X, forget_mask=forget)
    assert selector.n_deleted_ == 15
    assert not selector.deletion_mask_[~forget].any()


def test_sensitive_bins_accepts_what_the_unlearner_accepts():
    (constraint,) = SENSITIVE_BINS  # the unlearner's, besides None
    for text in ("2", "4", "100"):
        assert sensitive_bins(text) == int(text)
        BarycenterFeatureUnlearner(sensitive_bins=int(text))._validate_params()
    for text in ("1", "0", "-3", "2.5", "four", ""):
        with pytest.raises(
            argparse.ArgumentTypeError, match=re.escape(str(constraint))
        ):
            sensitive_bins(text)
    for value in (1, 0):
        with pytest.raises(ValueError, match="sensitive_bins"):
            BarycenterFeatureUnlearner(sensitive_bins=value)._validate_params()


@pytest.mark.parametrize("command", ["repair", "audit"])
def test_every_command_taking_sensitive_takes_sensitive_bins(command):
    assert _dests(command) >= {"sensitive", "sensitive_bins"}
    args = build_parser().parse_args(
        [command, "x.csv", "--sensitive", "s", "--sensitive-bins", "3"]
    )
    assert args.sensitive_bins == 3
    assert (
        build_parser().parse_args([command, "x.csv", "--sensitive", "s"]).sensitive_bins
        is None
    )


def _dests(command: str) -> set:
    (subparsers,) = [
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ]
    return {a.dest for a in subparsers.choices[command]._actions}


def test_every_file_command_taking_a_sensitive_column_can_bin_it():
    # demo's --sensitive chooses one of the Adult data's categorical columns
    taking = [c for c in COMMANDS if {"input", "sensitive"} <= _dests(c)]
    assert taking == ["repair", "audit"]
    assert all("sensitive_bins" in _dests(c) for c in taking)
