"""Data sets: the bundled UCI Adult data and synthetic grouped generators.

:func:`load_adult` reads the Adult (Census Income) files vendored with the
package, so nothing is downloaded. :func:`make_grouped_gaussian` and
:func:`make_grouped_nongaussian` draw features whose distribution depends on a
group label, with known structure to test the unlearning methods against;
:func:`make_grouped_mixed` draws a mixed-type table (categories, money amounts,
counts) with a label, both depending on the group.
"""

from sklearn_unlearn.datasets._adult import load_adult
from sklearn_unlearn.datasets._gaussian import make_grouped_gaussian
from sklearn_unlearn.datasets._mixed import make_grouped_mixed
from sklearn_unlearn.datasets._nongaussian import make_grouped_nongaussian

__all__ = [
    "load_adult",
    "make_grouped_gaussian",
    "make_grouped_mixed",
    "make_grouped_nongaussian",
]
