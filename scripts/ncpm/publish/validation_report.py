"""The validation report of a publication: one self-contained HTML page, no network.

Great Expectations' own Data Docs load scripts, styles and images from public CDNs, so an
auditor on a secure network opening them offline sees an unstyled page listing nothing.
This page is rendered from GX's validation results instead, as the bulletin is rendered:
inline styles, no script, no link outside the publication folder. Every file validated is
listed with its suite and every expectation with its outcome and observed value; the raw
results are kept beside it as ``results.json``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; font-size: 0.9rem; }
th { background: #f3f2f1; }
.pass { color: #00703c; font-weight: bold; } .fail { color: #d4351c; font-weight: bold; }
code { font-size: 0.85rem; word-break: break-word; }
.summary { font-size: 1.1rem; padding: 0.75rem; border-left: 6px solid #1d70b8;
           background: #f3f2f1; }
"""


@dataclass
class ExpectationOutcome:
    type: str
    arguments: str
    success: bool
    observed: str = ""


@dataclass
class FileValidation:
    path: str  # relative to the publication folder
    suite: str
    success: bool
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    problem: str | None = None  # when the file could not be validated at all

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "suite": self.suite,
            "success": self.success,
            "problem": self.problem,
            "expectations": [vars(e) for e in self.expectations],
        }


def _status(success: bool) -> str:
    return '<span class="pass">passed</span>' if success else '<span class="fail">FAILED</span>'


def render(title: str, files: list[FileValidation]) -> str:
    """The report page for ``files`` (a list in publication order)."""
    passed = sum(f.success for f in files)
    expectations = sum(len(f.expectations) for f in files)
    rows = "".join(
        f"<tr><td><a href='#file-{i}'>{html.escape(f.path)}</a></td>"
        f"<td><code>{html.escape(f.suite)}</code></td><td>{len(f.expectations)}</td>"
        f"<td>{sum(not e.success for e in f.expectations)}</td><td>{_status(f.success)}</td></tr>"
        for i, f in enumerate(files)
    )
    sections = []
    for i, f in enumerate(files):
        body = (
            f"<p class='fail'>{html.escape(f.problem)}</p>"
            if f.problem
            else "<table><tr><th>expectation</th><th>arguments</th><th>observed</th>"
            "<th>outcome</th></tr>"
            + "".join(
                f"<tr><td><code>{html.escape(e.type)}</code></td>"
                f"<td><code>{html.escape(e.arguments)}</code></td>"
                f"<td>{html.escape(e.observed)}</td><td>{_status(e.success)}</td></tr>"
                for e in f.expectations
            )
            + "</table>"
        )
        sections.append(
            f"<h2 id='file-{i}'>{html.escape(f.path)} {_status(f.success)}</h2>"
            f"<p>Suite <code>{html.escape(f.suite)}</code>.</p>{body}"
        )
    verdict = "every file passed" if passed == len(files) else f"{len(files) - passed} failed"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class='summary'>{len(files)} files validated with Great Expectations, "
        f"{expectations} expectations: {verdict}.</p>"
        "<table><tr><th>file</th><th>suite</th><th>expectations</th><th>failed</th>"
        f"<th>outcome</th></tr>{rows}</table>{''.join(sections)}"
        "<p>Raw results: <a href='results.json'>results.json</a>. Rendered by the publication "
        "step from Great Expectations' validation results; this page loads nothing from "
        "outside its folder.</p></body></html>"
    )


def write(folder: Path, title: str, files: list[FileValidation]) -> Path:
    """Write ``index.html`` and ``results.json`` into ``folder``; the index's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(
        json.dumps([f.as_json() for f in files], indent=2, default=str), encoding="utf-8"
    )
    index = folder / "index.html"
    index.write_text(render(title, files), encoding="utf-8")
    return index
