"""Moved to `thbmonitor.estimate.capture` (issue 18); kept for existing imports."""

from thbmonitor.estimate.capture import DEFAULT_LISTS, capture_records, pooled_records

__all__ = ["DEFAULT_LISTS", "capture_records", "pooled_records"]
