"""The bulletin's local diagnostics section: police.uk street-level figures by force.

Written into bulletin.html (ncpm.publish.bulletin) from the publication's exported
``data/fct_local_crime.parquet`` and ``data/rpt_local_crime_reconciliation.parquet`` (the
manifest's ``local_diagnostics``), never from the warehouse. For every force present in the
data (at least one month landed), grouped by region: the force's rolling-year
neighbourhood crime proxy, its change from the YE Jun 2019 baseline, its rate per 1,000 and
share without a location, its ratio to M4.2; a table of its community safety partnerships
(rolling year, baseline, change, % change, rate per 1,000, data gap and incomplete flags
with their notes); and a chart of the same (matplotlib SVG embedded as a data URI, like the
bulletin's other charts: no network). Every part is marked a local diagnostic from
police.uk, not a National Measure, with the caveats (docs/local_diagnostics.md).

The figures are the mart's, at the latest quarter end the export holds (at most the
publication period): nothing is recomputed here. Each figure cell carries the mart value in
``data-value`` (Python's repr of the float, empty when null) beside the formatted text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ncpm.publish.bulletin import BASELINE, BLUE, GREY, esc, period_words, plt, svg_uri

CATEGORY = "neighbourhood_crime"
LABEL = "Local diagnostic from police.uk, not a National Measure"
CAVEATS = (
    "The neighbourhood crime proxy is police.uk burglary + robbery + vehicle crime + theft from "
    "the person. It is not the National Measure M4.2: police.uk burglary and robbery include "
    "business premises, vehicle crime includes vehicle interference, and locations are "
    "anonymised to a nearby map point, so a crime near a boundary can fall in the "
    "neighbouring partnership. A force counts every crime in its own files, located or not; "
    "partnerships count located crimes by where they happened, so a force's partnerships do "
    "not add up to the force. A month with no police.uk file is a data gap, never a zero: "
    "its rolling years are not published. Anti-social behaviour incidents are never counted "
    "as crimes."
)


def number(value, decimals: int = 0) -> str:
    """A figure for a table cell: thousands separated, ``n/a`` when null."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.{decimals}f}"


def signed(value, decimals: int = 0, suffix: str = "") -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:+,.{decimals}f}{suffix}"


def cell(value, text: str) -> str:
    """A numeric cell: the text shown, the mart's value in data-value."""
    raw = "" if value is None or pd.isna(value) else repr(float(value))
    return f"<td class='num' data-value='{raw}'>{esc(text)}</td>"


def flags(row) -> str:
    """The row's data gap / incomplete flags, with the mart's notes."""
    out = []
    if row["is_data_gap"]:
        out.append(f"<strong>data gap</strong>: {esc(row['quality_note'])}")
    elif row["is_incomplete"]:
        out.append(f"<strong>incomplete</strong>: {esc(row['quality_note'])}")
    if not row["is_data_gap"] and pd.isna(row["rate_per_1000"]) and row["area_level"] == "csp":
        out.append(
            "no rate: the partnership holds part of a district merged since 2011, whose "
            "population is only known as a whole"
        )
    return "; ".join(out)


def figure_cells(row) -> str:
    return (
        cell(row["value"], number(row["value"]))
        + cell(row["baseline_value"], number(row["baseline_value"]))
        + cell(row["change_from_baseline"], signed(row["change_from_baseline"]))
        + cell(row["pct_change_from_baseline"], signed(row["pct_change_from_baseline"], 1, "%"))
        + cell(row["rate_per_1000"], number(row["rate_per_1000"], 2))
    )


FIGURE_HEADERS = (
    "<th class='num'>Rolling year</th><th class='num'>Baseline (YE Jun 2019)</th>"
    "<th class='num'>Change</th><th class='num'>% change</th>"
    "<th class='num'>Rate per 1,000</th>"
)


