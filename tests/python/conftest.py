"""pytest's wiring for tests/python: the session fixture and hooks of dbt_sandbox.

The helpers live in ``dbt_sandbox`` (imported by the test modules under that name): a
module named ``conftest`` exists in every test folder, so importing helpers ``from
conftest`` would take whichever folder's conftest was loaded first.
"""

from dbt_sandbox import (  # noqa: F401 (fixtures and hooks pytest finds here)
    built_sample,
    pytest_report_header,
    pytest_xdist_make_scheduler,
)
