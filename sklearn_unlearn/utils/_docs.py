"""Parameter documentation written once, shared by the estimators' docstrings.

A docstring names a shared entry by a line holding only ``%(name)s`` (indented
as the entry should be); :func:`fill_docs` replaces it with the entry,
re-indented. Used as a class or function decorator. :func:`with_doc` sets a
docstring kept in another module (as a long one that would take an estimator's
module over the size limit).
"""

import textwrap

__all__ = ["DOCS", "fill_docs", "with_doc"]

DOCS = {
    "sensitive_values": """\
sensitive_features : array-like of shape (n_samples,) or \\
        (n_samples, n_attributes), default=None
    Sensitive values of the rows of ``X`` (several columns: intersectional
    groups), when the ``sensitive_feature_ids`` parameter does not say where S
    is in ``X``.""",
    "weights": """\
weights : {"proportional", "uniform"} or array-like, default="proportional"
    Barycenter weights of the groups: their frequencies in the training
    data (the theory's choice), equal weights, or an array of shape
    (n_groups,) in the order of ``groups_`` (normalised to sum to one).""",
}


def fill_docs(obj):
    """Replace each ``%(name)s`` line of ``obj.__doc__`` with ``DOCS[name]``."""
    lines = []
    for line in (obj.__doc__ or "").splitlines():
        key = line.strip()
        if key.startswith("%(") and key.endswith(")s"):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(DOCS[key[2:-2]], indent))
        else:
            lines.append(line)
    obj.__doc__ = "\n".join(lines)
    return obj


def with_doc(text: str):
    """A decorator setting ``obj.__doc__`` to ``text``; apply it innermost."""

    def decorate(obj):
        obj.__doc__ = text
        return obj

    return decorate
