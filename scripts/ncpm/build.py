"""The warehouse build a data engineer runs (`make build`): dbt build, guarded and explained.

Before dbt starts, the warehouse file must be free: a file held by another process (a
publication, another build, a BI tool pointed at the build file) is refused at once,
naming the holder. After a failed build, the rules broken are explained with their
offending rows (ncpm.explain); a lock conflict that arose while dbt ran is named the same
way instead. Exit codes: 0 built, 1 the build failed (see the explanation), 2 the
warehouse file is locked.
"""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from collections.abc import Sequence

from ncpm import explain, settings, warehouse
from ncpm.street_level import copy_landing_log_for_spark


def run(dbt_args: Sequence[str] = ()) -> int:
    """Build the warehouse with ``dbt build [dbt_args]``; the exit code (above)."""
    config = settings.get()
    try:
        warehouse.check_not_locked(config.duckdb_path)
    except warehouse.WarehouseLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    config.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    # A failed build explains its own results, never those a previous run left behind.
    (config.target_dir / "run_results.json").unlink(missing_ok=True)
    if config.on_spark:  # Spark reads the landing files through tables made first
        copy_landing_log_for_spark(config.raw_dir)
        staged = subprocess.run(
            [config.dbt, "run-operation", "stage_raw_feeds"], cwd=config.root, env=config.dbt_env()
        )
        if staged.returncode != 0:
            return 1
    proc = subprocess.Popen(
        [config.dbt, "build", *dbt_args],
        cwd=config.root,
        env=config.dbt_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tail: deque[str] = deque(maxlen=500)
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        tail.append(line)
    if proc.wait() == 0:
        return 0
    locked = warehouse.locked_error("".join(tail))
    if locked is not None:
        print(f"error: {locked}", file=sys.stderr)
        return locked.exit_code
    explain.explain(config.target_dir / "run_results.json", 10)
    return 1
