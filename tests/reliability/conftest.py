"""pytest's wiring for tests/reliability: the session fixture and the summary line of
reliability_support (the helpers the test modules import under that name)."""

from reliability_support import (  # noqa: F401 (a fixture and a hook pytest finds here)
    built,
    pytest_terminal_summary,
)
