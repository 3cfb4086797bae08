"""Checks over dbt's artefacts (manifest and catalog)."""
