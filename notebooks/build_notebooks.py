"""Write the analysts' notebooks from their cell text and execute them in place.

    .venv/bin/python notebooks/build_notebooks.py            # write and execute all
    .venv/bin/python notebooks/build_notebooks.py 05 07      # only the notebooks starting 05, 07
    .venv/bin/python notebooks/build_notebooks.py --no-run   # write only

This script holds cell text only — no analysis: every number, table and chart comes from
``jrc_analysis`` when the notebook runs. It keeps the eleven notebooks alike (the same first cells,
the same ``parameters`` cell, the same way of showing tables and charts). Run it after a change in
the library that changes what the notebooks show, then commit the executed notebooks: nbval
(``make test``) compares their stored outputs with a fresh run.

Notebook file names are ASCII (``05-first-aid.ipynb``), the titles inside are Chinese: ASCII names
survive every zip tool, shell and CI log; the action-area part is the catalogue's area code.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from jrc_analysis.report.notebooks import normalise, notebook_text

HERE = Path(__file__).resolve().parent
# The committed notebooks are executed on the tests' fixed data set, never on the analyst's data/raw:
# nbval compares them with a run on the same set (notebooks/conftest.py), so a new return in data/raw
# leaves `make test` green. The analyst's own executed copies: `make reports`.
FIXED_DATA = HERE.parent / "tests" / "data"
TIMEOUT = 600

PARAMETERS = """\
# 参数（papermill 约定：本单元格标记为 parameters）
YEAR = None  # 通报年度，如 2024；None 表示有报表的最近一年"""

SETUP = """\
from jrc_analysis.analysis import analyse, explore
from jrc_analysis.report import views

a = analyse(YEAR)  # 先检查通报年度；原始报表有变化时才重新读取，否则直接用上次的结果
year = a.year
print(f"通报年度：{year}年；有数据的年度：{'、'.join(str(y) for y in a.years)}年")"""

CHART_NOTE = """\
**怎样读这些图**

- **趋势图**：柱子是全省合计，按年度排列；柱色表示状态（达标 / 未达标 / 无目标 / 未报送），
  黑色横线是当年目标（虚线表示“某年底前完成”类目标到期前的进展参考，不判达标），
  柱内写完成率，年份下方写目标和报送情况（如“11/12 报送”表示有一个单位未报送，合计不含它，未报送不按 0 计）。
- **分市图**：各报送单位完成其分解目标的比例，从高到低排列；竖线是 100%。
  分解目标默认按 2020 年人口普查常住人口比例分配，是假设而非官方任务分解（图下注明）。
  全省目标很小的指标（如每年 2 个备灾仓库）分到各市不足 1 个，无法据此衡量，不画分市图。
- **覆盖图**（“每个设区市 / 县都要有”一类目标）：各年度达到要求的单位占比，竖线是 100%，
  未达到的单位逐个列在图下（未报送的单位按未达到计）。

每个指标上方的一句话由程序根据表格生成，数字变了，句子也随之改变。"""

# (file stem, title, area code or None)
NOTEBOOKS = [
    ("00-data-quality", "数据质量：报表读取与问题清单", None),
    ("01-overview", "总览：三年行动方案目标完成情况", None),
    ("02-reform", "深化改革攻坚", "reform"),
    ("03-grassroots", "强基固本提升", "grassroots"),
    ("04-rescue", "应急救援壮骨", "rescue"),
    ("05-first-aid", "应急救护提质", "first_aid"),
    ("06-care", "救助服务关爱", "care"),
    ("07-fundraising", "筹资动员优化", "fundraising"),
    ("08-culture", "文化传播增效", "culture"),
    ("09-digital", "“数字红十字会”赋能", "digital"),
    ("10-slicing", "数据切片：用 pandas 按单位、县区、指标、年度取数", None),
]


def md(text: str):
    return new_markdown_cell(text)


def code(text: str, tags: list[str] | None = None):
    cell = new_code_cell(text)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def opening(title: str, intro: str) -> list:
    return [md(f"# {title}\n\n{intro}"), code(PARAMETERS, ["parameters"]), code(SETUP)]


