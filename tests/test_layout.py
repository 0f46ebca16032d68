"""Repository layout checks that keep the test collection working."""

from collections import Counter
from pathlib import Path


def test_test_modules_have_unique_basenames():
    # the tests folders are not packages: pytest imports each test module by
    # its basename, so two files with the same name abort the collection
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
