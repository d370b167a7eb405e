"""No import points back up the flow (parsed with ast, every import in every module, lazy ones too).

The flow: the shared top-level modules (config, issues, fileio, safe_text) → plan (the plan's
reference data, which the cleaning needs to recognise indicators and places) → returns → analysis
→ report → cli. A module may import modules of its own rank or lower, never higher. Inside a wing
the order is finer where it matters: gaps → explore → analysis (the Analysis); the charts →
annex / captions / views → the page → the briefing and the notebook runner on top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jrc_analysis"
SHARED = ("config", "issues", "fileio", "safe_text", "workers", "formatting")
WING_RANK = {"plan": 1.0, "returns": 2.0, "analysis": 3.1, "report": 4.1}
MODULE_RANK = {
    "jrc_analysis.units": 1.5,  # display units from the plan's targets: after plan, before the analysis
    "jrc_analysis.analysis.gaps": 3.0,
    "jrc_analysis.analysis.flags": 3.0,
    "jrc_analysis.analysis.verdict": 3.0,
    "jrc_analysis.analysis.explore": 3.1,
    "jrc_analysis.analysis.analysis": 3.2,
    "jrc_analysis.analysis": 3.3,  # the wing's __init__ re-exports the Analysis
    "jrc_analysis.report.charts": 4.0,
    "jrc_analysis.report": 4.0,
    "jrc_analysis.report.report_html": 4.2,
    "jrc_analysis.report.word_draft": 4.3,
    "jrc_analysis.report.briefing": 4.5,
    "jrc_analysis.report.notebooks": 4.5,
    "jrc_analysis.cli": 9.0,
    "jrc_analysis.__main__": 9.0,
    "jrc_analysis": 9.0,  # the package's lazy re-exports
}
ALLOWED: set[tuple[str, str]] = set()  # no import up the flow is allowed


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> float:
    """The module's place in the flow."""
    parts = module.split(".")
    if module == "jrc_analysis":
        return MODULE_RANK[module]
    for prefix in (".".join(parts[:i]) for i in range(len(parts), 1, -1)):
        if prefix in MODULE_RANK:
            return MODULE_RANK[prefix]
    if len(parts) >= 2 and parts[1] in SHARED:
        return 0.0
    if len(parts) >= 2 and parts[1] in WING_RANK:
        return WING_RANK[parts[1]]
    raise AssertionError(f"{module}: no place in the flow — add it to test_flow.py")


def imports(path: Path) -> set[str]:
    """Every jrc_analysis module ``path`` imports (``from a import b`` → ``a.b`` when b is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                as_path = PACKAGE.parent / Path(*sub.split("."))
                is_module = as_path.with_suffix(".py").is_file() or (as_path / "__init__.py").is_file()
                found.add(sub if is_module else node.module)
    return {name for name in found if name == "jrc_analysis" or name.startswith("jrc_analysis.")}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_no_import_points_back_up_the_flow(path):
    here = module_name(path)
    wrong = sorted(target for target in imports(path)
                   if rank(target) > rank(here) and (here, target) not in ALLOWED)
    assert wrong == [], f"{here} (rank {rank(here)}) imports later stages: {wrong}"


def test_the_flow_is_the_documented_one():
    assert rank("jrc_analysis.config") < rank("jrc_analysis.plan.catalog") \
        < rank("jrc_analysis.returns.clean") < rank("jrc_analysis.analysis.gaps") \
        < rank("jrc_analysis.report.charts.figures") < rank("jrc_analysis.report.briefing") \
        < rank("jrc_analysis.cli")


def test_the_named_back_imports_are_gone():
    assert "jrc_analysis.cli" not in imports(PACKAGE / "returns" / "template.py")
    assert "jrc_analysis.report.briefing" not in imports(PACKAGE / "report" / "report_html.py")
    assert not any(t.startswith("jrc_analysis.returns") for t in imports(PACKAGE / "report" / "annex.py"))
    assert not any(t.startswith("jrc_analysis.report") for t in imports(PACKAGE / "analysis" / "explore.py"))
