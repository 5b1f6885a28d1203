"""Errors that the command line reports as one clear message, without a traceback."""


class CptError(Exception):
    """Base for every error a user can cause and fix (bad input, bad spec, refused release)."""


class InputError(CptError):
    """Record-level input does not match the documented input format."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = "the input does not match the input format:\n" + "\n".join(f"  - {p}" for p in shown)
        if more:
            text += f"\n  … and {more} more problems"
        super().__init__(text)


class SpecError(CptError):
    """The release spec is invalid."""


class ProtectionError(CptError):
    """Protection could not be applied or proven (failed audit, exhausted budget)."""


class ReleaseError(CptError):
    """A published release is missing, malformed, tampered with, or breaks an invariant."""

    def __init__(self, message: str, table: str | None = None):
        self.table = table
        super().__init__(f"table {table!r}: {message}" if table else message)
