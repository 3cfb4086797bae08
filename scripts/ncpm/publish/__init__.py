"""The quarterly publication (write-audit-publish), one module per step."""
