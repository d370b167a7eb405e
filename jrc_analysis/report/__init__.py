"""The report wing: gap tables → charts, the annex workbook, the page and the briefing."""