# ---------------------------------------------------------------------------------- 00, 01, 10

def data_quality() -> list:
    return opening(
        "数据质量：报表读取与问题清单",
        "读取 `data/raw/<年度>/` 下各单位报送的年度报表，检查发现的问题按单位列出，"
        "便于退回修改。原始报表从不被改写；整洁数据和问题清单写在 `data/processed/`。",
    ) + [
        md("## 读取情况"),
        code("print(explore.overview_text(a))"),
        md("## 谁报送了哪一年\n\n“空白 N 项”是汇总表中没有填写的指标数。未报送的单位在所有表格和图中都显示为“未报送”，不按 0 计算。"),
        code("views.table(explore.returns_matrix(a.completeness_by_year))"),
        md("## 已报送但有空白的指标（通报年度）\n\n空白不按 0 计算；请相关单位补报。"),
        code("views.table(explore.blank_indicators(a.completeness, year))"),
        md("## 报送率不足 100% 的指标（通报年度）\n\n没有列出任何指标，表示所有单位都填报了全部指标。"),
        code("views.table(explore.rates_below(a.reporting_rates, year))"),
        md("## 各单位的问题数量\n\n**错误**：该单元格（或文件）不能采用，必须改正；**警告**：数值已采用，但需要核实。"),
        code("views.table(explore.labelled(explore.issues_by_unit(a.issues, a.returns)))"),
        md("## 问题类型"),
        code("views.table(explore.labelled(explore.issue_codes(a.issues), code='问题代码', count='条数'))"),
        md("## 需要退回修改的问题（通报年度）\n\n逐条列出文件、工作表和单元格，说明发现了什么、应当是什么。"
           "`jrc check data/raw --feedback <文件夹>` 可以为每个单位生成一份反馈工作簿。"),
        code("views.table(explore.labelled(explore.send_back(a.issues, a.returns, year=year)))"),
        md("## 跳过的文件\n\n不是报表的文件（如 Excel 打开时生成的 `~$` 锁定文件、说明文件）不读取。"),
        code("views.table(explore.labelled(a.skipped, reason='原因'))"),
    ]


def overview() -> list:
    return opening(
        "总览：三年行动方案目标完成情况",
        "《江西省红十字会深化改革创新三年行动方案（2022—2024年）》有量化目标的指标，"
        "按行动汇总完成情况，并列出重点指标。",
    ) + [
        md("## 各行动的指标状态（通报年度）\n\n每个指标一年一个状态：达标、未达标、未报送（没有单位报送，不按 0 计）、"
           "无目标（方案未定当年目标，或“某年底前完成”的目标尚未到期）。"),
        code("views.table(explore.status_counts(a.province, year))"),
        md("## 重点指标\n\n当年完成数与目标，以及方案实施以来的累计完成数与各年目标之和。"),
        code("views.table(explore.headline_numbers(a.province, year))"),
        md("## 一页看全方案；重点指标累计进度\n\n总览图每行一个有目标的指标，每列一个年度；格内是完成率，颜色表示状态。"
           "累计图中条的长度是累计完成数占各年目标之和的比例，按年度分段；竖线是 100%。"
           "这两张图与通报（`jrc briefing`）中的完全相同。"),
        code("views.show_charts(a, a.area_charts('overview'))"),
    ]


