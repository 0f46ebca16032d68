"""Repository layout: the tests mirror the package, and modules stay small."""

from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent
PACKAGE = ROOT / "sklearn_unlearn"
#: Lines a module may have at most (the house style's "small modules").
MAX_LINES = 400


def _source_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name not in ("__init__.py", "__main__.py"):
            yield path


def test_test_folders_are_packages():
    # as packages, test modules are imported by their dotted path, so two
    # folders may each hold a test_<module>.py for their own <module>
    folders = [p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert [str(p) for p in folders if not (p / "__init__.py").exists()] == []


def test_every_module_has_its_mirrored_test_module():
    # sklearn_unlearn/<pkg>/_<name>.py is tested in tests/<pkg>/test_<name>.py
    missing = []
    for path in _source_modules():
        parts = path.relative_to(PACKAGE).parts
        folders = [part.lstrip("_") for part in parts[:-1]]
        mirror = TESTS.joinpath(*folders, "test_" + parts[-1].lstrip("_"))
        if not mirror.exists():
            missing.append(str(mirror.relative_to(ROOT)))
    assert missing == []


def test_no_module_over_the_size_limit():
    folders = [PACKAGE, ROOT / "benchmarks"]
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for folder in folders
        for path in folder.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_no_module_function_of_feature_or_selection_takes_an_estimator():
    # the numerics take arrays and explicit parameters; the estimators pass
    # their own attributes (a guard on the names such functions used to take)
    import ast

    offenders = []
    for package in ("feature", "selection"):
        for path in sorted((PACKAGE / package).glob("*.py")):
            for node in ast.parse(path.read_text()).body:
                if not isinstance(node, ast.FunctionDef):
                    continue
                arguments = (
                    node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                )
                names = {a.arg for a in arguments}
                if names & {"estimator", "unlearner", "selector", "self"}:
                    offenders.append(f"{path.name}:{node.name}")
    assert offenders == []
