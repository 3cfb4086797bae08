"""The quarterly bulletin: publications/<period>/bulletin.html, one self-contained page.

Written by step 4 of `ncpm publish` (pipeline.py) from the exported, validated Parquet files of
the publication (never from the warehouse directly), with names from dim_metric and
dim_area. For each measure: each published metric's headline trend (for the area the
scorecard names: England and Wales, or England for an England-only metric) from the start
of the data with the baseline marked, the latest value, change and % change in
words, confidence bands and a plain statement of significance for survey metrics;
force-level small multiples and a table labelled as diagnostic, not targets;
revisions since figures were first published; the local diagnostics from police.uk by
force and community safety partnership, marked as not National Measures
(ncpm.publish.bulletin_local); data sources and caveats. Charts are
drawn with matplotlib and embedded as SVG data URIs, so the page needs no network.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

BLUE = "#1d70b8"
DARK = "#0b0c0c"
GREY = "#505a5f"
LIGHT_BLUE = "#9fc3e7"
BASELINE = "#d4351c"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

plt.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: small files, crisp, selectable
        "svg.hashsalt": "ncpm",  # deterministic ids, so a re-run writes the same bytes
        "font.family": "DejaVu Sans",  # ships with matplotlib
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": GREY,
        "axes.labelcolor": DARK,
        "xtick.color": GREY,
        "ytick.color": GREY,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e5e6e7",
    }
)


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def period_words(period_type: str, end) -> str:
    end = pd.Timestamp(end)
    if period_type == "financial_year":
        return f"the financial year {end.year - 1}/{str(end.year)[2:]}"
    if period_type == "survey_year":
        return f"the {end.year} survey year"
    return f"the year ending {MONTHS[end.month - 1]} {end.year}"


def fmt(value, unit: str) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def fmt_with_unit(value, unit: str) -> str:
    return fmt(value, unit) if unit == "percent" else f"{fmt(value, unit)} {unit}"


def change_words(row: dict) -> str:
    """The latest value against the baseline, in words."""
    unit = row["unit"]
    change, pct = row["change_from_baseline"], row["pct_change_from_baseline"]
    baseline = f"the baseline, {esc(row['baseline_label'])} ({fmt(row['baseline_value'], unit)})"
    if change is None or pd.isna(change):
        return "There is no baseline figure to compare with, so the change is not assessed."
    if change == 0:
        return f"This is the same as {baseline}."
    if unit == "percent":
        amount = f"{abs(change):.1f} percentage points"
        direction = "higher" if change > 0 else "lower"
    else:
        amount = f"{fmt(abs(change), unit)} {'more' if change > 0 else 'fewer'}"
        direction = ""
    text = (
        f"That is <strong>{amount}{' ' + direction if direction else ''}</strong> than {baseline}"
    )
    if pct is not None and not pd.isna(pct):
        text += f", {'a rise' if change > 0 else 'a fall'} of <strong>{abs(pct):.1f}%</strong>"
    return text + "."


def significance_words(row: dict) -> str:
    if row["ci_lower"] is None or pd.isna(row["ci_lower"]):
        return ""
    ci = (
        f"The 95% confidence interval is {fmt(row['ci_lower'], row['unit'])} to "
        f"{fmt(row['ci_upper'], row['unit'])}."
    )
    significant = row.get("is_significant_change")
    if significant is None or pd.isna(significant):
        return ci
    if significant:
        return (
            ci + " The change from the baseline is <strong>statistically significant</strong>: "
            "it is unlikely to be due to sampling variation in the survey alone."
        )
    return (
        ci + " The change from the baseline is <strong>not statistically significant</strong>: "
        "it could be due to sampling variation in the survey, so it is not evidence of a real "
        "change."
    )


def svg_uri(figure, tight: bool = True) -> str:
    buffer = io.BytesIO()
    bbox = "tight" if tight else None
    figure.savefig(buffer, format="svg", bbox_inches=bbox, metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def trend_chart(series: pd.DataFrame, row: dict, baseline_date) -> str:
    """National headline trend: line, CI band, baseline marked, latest value labelled."""
    unit = row["unit"]
    figure, axes = plt.subplots(figsize=(7.6, 2.8))
    dates = pd.to_datetime(series["period_end_date"])
    has_ci = bool(series["ci_lower"].notna().any())
    if has_ci:
        axes.fill_between(
            dates, series["ci_lower"], series["ci_upper"], color=LIGHT_BLUE, alpha=0.6, linewidth=0
        )
    axes.plot(dates, series["value"], color=BLUE, linewidth=2.2)
    label_box = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none"}
    baseline_value = row["baseline_value"]
    if baseline_date is not None and not pd.isna(baseline_value):
        when = pd.Timestamp(baseline_date)
        axes.axhline(baseline_value, color=BASELINE, linewidth=1, linestyle=(0, (4, 3)))
        axes.plot([when], [baseline_value], "o", color=BASELINE, ms=6, zorder=3)
        axes.annotate(
            f"Baseline ({row['baseline_label']}): {fmt(baseline_value, unit)}",
            (when, baseline_value),
            xytext=(0, -22),
            textcoords="offset points",
            ha="center",
            color=BASELINE,
            fontsize=8.5,
            bbox=label_box,
        )
    latest = series.dropna(subset=["value"]).iloc[-1]
    when = pd.Timestamp(latest["period_end_date"])
    axes.plot([when], [latest["value"]], "o", color=BLUE, ms=7, zorder=3)
    axes.annotate(
        f"Latest: {fmt(latest['value'], unit)}",
        (when, latest["value"]),
        xytext=(0, 14),
        textcoords="offset points",
        ha="right",
        color=BLUE,
        fontsize=9,
        fontweight="bold",
        bbox=label_box,
    )
    values = series["value"].dropna()
    low = min(values.min(), series["ci_lower"].min()) if has_ci else values.min()
    high = max(values.max(), series["ci_upper"].max()) if has_ci else values.max()
    if unit == "percent":
        axes.set_ylim(max(0, low - 10), min(100, high + 10))
    else:  # counts from zero, so the size of a change is not exaggerated
        axes.set_ylim(0, high * 1.2 if high > 0 else 1)
    axes.set_xlim(left=min(pd.Timestamp("2017-04-01"), dates.min()))
    axes.xaxis.set_major_locator(matplotlib.dates.YearLocator())
    axes.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt(v, unit)))
    axes.set_ylabel(unit)
    return svg_uri(figure)


def small_multiples(frame: pd.DataFrame, areas: pd.DataFrame, baselines: dict, unit: str) -> str:
    """One small panel per police force area: its series and its own baseline."""
    forces = areas[areas["area_level"] == "pfa"].sort_values("sort_order")
    forces = forces[forces["area_code"].isin(frame["area_code"])]
    columns = 6
    rows = -(-len(forces) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(10.5, 1.5 * rows), sharex=True)
    for axes in grid.flat:
        axes.set_visible(False)
    for axes, (_, force) in zip(grid.flat, forces.iterrows(), strict=False):
        series = frame[frame["area_code"] == force["area_code"]].sort_values("period_end_date")
        axes.set_visible(True)
        axes.plot(pd.to_datetime(series["period_end_date"]), series["value"], color=BLUE, lw=1.3)
        if force["area_code"] in baselines:
            axes.axhline(baselines[force["area_code"]], color=BASELINE, lw=0.8, ls=(0, (3, 2)))
        latest = series["value"].dropna()
        title = force["area_name"]
        if len(latest):
            title += f"  {fmt(latest.iloc[-1], unit)}"
        axes.set_title(title, fontsize=7.5, loc="left", color=DARK, pad=2)
        axes.tick_params(labelsize=6, length=2)
        axes.grid(False)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3, integer=unit != "percent"))
        axes.xaxis.set_major_locator(matplotlib.dates.YearLocator(3))
        axes.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y"))
    # Fixed margins in inches (the panels' titles and tick labels are small and alike):
    # tight_layout measured every panel's text, most of the bulletin's time.
    height = 1.5 * rows
    figure.subplots_adjust(
        left=0.35 / 10.5,
        right=1 - 0.05 / 10.5,
        bottom=0.25 / height,
        top=1 - 0.2 / height,
        wspace=0.3,
        hspace=0.45,
    )
    return svg_uri(figure, tight=False)


def load_revisions(publications: Path, facts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Figures of this publication whose value differs from the value first published."""
    import duckdb

    logs = sorted(str(p) for p in publications.glob("*/revision_log.parquet"))
    if not logs or not facts:
        return pd.DataFrame()
    current = pd.concat(
        [
            f[["metric_id", "area_code", "area_level", "period_end_date", "breakdown", "value"]]
            for f in facts.values()
        ]
    )
    con = duckdb.connect()
    try:
        con.register("current_figures", current)
        return con.execute(
            """
            with first_published as (
                select
                    metric_id, area_code, cast(period_end_date as date) as period_end_date,
                    breakdown,
                       arg_min(value, published_at) as first_value,
                       arg_min(publication_id, published_at) as first_publication_id
                from read_parquet(?)
                group by all
            )
            select c.metric_id, c.area_code, c.area_level, c.period_end_date, c.breakdown,
                   f.first_publication_id, f.first_value, c.value,
                   c.value - f.first_value as revision,
                   100.0 * (c.value - f.first_value) / nullif(f.first_value, 0) as pct_revision
            from current_figures as c
            inner join first_published as f
                on c.metric_id = f.metric_id and c.area_code = f.area_code
                and cast(c.period_end_date as date) = f.period_end_date
                and c.breakdown = f.breakdown
            -- the rule of int_publications__figure_revisions: a change beyond
            -- floating-point rounding (relative 1e-9), or a value appearing or vanishing
            where (c.value is null) <> (f.first_value is null)
                or abs(c.value - f.first_value) > 1e-9 * greatest(1.0, abs(f.first_value))
            order by c.metric_id, c.area_level, c.area_code, c.period_end_date
            """,
            [logs],
        ).df()
    finally:
        con.close()


CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#0b0c0c;margin:0;
background:#f3f2f1;line-height:1.45}
main{max-width:960px;margin:0 auto;background:#fff;padding:24px 40px 48px}
header.masthead{background:#0b0c0c;color:#fff;padding:14px 40px}
header.masthead p{margin:0;max-width:960px;margin:0 auto;font-size:15px;letter-spacing:.3px}
.synthetic{background:#fff7bf;border-left:6px solid #ffdd00;padding:10px 14px;margin:16px 0;
font-weight:bold}
h1{font-size:30px;margin:8px 0 4px}
h2{font-size:23px;margin-top:36px;border-top:2px solid #1d70b8;padding-top:10px}
h3{font-size:18px;margin:22px 0 6px}.lede{font-size:17px;color:#505a5f;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:10px 0}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #b1b4b6;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.improving{color:#00703c;font-weight:bold}.worsening{color:#d4351c;font-weight:bold}
.tag{display:inline-block;font-size:12px;padding:1px 6px;background:#f3f2f1;
border:1px solid #b1b4b6;border-radius:3px;margin-left:6px;font-weight:normal}
figure{margin:10px 0 18px}figure img{width:100%;height:auto}figcaption{font-size:13px;color:#505a5f}
.diagnostic{background:#f8f8f8;border:1px dashed #505a5f;padding:10px 16px;margin:14px 0}
.diagnostic h4{margin:4px 0;font-size:15px}.note{font-size:13px;color:#505a5f}
.keyfig{font-size:17px}.keyfig strong{color:#0b0c0c}
details summary{cursor:pointer;color:#1d70b8;font-size:14px}
footer{font-size:12px;color:#505a5f;margin-top:40px;border-top:1px solid #b1b4b6;padding-top:10px}
code{font-size:12px}
"""


def metric_label(row) -> str:
    return f"{esc(row['metric_id'])} {esc(row['metric_name'])}"


def short_period(row) -> str:
    """'year ending June 2026' for a table cell (period_words without its article)."""
    return period_words(row["period_type"], row["period_end_date"]).split(" ", 1)[1]


def summary_section(scorecard: pd.DataFrame) -> str:
    published = scorecard[scorecard["has_figure"]]
    out = [
        "<h2 id='summary'>Summary</h2><table class='summary'><thead><tr><th>Metric</th>"
        "<th>Area</th><th>Period</th><th class='num'>Latest</th><th class='num'>Baseline</th>"
        "<th class='num'>Change</th><th>Direction of travel</th></tr></thead><tbody>"
    ]
    for _, row in published.iterrows():
        pct = row["pct_change_from_baseline"]
        change = fmt(row["change_from_baseline"], row["unit"])
        if row["unit"] == "percent" and not pd.isna(row["change_from_baseline"]):
            change = f"{row['change_from_baseline']:+.1f} pts"
        change += "" if pd.isna(pct) else f" ({pct:+.1f}%)"
        out.append(
            f"<tr><td>{metric_label(row)}</td><td>{esc(row['area_name'])}</td>"
            f"<td>{esc(short_period(row))}</td>"
            f"<td class='num'>{fmt(row['value'], row['unit'])}</td>"
            f"<td class='num'>{fmt(row['baseline_value'], row['unit'])}</td>"
            f"<td class='num'>{esc(change)}</td><td class='{esc(row['direction_of_travel'])}'>"
            f"{esc(row['direction_of_travel'])}</td></tr>"
        )
    out.append("</tbody></table>")
    waiting = scorecard[~scorecard["has_figure"]]
    if len(waiting):
        out.append(
            f"<p class='note' id='not-yet-published'><strong>Not yet published</strong> "
            f"({len(waiting)} of {len(scorecard)} metrics: their sources are not yet in the "
            "warehouse): " + "; ".join(metric_label(r) for _, r in waiting.iterrows()) + ".</p>"
        )
    return "".join(out)


def metric_section(row, info, fact: pd.DataFrame, areas: pd.DataFrame, area_names: dict) -> str:
    """A published metric: the key figure in words, the headline trend, force diagnostics.

    The headline area is the scorecard's (area_code, area_name): England and Wales, or
    England for an England-only metric; the page never names an area the figure is not for.
    """
    metric_id = row["metric_id"]
    record = row.to_dict()
    unit = row["unit"]
    place = esc(row["area_name"])
    words = period_words(row["period_type"], row["period_end_date"])
    tag = "<span class='tag'>supplementary</span>" if row["is_supplementary"] else ""
    rows = fact[(fact["metric_id"] == metric_id) & (fact["breakdown"] == "all")]
    headline = rows[rows["area_code"] == row["area_code"]].sort_values("period_end_date")
    first = period_words(row["period_type"], headline["period_end_date"].iloc[0])
    direction = row["direction_of_travel"]
    better = "lower" if info["desired_direction"] == "down" else "higher"
    chart = trend_chart(headline, record, info["baseline_period_end_date"])
    has_ci = bool(headline["ci_lower"].notna().any())
    return (
        f"<h3>{metric_label(row)}{tag}</h3>"
        f"<p class='keyfig'>In {esc(words)}, {place}: "
        f"<strong>{esc(fmt_with_unit(row['value'], unit))}</strong>. {change_words(record)} "
        f"{significance_words(record)} Direction of travel: "
        f"<span class='{esc(direction)}'>{esc(direction)}</span> ({better} is better).</p>"
        f"<figure class='trend' data-metric-id='{esc(metric_id)}'><img src='{chart}' "
        f"alt='Line chart of {esc(row['metric_name'])}, {place}, {esc(first)} to "
        f"{esc(words)}: latest {esc(fmt_with_unit(row['value'], unit))}, baseline "
        f"{esc(fmt(row['baseline_value'], unit))}.'><figcaption>{place}, {esc(first)} "
        f"to {esc(words)}. Red dot and dashed line: the baseline ({esc(row['baseline_label'])})"
        + ("; shaded band: 95% confidence interval" if has_ci else "")
        + ".</figcaption></figure>"
        + force_section(rows, areas, area_names, record, info["baseline_period_end_date"])
    )


def write_bulletin(
    folder: Path,
    manifest: dict,
    metrics: pd.DataFrame,
    areas: pd.DataFrame,
    publications: Path,
) -> Path:
    """Write <folder>/bulletin.html from the publication's exported files and manifest."""
    publication = manifest["publication"]
    period_end = pd.Timestamp(publication["period_end_date"])
    scorecard = pd.read_parquet(folder / "data" / "rpt_measures_scorecard.parquet")
    facts = {f: pd.read_parquet(folder / "data" / f"{f}.parquet") for f in manifest["measures"]}
    catalogue = metrics.set_index("metric_id")
    area_names = areas.set_index("area_code")["area_name"].to_dict()
    synthetic = any(f.get("synthetic") for f in manifest.get("raw_files", []))
    title = f"National Crime and Policing Measures: {period_words('rolling_12_months', period_end)}"
    revision = f" (revision {publication['revision']})" if publication["revision"] > 1 else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        "<header class='masthead'><p>National Crime and Policing Measures &middot; quarterly "
        "bulletin for the Crime and Policing Performance Board</p></header><main>",
        f"<h1>{esc(title)}</h1>",
        "<p class='lede'>Progress of each national crime and policing measure against its "
        f"baseline (mostly the year ending June 2019). Publication "
        f"{esc(publication['publication_id'])}, published {esc(publication['published_at'][:10])}"
        f"{revision}.</p>",
    ]
    if synthetic:
        parts.append(
            "<p class='synthetic' id='synthetic-data'>SYNTHETIC SAMPLE DATA: every figure in this "
            "bulletin is invented, to test the warehouse. These are not official statistics and "
            "must not be quoted as such.</p>"
        )
    parts.append(summary_section(scorecard))
    for measure_id, measure in scorecard.groupby("measure_id", sort=True):
        parts.append(
            f"<h2 id='{esc(measure_id)}'>{esc(measure_id)}: "
            f"{esc(measure['measure_name'].iloc[0])}</h2>"
        )
        waiting = []
        for _, row in measure.iterrows():
            info = catalogue.loc[row["metric_id"]]
            fact = facts.get(info["fact_model"])
            if row["has_figure"] and fact is not None:
                parts.append(metric_section(row, info, fact, areas, area_names))
            else:
                waiting.append(row)
        if waiting:
            parts.append(
                "<p class='note'>Not yet published (source not yet in the warehouse): "
                + "; ".join(metric_label(r) for r in waiting)
                + ".</p>"
            )
    from ncpm.publish.bulletin_local import local_section

    parts.append(local_section(folder, manifest, areas))
    headline_areas = scorecard.set_index("metric_id")["area_code"].to_dict()
    parts.append(revisions_section(load_revisions(publications, facts), area_names, headline_areas))
    parts.append(sources_section(manifest, catalogue, synthetic))
    parts.append(about_section(manifest))
    parts.append("</main></body></html>")
    path = folder / "bulletin.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def force_section(
    rows: pd.DataFrame, areas: pd.DataFrame, area_names: dict, row: dict, baseline_date
) -> str:
    forces = rows[rows["area_level"] == "pfa"]
    if forces.empty:
        return ""
    at_baseline = forces[pd.to_datetime(forces["period_end_date"]) == pd.Timestamp(baseline_date)]
    baselines = at_baseline.set_index("area_code")["value"].dropna().to_dict()
    chart = small_multiples(forces, areas, baselines, row["unit"])
    latest = forces[forces["period_end_date"] == forces["period_end_date"].max()].copy()
    latest["area_name"] = latest["area_code"].map(area_names)
    latest = latest.sort_values("area_name")
    unit = row["unit"]
    table = [
        "<details><summary>Force-level table (diagnostic)</summary><table><thead><tr><th>Police "
        "force area</th>"
        "<th class='num'>Latest</th><th class='num'>Baseline</th><th class='num'>Change</th>"
        "<th class='num'>% change</th><th class='num'>Rate per 1,000</th></tr></thead><tbody>"
    ]
    for _, force in latest.iterrows():
        pct = force["pct_change_from_baseline"]
        rate = force["rate_per_1000"]
        table.append(
            f"<tr><td>{esc(force['area_name'])}</td><td "
            f"class='num'>{fmt(force['value'], unit)}</td>"
            f"<td class='num'>{fmt(force['baseline_value'], unit)}</td>"
            f"<td class='num'>{fmt(force['change_from_baseline'], unit)}</td>"
            f"<td class='num'>{'n/a' if pd.isna(pct) else f'{pct:+.1f}%'}</td>"
            f"<td class='num'>{'n/a' if pd.isna(rate) else f'{rate:.3f}'}</td></tr>"
        )
    table.append("</tbody></table></details>")
    what = row["unit"]
    return (
        "<div class='diagnostic'><h4>Force-level figures: diagnostic, not targets</h4>"
        f"<p class='note'>Each panel is one police force area's {esc(what)} over time (latest "
        "figure after its name), with its own baseline as a dashed red line and its own scale; "
        "rates per 1,000 population are in the table. Forces differ in size, population and "
        "recording practice, and small numbers move a lot from year to year: these panels help "
        "explain the national trend and are not league tables or targets.</p>"
        f"<figure class='forces'><img src='{chart}' alt='Small multiples: {esc(what)} by police "
        "force "
        f"area over time, for {esc(row['metric_id'])}.'></figure>" + "".join(table) + "</div>"
    )


def revisions_section(revisions: pd.DataFrame, area_names: dict, headline_areas: dict) -> str:
    """Revised figures; the headline ones (each metric's headline area) shown first."""
    out = ["<h2 id='revisions'>Revisions since first published</h2>"]
    if revisions.empty:
        out.append(
            "<p>No figure in this publication differs from the value it had when it was first "
            "published (figures appearing for the first time have nothing to be revised "
            "against).</p>"
        )
        return "".join(out)
    headline = revisions[revisions["area_code"] == revisions["metric_id"].map(headline_areas)]
    out.append(
        f"<p>{len(revisions):,} figures in this publication differ from the value first published "
        f"({len(headline):,} of them headline figures), usually because forces resubmitted data. "
        "Every revision is in the table <code>marts.rpt_revisions</code>.</p>"
    )
    shown = (headline if len(headline) else revisions).head(15)
    out.append(
        "<table><thead><tr><th>Metric</th><th>Area</th><th>Period end</th><th>First published "
        "in</th>"
        "<th class='num'>First published</th><th class='num'>Now</th><th "
        "class='num'>Revision</th></tr></thead><tbody>"
    )
    for _, r in shown.iterrows():
        pct = "" if pd.isna(r["pct_revision"]) else f" ({r['pct_revision']:+.1f}%)"
        out.append(
            f"<tr><td>{esc(r['metric_id'])} {esc(r['breakdown'])}</td>"
            f"<td>{esc(area_names.get(r['area_code'], r['area_code']))}</td>"
            f"<td>{esc(pd.Timestamp(r['period_end_date']).date())}</td><td>{esc(r['first_publication_id'])}</td>"
            f"<td class='num'>{fmt(r['first_value'], '')}</td><td "
            f"class='num'>{fmt(r['value'], '')}</td>"
            f"<td class='num'>{r['revision']:+,.0f}{pct}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def sources_section(manifest: dict, catalogue: pd.DataFrame, synthetic: bool) -> str:
    out = [
        "<h2 id='sources'>Data sources and caveats</h2><table><thead><tr><th>Metric</th>"
        "<th>Source feed</th><th>Unit</th><th>Baseline</th><th>Status</th></tr></thead><tbody>"
    ]
    status = {m["metric_id"]: m["status"] for m in manifest["metrics"]}
    for metric_id, info in catalogue.iterrows():
        out.append(
            f"<tr><td>{esc(metric_id)} "
            f"{esc(info['metric_name'])}</td><td><code>{esc(info['source_feed'])}</code></td>"
            f"<td>{esc(info['unit'])}</td><td>{esc(info['baseline_label'])}</td>"
            f"<td>{esc(status.get(metric_id, ''))}</td></tr>"
        )
    out.append("</tbody></table><ul>")
    if synthetic:
        out.append(
            "<li><strong>Synthetic sample data.</strong> The raw files behind this bulletin are "
            "synthetic samples (their names say so): realistic in shape and order of size, "
            "invented "
            "in every number. Nothing here is an official statistic.</li>"
        )
    out.append(
        "<li>Police recorded crime figures are rolling 12-month totals (the four quarters ending "
        "at "
        "the date shown); a rolling total exists only when all four quarters are present. They "
        "reflect recording practice as well as crime, and late returns can revise earlier "
        "figures.</li>"
        "<li>The baseline is the year ending June 2019 (the financial or survey year named in the "
        "metric catalogue for annual sources). Change = latest value - baseline; % change = 100 x "
        "change / baseline.</li>"
        "<li>Survey estimates carry a 95% confidence interval. A change from the baseline is "
        "called "
        "statistically significant when it is larger than sampling variation explains (|z| &gt; "
        "1.96). "
        "Estimates from fewer than 50 respondents are suppressed.</li>"
        "<li>Force-level figures are diagnostic: they help explain national trends and are not "
        "targets.</li>"
        "<li>Local diagnostics from police.uk street-level data (when the publication holds "
        "them) are not National Measures: they are not in the metric catalogue or the "
        "scorecard, and their caveats are stated with them.</li>"
        "<li>Metrics marked <em>not yet published</em> are in the metric catalogue but their "
        "source "
        "is not yet in the warehouse.</li></ul>"
    )
    return "".join(out)


def about_section(manifest: dict) -> str:
    tests = manifest["tests"]
    data_tests = tests.get("data_tests", {})
    unit_tests = tests.get("unit_tests", {})
    validation = manifest.get("validation", {})
    checked = validation.get("files", [])
    git = manifest["git"]
    commit = (git.get("commit") or "unknown")[:12] + (
        " (with uncommitted changes)" if git.get("dirty") else ""
    )
    files = "".join(
        f"<li><a href='{esc(f['path'])}'>{esc(f['path'])}</a> ({f['rows']:,} rows)</li>"
        for f in manifest["files"]
        if f.get("table") and f["path"].endswith(".csv")
    )
    return (
        "<footer id='about'><p><strong>About this publication.</strong> "
        f"Publication {esc(manifest['publication']['publication_id'])}; metric catalogue version "
        f"{esc(manifest['catalogue_version'])}; built from git commit <code>{esc(commit)}</code> "
        "by dbt "
        f"invocation <code>{esc(manifest['dbt']['invocation_id'])}</code>. Quality gate: "
        f"{data_tests.get('pass', 0):,} data tests passed ({data_tests.get('warn', 0)} warnings), "
        f"{unit_tests.get('pass', 0)} unit tests passed; Great Expectations validated "
        f"{len(checked)} exported files against their suites "
        f"({sum(c['expectations_evaluated'] for c in checked):,} expectations, all met): see the "
        "<a href='validation/index.html'>validation report</a>. Data files (CSV; Parquet beside "
        f"each): </p><ul>{files}</ul><p>Every file, with its row count and sha256, is listed in "
        "<a href='manifest.json'>manifest.json</a>.</p></footer>"
    )
