"""The errors a landing raises (``ncpm land``), shared by every feed's landing code.

``exit_code`` says whether the input file (1) or the command's usage (2) was wrong.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class LandError(Exception):
    """A landing refused; ``exit_code`` says whether the input file or the usage was wrong."""

    exit_code = EXIT_BAD_INPUT


class BadInputError(LandError):
    """The input file cannot be landed (header, data, type, unreadable): exit 1."""

    exit_code = EXIT_BAD_INPUT


class UsageError(LandError):
    """The command was called wrongly (feed, path, sheet names): exit 2."""

    exit_code = EXIT_USAGE
