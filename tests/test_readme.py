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
    assert namespace["search"].best_params_["unlearn__repair_level"] in (0.0, 0.5, 1.0)


def test_ci_runs_the_readme_test_command():
    (commands,) = _blocks("bash")
    test_command = [line for line in commands.splitlines() if "pytest" in line]
    ci = (README.parent / ".ci" / "run").read_text()
    assert len(test_command) == 1
    assert test_command[0].strip() in ci
