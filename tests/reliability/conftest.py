"""pytest's wiring for tests/reliability: the session fixture, the per-test tally and the
summary line of reliability_support (the helpers the test modules import under that name)."""

from reliability_support import (  # noqa: F401 (fixtures and hooks pytest finds here)
    _current_item,
    built,
    pytest_runtest_logreport,
    pytest_terminal_summary,
)
