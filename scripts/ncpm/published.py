"""The marts tables a publication publishes, by name: shared by the publication
(ncpm.publish), its expectation suites (ncpm.gx) and the serving database (ncpm.serve).

The measure facts are not listed here: they come from the metric catalogue
(dim_metric.fact_model), never a list.
"""

from __future__ import annotations

SCORECARD = "rpt_measures_scorecard"
REVISIONS = "rpt_revisions"
# The marts BI reads beside the facts and the scorecard: the conformed dimensions (names of
# areas, metrics and periods) and the stacked measures with names. The board dashboard
# (exposure board_dashboard) reads them. rpt_revisions, the revision history as of the
# publication, is built once the publication's revision log is written
# (ncpm.publish.record).
REFERENCE_TABLES = ("dim_area", "dim_metric", "dim_period", "rpt_all_measures")

__all__ = ["REFERENCE_TABLES", "REVISIONS", "SCORECARD"]
