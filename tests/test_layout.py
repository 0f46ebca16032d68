"""Repository layout checks: the tests mirror the package."""

from pathlib import Path

TESTS = Path(__file__).parent


def test_test_folders_are_packages():
    # as packages, test modules are imported by their dotted path, so two
    # folders may each hold a test_<module>.py for their own <module>
    folders = [p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert [str(p) for p in folders if not (p / "__init__.py").exists()] == []
