"""The lock files install what pyproject.toml asks for: every requirement pinned, in range, with hashes."""
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s\\;]+)")


def pins(lock: str) -> dict[str, tuple[Version, bool]]:
    """Return name -> (version, has a hash) for every pin of a lock file."""
    text = (ROOT / lock).read_text()
    found = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            found[canonicalize_name(match["name"])] = (Version(match["version"]), "--hash=sha256:" in block)
    return found


def requirements(*extras: str) -> list[Requirement]:
    """Return the project's requirements from pyproject.toml (with the extras' on top)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(r) for r in listed]


def unmet(lock: str, wanted: list[Requirement]) -> list[str]:
    """Return what the lock misses or pins out of range, in words."""
    pinned = pins(lock)
    problems = []
    for requirement in wanted:
        pin = pinned.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement.name} is not pinned in {lock}")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{lock} pins {requirement.name}=={pin[0]}, outside {requirement}")
    return problems


def test_the_runtime_lock_pins_every_requirement_in_range():
    assert unmet("requirements.lock", requirements()) == []


def test_the_test_lock_pins_every_requirement_test_tool_and_sweep_library_in_range():
    assert unmet("requirements-test.lock", requirements("test", "sweeps")) == []


def test_the_runtime_lock_and_so_the_image_leave_the_sweep_only_libraries_out():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    sweep_only = [Requirement(r).name for r in project["optional-dependencies"]["sweeps"]]

    assert sweep_only and not set(map(canonicalize_name, sweep_only)) & set(pins("requirements.lock"))


def test_both_locks_pin_the_same_versions_and_every_pin_has_hashes():
    runtime, with_tests = pins("requirements.lock"), pins("requirements-test.lock")
    assert all(has_hash for _, has_hash in runtime.values()) and all(h for _, h in with_tests.values())
    assert {name: version for name, (version, _) in runtime.items()} == \
        {name: with_tests[name][0] for name in runtime if name in with_tests}
    assert set(runtime) <= set(with_tests)


def test_a_lock_out_of_range_is_reported():
    assert unmet("requirements.lock", [Requirement("pandas>=99")]) == \
        [f"requirements.lock pins pandas=={pins('requirements.lock')['pandas'][0]}, outside pandas>=99"]
    assert unmet("requirements.lock", [Requirement("no-such-package")]) == \
        ["no-such-package is not pinned in requirements.lock"]
