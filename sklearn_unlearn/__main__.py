"""Run the command line interface: ``python -m sklearn_unlearn demo``."""

import sys

from sklearn_unlearn.cli import main

if __name__ == "__main__":
    sys.exit(main())
