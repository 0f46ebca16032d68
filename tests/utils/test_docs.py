"""Shared parameter documentation."""

from sklearn_unlearn.utils._docs import DOCS, fill_docs, with_doc


def test_fill_docs_replaces_marker_lines_with_indented_entries():
    @fill_docs
    def f():
        """Do.

        Parameters
        ----------
        %(weights)s
        """

    lines = f.__doc__.splitlines()
    n_before = 6  # "Do.", "", the two header lines, the marker, the closing indent
    first = DOCS["weights"].splitlines()[0]
    assert "        " + first in lines
    assert "%(" not in f.__doc__
    assert len(lines) == n_before - 1 + len(DOCS["weights"].splitlines())


def test_with_doc_sets_a_docstring_kept_elsewhere_then_fill_docs_fills_it():
    text = """Do.

        Parameters
        ----------
        %(weights)s
        """

    @fill_docs
    @with_doc(text)
    def f():
        pass

    assert f.__doc__.startswith("Do.") and "%(" not in f.__doc__
    assert "        " + DOCS["weights"].splitlines()[0] in f.__doc__.splitlines()
