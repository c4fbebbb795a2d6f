"""Insights over the metrics (docs/insights.md): key drivers, comment themes, revenue at
risk. Read-only over tickets and surveys, like the rest of metrics."""