def partnership_chart(partnerships: pd.DataFrame, force_name: str, words: str) -> str:
    """Horizontal bars: each partnership's rolling year, its baseline as a red mark."""
    rows = partnerships.sort_values("area_name", ascending=False)
    figure, axes = plt.subplots(figsize=(7.6, 0.8 + 0.28 * len(rows)))
    positions = range(len(rows))
    values = rows["value"].fillna(0)
    axes.barh(list(positions), values, color=BLUE, height=0.6)
    axes.plot(rows["baseline_value"], list(positions), "|", color=BASELINE, ms=12, mew=2)
    for position, (_, row) in zip(positions, rows.iterrows(), strict=True):
        if pd.isna(row["value"]):
            axes.annotate(
                "data gap", (0, position), xytext=(4, 0), textcoords="offset points",
                va="center", color=GREY, fontsize=8,
            )  # fmt: skip
    axes.set_yticks(list(positions), labels=rows["area_name"].tolist(), fontsize=8)
    axes.grid(True, axis="x")
    axes.grid(False, axis="y")
    axes.set_xlim(left=0)
    axes.set_xlabel(f"crimes (neighbourhood crime proxy), {words}")
    axes.set_title(
        f"{force_name}: partnerships (police.uk local diagnostic)", loc="left", fontsize=9
    )
    return svg_uri(figure)


def reconciliation_words(recon: pd.DataFrame, force_code: str, latest) -> str:
    if recon.empty:
        return ""
    row = recon[(recon["area_code"] == force_code) & (recon["period_end_date"] == latest)]
    if row.empty or pd.isna(row["ratio"].iloc[0]):
        return ""
    r = row.iloc[0]
    within = "within" if r["is_within_bounds"] else "<strong>outside</strong>"
    return (
        f" Against its M4.2 police recorded figure for the same year ({number(r['recorded_value'])}"
        f"), the police.uk proxy is <span data-field='ratio' data-value='{float(r['ratio'])!r}'>"
        f"{r['ratio']:.2f}</span> times as large, {within} the expected range "
        f"{r['ratio_lower_bound']:.1f} to {r['ratio_upper_bound']:.1f} (police.uk counts more "
        "by definition)."
    )


def force_block(force, proxy: pd.DataFrame, recon: pd.DataFrame, latest, words: str) -> str:
    code, name = force["area_code"], force["area_name"]
    row = proxy[(proxy["area_code"] == code) & (proxy["period_end_date"] == latest)].iloc[0]
    if row["is_data_gap"]:
        key = f"No rolling year for {esc(words)}: {esc(row['quality_note'])}"
    else:
        unlocated = row["unlocated_crime_pct"]
        key = (
            f"In {esc(words)}, police.uk lists <strong>{number(row['value'])}</strong> crimes of "
            f"the neighbourhood crime proxy for {esc(name)} (baseline "
            f"{number(row['baseline_value'])}, change {signed(row['change_from_baseline'])}, "
            f"{signed(row['pct_change_from_baseline'], 1, '%')}); "
            f"{number(row['rate_per_1000'], 2)} per 1,000 residents."
            + (
                ""
                if pd.isna(unlocated)
                else f" {unlocated:.1f}% of the force's crimes have no location."
            )
            + reconciliation_words(recon, code, latest)
        )
    partnerships = proxy[
        (proxy["area_level"] == "csp")
        & (proxy["pfa_code"] == code)
        & (proxy["period_end_date"] == latest)
    ].sort_values("area_name")
    table = [
        f"<table class='local' data-area-code='{esc(code)}'><thead><tr><th>Area</th>"
        f"{FIGURE_HEADERS}<th>Flags</th></tr></thead><tbody>",
        f"<tr class='force' data-area-code='{esc(code)}'><td><strong>{esc(name)} (force, "
        f"every crime it recorded)</strong></td>{figure_cells(row)}<td>{flags(row)}</td></tr>",
    ]
    for _, csp in partnerships.iterrows():
        table.append(
            f"<tr class='csp' data-area-code='{esc(csp['area_code'])}'>"
            f"<td>{esc(csp['area_name'])}</td>{figure_cells(csp)}<td>{flags(csp)}</td></tr>"
        )
    table.append("</tbody></table>")
    chart = ""
    if not partnerships.empty:
        uri = partnership_chart(partnerships, name, words)
        chart = (
            f"<figure class='local-diagnostic' data-area-code='{esc(code)}'><img src='{uri}' "
            f"alt='Bar chart: neighbourhood crime proxy of each community safety partnership "
            f"of {esc(name)}, {esc(words)}, with its baseline marked.'><figcaption>{esc(LABEL)}"
            ". Blue bar: the rolling year; red mark: the baseline (year ending June 2019); "
            "partnerships count located crimes only.</figcaption></figure>"
        )
    return (
        f"<div class='diagnostic local' data-area-code='{esc(code)}'>"
        f"<h4>{esc(name)} <span class='tag'>{esc(LABEL)}</span></h4>"
        f"<p class='note'>{key}</p>" + "".join(table) + chart + "</div>"
    )


