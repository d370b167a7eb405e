"""Files → outputs: junk, bad files, resubmissions, escaping, the check command's feedback."""
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import summary_rows, write_xlsx
from jrc_analysis.returns.ingest import (FEEDBACK_COLUMNS, escape_formula, load_returns, read_return, run_check,
                                 run_ingest, split_advice, write_outputs)


def nanchang(path: Path, new_orgs, unit="南昌市", filled="2023-12-20", note=None) -> Path:
    rows = summary_rows([[1, "grassroots.new_orgs", "新增基层组织", "个", None, new_orgs, note]],
                        title=f"2023年度{unit}红十字会目标任务完成情况表", unit=f"{unit}红十字会")
    rows[1][5] = filled
    return write_xlsx(path, {"汇总表": rows})


def test_read_return_names_the_file_relative_to_the_raw_folder(tmp_path):
    path = nanchang(tmp_path / "raw" / "2023" / "南昌.xlsx", 310)
    result = read_return(path, raw_root=tmp_path / "raw")
    assert result.values["source_file"].tolist() == ["2023/南昌.xlsx"]
    assert result.info.prefecture == "南昌市" and result.accounting.balanced


def test_junk_is_skipped_and_a_bad_file_never_stops_the_others(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", 310)
    (raw / "2023" / "~$南昌.xlsx").write_bytes(b"\x00lock")
    (raw / "2023" / "说明.txt").write_text("readme", encoding="utf-8")
    (raw / "2023" / "九江.xlsx").write_bytes(b"PK\x03\x04 truncated zip")
    result = load_returns(raw)
    assert sorted(result.skipped["source_file"]) == ["2023/~$南昌.xlsx", "2023/说明.txt"]
    assert result.values["value"].tolist() == [310.0]
    bad = [i for i in result.issues if i.source_file == "2023/九江.xlsx"]
    assert bad and all(i.severity == "error" for i in bad)
    assert result.errors >= 1
    assert result.accounting["balanced"].all()


def test_resubmission_marked_revised_wins_and_is_never_summed(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", 300, filled="2023-12-28")
    nanchang(raw / "2023" / "南昌（修订）.xlsx", 310, filled="2023-12-20")
    result = load_returns(raw)
    assert result.values["value"].tolist() == [310.0]
    assert result.values["source_file"].tolist() == ["2023/南昌（修订）.xlsx"]
    notes = [i for i in result.issues if i.code == "ingest.resubmission"]
    assert len(notes) == 1 and "2023/南昌.xlsx" in notes[0].message and "2023/南昌（修订）.xlsx" in notes[0].message
    used = dict(zip(result.returns["source_file"], result.returns["used"]))
    assert used == {"2023/南昌.xlsx": False, "2023/南昌（修订）.xlsx": True}


def test_resubmission_without_marker_the_later_fill_date_wins(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "a.xlsx", 300, filled="2024-01-05")
    nanchang(raw / "2023" / "b.xlsx", 310, filled="2023-12-20")
    result = load_returns(raw)
    assert result.values["value"].tolist() == [300.0]
    assert [i.code for i in result.issues].count("ingest.resubmission") == 1


def test_outputs_are_escaped_utf8_bom_and_parquet_round_trips(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", "=1+2")          # an uncached formula: an error
    nanchang(raw / "2023" / "九江.xlsx", "-5", unit="九江市")
    result = load_returns(raw)
    out = tmp_path / "out"
    write_outputs(result, out)
    data = (out / "returns.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(out / "returns.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv.columns.tolist() == ["year", "prefecture", "county", "indicator", "value", "unit",
                                    "source_file", "sheet", "cell", "raw"]
    assert csv["raw"].tolist() == ["'-5"] and csv["value"].tolist() == ["-5.0"]
    issues = pd.read_csv(out / "issues.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert issues.columns.tolist() == ["severity", "code", "source_file", "sheet", "cell", "message"]
    assert {"clean.formula_uncached", "validate.negative"} <= set(issues["code"])
    back = pd.read_parquet(out / "returns.parquet")
    pd.testing.assert_frame_equal(back, result.values.reset_index(drop=True), check_dtype=False)


def test_escape_formula():
    assert escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert escape_formula("+1") == "'+1" and escape_formula("@SUM") == "'@SUM"
    assert escape_formula("南昌") == "南昌" and escape_formula(5.0) == 5.0


def test_run_check_writes_nothing_and_returns_1_on_errors(tmp_path, capsys):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", "很多")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert run_check(raw) == 1
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert before == after
    out = capsys.readouterr().out
    assert "错误 1 条" in out and "南昌市" in out


def test_run_check_feedback_workbook_per_unit(tmp_path, capsys):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", "很多")
    nanchang(raw / "2023" / "九江.xlsx", 7, unit="九江市")
    assert run_check(raw, feedback_dir=tmp_path / "feedback") == 1
    written = sorted(p.name for p in (tmp_path / "feedback").iterdir())
    assert written == ["九江市_问题反馈.xlsx", "南昌市_问题反馈.xlsx"]
    ws = openpyxl.load_workbook(tmp_path / "feedback" / "南昌市_问题反馈.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == FEEDBACK_COLUMNS
    invalid = [r for r in rows[1:] if r[2] == "F6"]
    assert invalid and invalid[0][0] == "2023/南昌.xlsx" and "很多" in invalid[0][3]
    assert invalid[0][4].startswith("请")


def test_run_ingest_returns_0_without_errors(tmp_path, capsys):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", 310)
    assert run_ingest(raw, tmp_path / "out") == 0
    assert (tmp_path / "out" / "returns.parquet").exists()
    assert "错误 0 条" in capsys.readouterr().out


def test_split_advice():
    assert split_advice("A1 为空。请填写数字。") == ("A1 为空。", "请填写数字。")
    assert split_advice("没有建议")[0] == "没有建议"


def test_odd_file_names_never_become_formulas(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "=HYPERLINK(1).xlsx", "很多")
    result = load_returns(raw)
    assert {i.source_file for i in result.issues} == {"=HYPERLINK(1).xlsx"}
    write_outputs(result, tmp_path / "out")
    issues = pd.read_csv(tmp_path / "out" / "issues.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(issues["source_file"]) == {"'=HYPERLINK(1).xlsx"}
    run_check(raw, feedback_dir=tmp_path / "fb")
    ws = openpyxl.load_workbook(tmp_path / "fb" / "南昌市_问题反馈.xlsx").active
    assert ws["A2"].value == "'=HYPERLINK(1).xlsx"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_of_three_resubmissions_only_the_highest_revision_counts_and_losers_issues_are_dropped(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "a_v3.xlsx", 330, filled="2023-12-01")
    nanchang(raw / "2023" / "b.xlsx", 300, filled="2024-01-05", note=None)
    nanchang(raw / "2023" / "c_v2.xlsx", "abc", filled="2023-12-20")  # an invalid value: an error
    result = load_returns(raw)
    assert result.values["value"].tolist() == [330.0]
    assert result.values["source_file"].tolist() == ["2023/a_v3.xlsx"]
    assert [i.code for i in result.issues].count("ingest.resubmission") == 2
    assert not [i for i in result.issues if i.source_file == "2023/c_v2.xlsx" and i.code == "clean.invalid_value"]
    assert dict(zip(result.returns["source_file"], result.returns["superseded_by"])) == {
        "2023/a_v3.xlsx": "", "2023/b.xlsx": "2023/a_v3.xlsx", "2023/c_v2.xlsx": "2023/a_v3.xlsx"}
    assert result.accounting["values"].tolist() == [1, 1, 0]


def test_escape_text_columns_escapes_only_formula_text_and_keeps_dtypes():
    from jrc_analysis.returns.ingest import escape_text_columns
    frame = pd.DataFrame({"raw": pd.Series(["=1+1", "南昌", None, "-5", "@A1", "a=b"], dtype=str),
                          "value": [1.0, 2.0, 3.0, -4.0, 5.0, 6.0]})
    out = escape_text_columns(frame)
    assert out["raw"].tolist()[:2] == ["'=1+1", "南昌"] and pd.isna(out["raw"][2])
    assert out["raw"].tolist()[3:] == ["'-5", "'@A1", "a=b"]
    assert out["value"].tolist() == [1.0, 2.0, 3.0, -4.0, 5.0, 6.0]
    assert out["raw"].dtype == frame["raw"].dtype and frame["raw"][0] == "=1+1"  # input untouched


def test_worker_processes_give_the_same_result_as_one_process(tmp_path):
    from jrc_analysis.returns.ingest import output_bytes
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "a.xlsx", 300, filled="2024-01-05")
    nanchang(raw / "2023" / "b_v2.xlsx", 310)
    nanchang(raw / "2023" / "c.xlsx", 320, unit="九江市")
    (raw / "2023" / "d.xlsx").write_bytes(b"PK\x03\x04 truncated zip")
    one, two = load_returns(raw), load_returns(raw, jobs=2)
    assert output_bytes(one) == output_bytes(two)
    assert one.returns.equals(two.returns) and one.accounting.equals(two.accounting)
    assert sorted(two.values["value"].tolist()) == [310.0, 320.0]


def test_workers_are_forked_with_the_catalogue_loaded(tmp_path):
    """The parent loads the catalogue's sort ranks and fields before starting the workers (they
    inherit them), though it reads no file itself."""
    from jrc_analysis.returns import tidy
    from jrc_analysis.returns.ingest import read_returns
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "a.xlsx", 300)
    nanchang(raw / "2023" / "b.xlsx", 310, unit="九江市")
    tidy.sort_ranks.cache_clear()
    tidy.catalogue_fields.cache_clear()
    results = list(read_returns(sorted(raw.rglob("*.xlsx")), raw, jobs=2))
    assert [r.info.source_file for r in results] == ["2023/a.xlsx", "2023/b.xlsx"]
    assert tidy.sort_ranks.cache_info().currsize == 1
    assert tidy.catalogue_fields.cache_info().currsize == 1


def test_default_jobs_uses_every_cpu_only_for_many_files(monkeypatch):
    from jrc_analysis.returns.ingest import POOL_MIN_FILES, POOL_MIN_FILES_SPAWNED, default_jobs
    monkeypatch.delenv("JRC_JOBS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    monkeypatch.setattr("multiprocessing.get_start_method", lambda: "fork")
    assert default_jobs(POOL_MIN_FILES - 1) == 1 and default_jobs(POOL_MIN_FILES) == 8
    monkeypatch.setattr("multiprocessing.get_start_method", lambda: "spawn")
    assert default_jobs(POOL_MIN_FILES) == 1 and default_jobs(POOL_MIN_FILES_SPAWNED) == 8
    monkeypatch.setenv("JRC_JOBS", "3")
    assert default_jobs(5) == 3
    monkeypatch.setenv("JRC_JOBS", "lots")
    assert default_jobs(5) == 1


def test_cli_help_states_the_default_jobs_threshold(capsys):
    from jrc_analysis.cli import main
    from jrc_analysis.returns.ingest import POOL_MIN_FILES, POOL_MIN_FILES_SPAWNED
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    text = "".join(capsys.readouterr().out.split())
    assert f"Linux{POOL_MIN_FILES}个起" in text and f"Windows/macOS{POOL_MIN_FILES_SPAWNED}个起" in text


# --------------------------------------------------------------------------------------------
# a return that cannot be read is blamed on the unit and year of its folder and file name
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source_file, expected", [
    ("2024/2024年度_赣州市_目标任务完成情况表.xlsx", ("赣州市", 2024)),
    ("2024/赣州市红十字会报表.xlsx", ("赣州市", 2024)),       # the year from the folder
    ("2023/抚州市2024年报表.xlsx", ("抚州市", 2024)),          # the file name before the folder
    ("赣州/2023/报表.xlsx", ("赣州市", 2023)),                 # both from the folders
    ("2024/省本级.xls", ("省本级", 2024)),
    ("2024/南昌县.xlsx", ("南昌市", 2024)),                    # a county counts for its prefecture
    ("报表.xlsx", (None, None)),
])
def test_unit_and_year_of_a_path(source_file, expected):
    from jrc_analysis.returns.ingest import unit_and_year_of_path
    assert unit_and_year_of_path(source_file) == expected


def truncated(path: Path) -> Path:
    """A return cut short (the first 200 bytes of a real xlsx: a zip without its directory)."""
    whole = nanchang(path.parent / "whole.tmp.xlsx", 310).read_bytes()
    (path.parent / "whole.tmp.xlsx").unlink()
    path.write_bytes(whole[:200])
    return path


def test_a_truncated_return_is_blamed_on_the_unit_and_year_of_its_path(tmp_path):
    from jrc_analysis.returns.ingest import summary_table
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", 310)
    truncated(raw / "2024" / "2024年度_赣州市_目标任务完成情况表.xlsx")
    result = load_returns(raw)
    row = result.returns.set_index("source_file").loc["2024/2024年度_赣州市_目标任务完成情况表.xlsx"]
    assert (row["prefecture"], row["year"], row["used"]) == ("赣州市", 2024, False)
    assert [i.code for i in result.issues if "赣州市" in i.source_file] == ["read.corrupt"]
    table = summary_table(result).set_index(["unit", "year"])
    assert table.loc[("赣州市", "2024"), ["files", "values", "errors"]].tolist() == [1, 0, 1]
    assert "未识别单位" not in set(table.index.get_level_values("unit"))


def test_the_feedback_for_a_truncated_return_goes_to_its_unit(tmp_path, capsys):
    raw = tmp_path / "raw"
    truncated(raw / "2024" / "赣州市红十字会2024年报表.xlsx")
    assert run_check(raw, feedback_dir=tmp_path / "feedback") == 1
    assert [p.name for p in (tmp_path / "feedback").iterdir()] == ["赣州市_问题反馈.xlsx"]
    sheet = openpyxl.load_workbook(tmp_path / "feedback" / "赣州市_问题反馈.xlsx").active
    assert sheet["A2"].value == "2024/赣州市红十字会2024年报表.xlsx"


def test_a_truncated_resubmission_never_replaces_the_good_return(tmp_path):
    raw = tmp_path / "raw"
    nanchang(raw / "2023" / "南昌.xlsx", 310)
    truncated(raw / "2023" / "南昌（修订）.xlsx")  # marked as a revision, but unreadable
    result = load_returns(raw)
    assert result.values["value"].tolist() == [310.0]
    assert result.returns.set_index("source_file")["used"].to_dict() == {
        "2023/南昌.xlsx": True, "2023/南昌（修订）.xlsx": False}
    assert "ingest.resubmission" not in {i.code for i in result.issues}
