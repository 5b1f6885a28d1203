"""The publish step: the only code that reads record-level data (DuckDB). Nothing in the app imports it."""