def local_section(folder: Path, manifest: dict, areas: pd.DataFrame) -> str:
    """The section, or "" when the publication exported no local diagnostics."""
    exported = manifest.get("local_diagnostics", [])
    if "fct_local_crime" not in exported:
        return ""
    local = pd.read_parquet(folder / "data" / "fct_local_crime.parquet")
    recon = (
        pd.read_parquet(folder / "data" / "rpt_local_crime_reconciliation.parquet")
        if "rpt_local_crime_reconciliation" in exported
        else pd.DataFrame()
    )
    proxy = local[(local["crime_category"] == CATEGORY) & (local["breakdown"] == "all")]
    latest = proxy["period_end_date"].max()
    words = period_words("rolling_12_months", latest)
    forces = proxy[proxy["area_level"] == "pfa"]
    present = forces.groupby("area_code")["is_month_data_gap"].apply(lambda s: not s.all())
    regions = areas[areas["area_level"] == "pfa"][["area_code", "area_name", "region_name"]]
    regions = regions.assign(region_name=regions["region_name"].fillna("Other"))
    shown = regions[regions["area_code"].isin(present[present].index)].sort_values(
        ["region_name", "area_name"]
    )
    publication_end = pd.Timestamp(manifest["publication"]["period_end_date"])
    earlier = ""
    if pd.Timestamp(latest) < publication_end:
        period = period_words("rolling_12_months", publication_end)
        earlier = f", earlier than this publication's period, {esc(period)}"
    out = [
        "<h2 id='local-diagnostics'>Local diagnostics from police.uk: not National Measures</h2>",
        f"<p class='diagnostic' id='local-diagnostics-label'><strong>{esc(LABEL)}.</strong> "
        "These figures come from the police.uk street-level files, one row per crime, and "
        "show where, locally, neighbourhood crime is moving. They are diagnostics for forces "
        "and community safety partnerships, not measures of progress and not targets. "
        f"{esc(CAVEATS)}</p>",
        f"<p class='note'>Figures for {esc(words)} (the latest rolling year of the police.uk "
        f"data at a quarter end{earlier}), for the {len(shown)} force(s) with police.uk data. "
        "Every figure, every month "
        "and every region and deprivation breakdown are in <code>data/fct_local_crime</code> "
        "(quarter ends) and the warehouse table <code>marts.fct_local_crime</code> (months); "
        "LSOA counts are in <code>marts.fct_local_crime_lsoa</code>. <code>ncpm trace "
        "--metric local:neighbourhood_crime</code> traces a figure to its police.uk rows.</p>",
    ]
    for region, members in shown.groupby("region_name", sort=True):
        out.append(f"<h3>{esc(region)}</h3>")
        for _, force in members.iterrows():
            out.append(force_block(force, proxy, recon, latest, words))
    return "".join(out)
