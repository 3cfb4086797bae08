"""The model chain of a figure: every dbt node from the feed's source to its fact."""

from __future__ import annotations

import json
from pathlib import Path


def manifest_lineage(manifest_path: Path, source_feed: str, fact_model: str) -> list[str]:
    """Nodes on every path from the feed's source to the fact, parents first (dbt manifest)."""
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    project = manifest["metadata"].get("project_name", "ncpm")
    sources = [
        uid
        for uid, s in manifest["sources"].items()
        if s["source_name"] == source_feed or s["name"] == source_feed
    ]
    fact = f"model.{project}.{fact_model}"
    if not sources or fact not in manifest["nodes"]:
        return []
    parents, children = manifest["parent_map"], manifest["child_map"]

    def reach(start: list[str], edges: dict[str, list[str]]) -> set[str]:
        seen, stack = set(start), list(start)
        while stack:
            for nxt in edges.get(stack.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    on_path = reach(sources, children) & reach([fact], parents)
    order: list[str] = []
    while len(order) < len(on_path):  # topological order: parents first
        for uid in sorted(on_path - set(order)):
            if all(p in order or p not in on_path for p in parents.get(uid, [])):
                order.append(uid)
    return order
