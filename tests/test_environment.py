"""environment.yml (conda route) and pyproject.toml must list the same dependencies and bounds."""
import re
import tomllib

import pytest

from jrc_analysis.config import PROJECT_ROOT

REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(spec: str) -> tuple[str, str]:
    name, bound = REQ.match(spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = list(data["project"]["dependencies"])
    for extra in data["project"].get("optional-dependencies", {}).values():
        specs += extra
    return dict(_parse(s) for s in specs)


def _environment() -> dict[str, str]:
    specs, section = [], None
    for line in (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if re.match(r"^[a-z]", line):
            section = line.split(":")[0]
        m = re.match(r"^\s+- (?!pip:)(\S.*)$", line)
        if m and section == "dependencies":
            specs.append(m.group(1).strip())
    deps = dict(_parse(s) for s in specs)
    deps.pop("python", None)
    deps.pop("pip", None)
    return deps


def test_same_dependencies_in_environment_and_pyproject():
    assert _environment() == _pyproject()


@pytest.mark.parametrize("name,bound", sorted(_pyproject().items()))
def test_every_dependency_has_a_lower_bound(name, bound):
    assert bound.startswith(">="), f"{name} needs a lower bound"
