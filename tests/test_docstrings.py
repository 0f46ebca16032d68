"""Every public object has a numpydoc docstring with a runnable example.

The examples themselves run as doctests (``--doctest-modules`` in the pytest
configuration); this test checks that none is missing.
"""

import importlib
import inspect

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

PUBLIC_MODULES = [
    "sklearn_unlearn",
    "sklearn_unlearn.feature",
    "sklearn_unlearn.selection",
    "sklearn_unlearn.datapoint",
    "sklearn_unlearn.metrics",
    "sklearn_unlearn.datasets",
]


def _public_objects():
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # e.g. __version__
            if id(obj) not in seen:
                seen.add(id(obj))
                yield pytest.param(obj, id=f"{module_name}.{name}")


@pytest.mark.parametrize("obj", list(_public_objects()))
def test_public_object_has_numpydoc_with_example(obj):
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    assert doc["Summary"], "no summary line"
    examples = "\n".join(doc["Examples"])
    assert ">>>" in examples, "no runnable example in an Examples section"
    if not inspect.isclass(obj) and inspect.signature(obj).parameters:
        assert doc["Parameters"], "parameters are not documented"
