"""The returns wing: workbook files → cells → tidy values and issues (read, clean, validate, ingest),
and the blank and sample returns."""
