"""The figure audit trail: any published figure traced back to the raw rows it came from."""
