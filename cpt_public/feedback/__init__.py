"""Lived-experience feedback: redaction, validation, storage."""
