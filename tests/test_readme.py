"""The README's quickstart runs as written, and its two commands are the real ones."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_quickstart_runs():
    (code,) = _blocks("python")
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)
    # Adult's features reveal sex; the stochastic repair hides most of it
    assert namespace["before"] > 0.85
    assert namespace["after"] < 0.7


def test_quickstart_is_short():
    (code,) = _blocks("python")
    assert len([line for line in code.splitlines() if line.strip()]) <= 15


def test_ci_runs_the_readme_test_command():
    (commands,) = _blocks("bash")
    test_command = [line for line in commands.splitlines() if "pytest" in line]
    ci = (README.parent / ".ci" / "run").read_text()
    assert len(test_command) == 1
    assert test_command[0].strip() in ci
