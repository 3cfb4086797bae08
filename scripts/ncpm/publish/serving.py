"""Step 8: the publication loaded into the PostgreSQL serving database BI tools connect to.

Runs after the files, the revision record and the BI copy, so a serving database that is
down never costs a publication: the step then says so and how to load it later (exit 1,
everything else published). On a machine with no serving database configured (no
``NCPM_PG_*`` passwords and no credentials file from `ncpm serve up`) it is skipped, saying
so.
"""

from __future__ import annotations

from pathlib import Path

from ncpm.publish.common import PublishError
from ncpm.settings import Settings


def serve(config: Settings, folder: Path, publication: dict) -> str:
    """Load ``folder`` into the serving database; the step's outcome in words."""
    from ncpm.serve import cluster, load_publication

    try:
        connection = cluster.connection(config)
    except cluster.ServeError:
        return "no serving database configured (ncpm serve up starts one): skipped"
    try:
        result = load_publication(folder, publication["publication_id"], connection=connection)
    except cluster.ServeError as error:
        reason = str(error).rstrip(".")
        raise PublishError(
            f"publication {publication['period']} is published (files, revision record and "
            f"BI copy), but the serving database was not refreshed: {reason}. Fix it, then run "
            f"make serve-load PERIOD={publication['period']}."
        ) from error
    return result.summary()
