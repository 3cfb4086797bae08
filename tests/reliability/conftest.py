"""pytest's wiring for tests/reliability: the session fixture, the per-test tally and the
summary line of reliability_support (the helpers the test modules import under that name),
and the xdist scheduler of dbt_sandbox, so the groups hold when this folder runs alone."""

from dbt_sandbox import pytest_xdist_make_scheduler  # noqa: F401 (the hook pytest finds here)
from reliability_support import (  # noqa: F401 (fixtures and hooks pytest finds here)
    _current_item,
    built,
    pytest_runtest_logreport,
    pytest_terminal_summary,
)
