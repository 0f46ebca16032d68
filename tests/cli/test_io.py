"""Errors, exit codes and the terminal of the command line."""

import sklearn_unlearn.cli._io as cli_io
from sklearn_unlearn.cli._io import Progress


def test_progress_shows_on_a_terminal_only():
    class Terminal:
        def __init__(self, tty):
            self.tty, self.text = tty, ""

        def isatty(self):
            return self.tty

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    for tty in (True, False):
        stream = Terminal(tty)
        progress = Progress(2, stream=stream)
        progress("reading")
        progress("fitting")
        progress.close()
        assert ("2/2 fitting" in stream.text) is tty
    assert cli_io.EXIT_USAGE == 2
