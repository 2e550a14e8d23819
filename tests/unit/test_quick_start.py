"""The README's quick start is what CI runs: the test command in .ci/run is the README's, word for word."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.startswith("python3 ")]
    assert len(commands) == 2, "the quick start has one run command and one test command"
    run, test = commands
    assert run.endswith("python3 -m bot") and "requirements.lock" in run
    # four workers: the suite waits on bot processes and fake servers more than it computes
    assert test.endswith("python3 -m pytest -q -n 4 --dist worksteal") and "requirements-test.lock" in test
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()
