"""The metrics sit above the estimators: public state only, no matplotlib."""

import ast
from pathlib import Path

import pytest

import sklearn_unlearn.metrics

PACKAGE = Path(sklearn_unlearn.metrics.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _private_attributes(tree: ast.AST) -> list[str]:
    """``obj._name`` reads on anything but ``self`` and ``cls``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        found.append(f"line {node.lineno}: .{name}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_metrics_read_no_private_state_of_other_objects(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _private_attributes(tree) == []


def test_the_check_sees_private_reads():
    tree = ast.parse("unlearner._encoding\nselector._drop_domain(X)\nself._ok\n")
    assert _private_attributes(tree) == ["line 1: ._encoding", "line 2: ._drop_domain"]


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if "_plot" not in p.parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_metrics_never_import_matplotlib(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ] + [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert not [name for name in imported if name.startswith("matplotlib")]
