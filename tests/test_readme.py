"""The README shows the status rule table exactly as the CSV the code reads."""
import pandas as pd

from jrc_analysis.config import PROJECT_ROOT, REFERENCE_DIR


def test_readme_status_table_matches_status_rules_csv():
    rules = pd.read_csv(REFERENCE_DIR / "status_rules.csv", dtype=str, keep_default_na=False)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| ") and line.count("|") == 8]
    table = [[c.strip() for c in line.strip("|").split("|")] for line in rows]
    header, body = table[0], table[1:]
    assert header == list(rules.columns)
    assert body == rules.values.tolist()


def test_readme_shows_the_two_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make briefing" in readme and "make test" in readme