def slicing() -> list:
    return opening(
        "数据切片：用 pandas 按单位、县区、指标、年度取数",
        "`a.values` 是整洁数据：每个数一行，列为 `year, prefecture, county, indicator, value, unit, "
        "source_file, sheet, cell, raw`。`county` 为空表示汇总表中的单位合计，`市本级` 是设区市本级，"
        "其余是县（市、区）。`value` 已换算为目录的基本单位（元、人、是=1/否=0）。"
        "下面的写法都是普通的 pandas，可以复制后改条件。",
    ) + [
        md("## 指标目录\n\n指标代码是固定的，取数时用代码而不是名称。"),
        code("from jrc_analysis.plan import catalog\n\n"
             "print(catalog.indicators()[['code', 'name', 'unit', 'measure']].to_string(index=False))"),
        md("## 一个单位、一个年度的汇总表"),
        code("v = a.values\n"
             "ganzhou = v[(v['prefecture'] == '赣州市') & (v['year'] == year) & (v['county'] == '')]\n"
             "print(ganzhou[['indicator', 'value', 'unit']].head(10).to_string(index=False))"),
        md("## 一个指标：各单位 × 年度\n\n只取单位合计（`county == ''`），再用 `pivot_table` 排成表。"
           "没有报送的格子是 NaN（未报送），不是 0。`float_format` 只管显示：千分位、不带小数。"),
        code("members = v[(v['indicator'] == 'grassroots.new_members') & (v['county'] == '')]\n"
             "table = members.pivot_table(index='prefecture', columns='year', values='value', aggfunc='sum')\n"
             "table = table.reindex(catalog.reporting_units())  # 按方案中的单位顺序，而不是按字排序\n"
             "print(table.to_string(float_format=lambda x: f'{x:,.0f}'))"),
        md("## 一个设区市的各县（市、区）"),
        code("teams = v[(v['prefecture'] == '萍乡市') & (v['indicator'] == 'grassroots.volunteer_teams')\n"
             "          & (v['county'] != '') & (v['year'] == year)]\n"
             "print(teams[['county', 'value']].to_string(index=False))"),
        md("## 全省合计\n\n全省合计是 12 个报送单位合计之和（不把县区行再加一遍）。"),
        code("totals = v[v['county'] == ''].groupby(['indicator', 'year'])['value'].sum().unstack('year')\n"
             "print(totals.loc[['first_aid.popular_trainees', 'first_aid.certified_trainees', 'fundraising.total']]\n"
             "      .to_string(float_format=lambda x: f'{x:,.0f}'))"),
        md("## 每个数都能追溯到原表的单元格\n\n`source_file`（相对 `data/raw`）、`sheet`、`cell` 指向原始单元格，`raw` 是单元格里原来的文字。"),
        code("print(v[(v['indicator'] == 'fundraising.total') & (v['county'] == '') & (v['year'] == year)]\n"
             "      [['prefecture', 'value', 'source_file', 'sheet', 'cell', 'raw']].head(5).to_string(index=False))"),
        md("## 差距表也是普通的 DataFrame\n\n`a.province`（全省）和 `a.prefectures`（各单位）的列名见 "
           "`jrc_analysis.analysis.gaps` 的说明；例如当年未达标的指标："),
        code("p = a.province\n"
             "print(p[(p['year'] == year) & (p['status'] == '未达标')][['name', 'actual', 'target', 'completion']]"
             ".round(3).to_string(index=False))"),
        md("需要导出给 Excel 时，用 `表.to_excel('文件名.xlsx', index=False)` 或 "
           "`表.to_csv('文件名.csv', index=False, encoding='utf-8-sig')`（带 BOM，Excel 打开不乱码）。"),
    ]


# ---------------------------------------------------------------------------------- areas

def indicator_cells(code_name: str, name: str) -> list:
    return [
        md(f"### {name}"),
        code(f"print(a.reading({code_name!r}))\n"
             f"views.show_charts(a, a.charts_for({code_name!r}))"),
    ]


def first_aid_depth() -> list:
    return [
        md("## 重点：应急救护持证培训（每年不少于 10 万人）\n\n"
           "### 各单位完成分解目标情况"),
        code("views.table(explore.prefecture_table(a.prefectures, 'first_aid.certified_trainees', year))"),
        md("### 每万常住人口持证培训人数\n\n按 2020 年人口普查常住人口计算；全省一行含省本级培训的人数。"),
        code("per_10k = explore.per_population(a.prefectures, 'first_aid.certified_trainees', year)\n"
             "views.table(explore.labelled(per_10k.round(2), actual='持证培训（人）'))"),
        md("### 持证培训与普及培训之比\n\n每普及培训 1 人次，有多少人取得救护员证；比值高说明普及培训更多转化为持证培训。"),
        code("ratio = explore.compare_indicators(a.prefectures, 'first_aid.certified_trainees', "
             "'first_aid.popular_trainees', year)\n"
             "views.table(explore.labelled(ratio.round(3), numerator='持证培训（人）', "
             "denominator='普及培训（人次）', ratio='持证÷普及'))"),
    ]


