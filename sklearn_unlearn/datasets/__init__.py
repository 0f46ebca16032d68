"""Data sets: the bundled UCI Adult data and synthetic grouped generators.

:func:`load_adult` reads the Adult (Census Income) files vendored with the
package, so nothing is downloaded. :func:`make_grouped_gaussian` and
:func:`make_grouped_nongaussian` draw features whose distribution depends on a
group label, with known structure to test the unlearning methods against.
"""

from sklearn_unlearn.datasets._adult import load_adult
from sklearn_unlearn.datasets._generators import (
    make_grouped_gaussian,
    make_grouped_nongaussian,
)

__all__ = ["load_adult", "make_grouped_gaussian", "make_grouped_nongaussian"]
