"""The plan wing: the action plan's reference data (indicators, targets, geography, allocation)."""