def fundraising_depth() -> list:
    return [
        md("## 重点：筹集款物（每年不少于 2 亿元）\n\n"
           "### 款物结构：资金与物资折价、网络众筹\n\n方案要求“款物比例不断优化”，即资金占比逐年上升。"),
        code("views.table(explore.mix_table(a.fundraising_mix, prefecture='全省'))"),
        md("### 各单位的款物结构（通报年度）"),
        code("views.table(explore.mix_table(a.fundraising_mix, year=year))"),
        md("### 各单位完成分解目标情况"),
        code("views.table(explore.prefecture_table(a.prefectures, 'fundraising.total', year))"),
    ]


DEPTH = {"first_aid": first_aid_depth, "fundraising": fundraising_depth}


def area_notebook(title: str, area: str) -> list:
    from jrc_analysis.plan import catalog  # names for the headings only

    cells = opening(
        f"{title}",
        f"三年行动方案“{title}”行动的各项指标：全省完成情况与目标的比较、逐年趋势，"
        "以及有分解目标的指标的分市完成情况。",
    ) + [
        md("## 方案原文"),
        code(f"for sentence in explore.plan_sentences({area!r}):\n    print('·', sentence)"),
        md("## 全省完成情况\n\n本行动全部指标（含只跟踪、不设目标的指标），各年度一行。"),
        code(f"views.table(explore.gap_table(a.province, explore.area_indicators(a.province, {area!r})))"),
        md("## 逐项指标\n\n" + CHART_NOTE),
    ]
    targeted = catalog.targets()
    targeted = set(targeted.loc[targeted["area"].astype(str) == area, "indicator"])
    rows = catalog.indicators()
    rows = rows[(rows["area"].astype(str) == area) & rows["code"].isin(targeted)]
    for row in rows.itertuples(index=False):
        cells += indicator_cells(row.code, row.name)
    if catalog.targets().query("kind == 'milestone'")["area"].astype(str).eq(area).any():
        cells += [md("### 建设里程碑（是/否）\n\n每项一行、每年一列：✓ 已完成，✗ 未完成。"),
                  code(f"views.show_charts(a, a.area_summaries({area!r}))")]
    if area in DEPTH:
        cells += DEPTH[area]()
    return cells


# ---------------------------------------------------------------------------------- writing

def cells_for(stem: str, title: str, area: str | None) -> list:
    if area is not None:
        return area_notebook(title, area)
    return {"00-data-quality": data_quality, "01-overview": overview,
            "10-slicing": slicing}[stem]()


def notebook(cells: list):
    nb = normalise(new_notebook(cells=cells))  # kernel python3, no per-machine metadata
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: no random churn in diffs
    return nb


def execute(nb, path: Path):
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return normalise(nb)  # no interpreter version or timings in the file


def main(argv: list[str]) -> int:
    run = "--no-run" not in argv
    os.environ["JRC_DATA_ROOT"] = str(FIXED_DATA)  # inherited by the kernels
    wanted = [a for a in argv if not a.startswith("--")]
    for stem, title, area in NOTEBOOKS:
        if wanted and not any(stem.startswith(w) for w in wanted):
            continue
        path = HERE / f"{stem}.ipynb"
        nb = notebook(cells_for(stem, title, area))
        if run:
            nb = execute(nb, path)
        nbformat.validate(nb)
        path.write_text(notebook_text(nb), encoding="utf-8")
        print(f"{'已执行并写出' if run else '已写出'}：{path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
