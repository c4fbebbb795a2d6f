"""Live chat figures for the dashboard (docs/metrics.md: chat waiting time, missed chat;
docs/live-chat.md, "Figures"), computed in SQL over the chat table.

- waiting time: chat start → first agent message, calendar seconds, median and p90
  over the chats an agent wrote in;
- duration: chat start → end, median, over chats an agent ended or joined;
- missed chats: the visitor left, or the chat fell back to email, before an agent joined.
"""

from __future__ import annotations

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Extract

from chat.models import Chat

from . import percentile


def _seconds(end: str, start: str):
    span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    # PostgreSQL: an interval, read as seconds; SQLite: microseconds (see _scale).
    return Extract(span, "epoch") if percentile.native() else span


def _scale() -> float:
    return 1.0 if percentile.native() else 1_000_000.0


def _percentiles(qs, end: str) -> dict:
    rows = qs.filter(**{f"{end}__isnull": False}).annotate(_s=_seconds(end, "started_at"))
    found = percentile.of(rows, "_s").get(None)
    if not found:
        return {"median": None, "p90": None}
    return {"median": found["p50"] / _scale(), "p90": found["p90"] / _scale()}


def chat_figures(f) -> dict:
    """Three queries whatever the number of chats (counts, waiting, duration)."""
    chats = Chat.objects.filter(started_at__gte=f.start, started_at__lt=f.end)
    if f.team_id:
        chats = chats.filter(ticket__team_id=f.team_id)
    if f.agent_id:
        chats = chats.filter(agent_id=f.agent_id)
    if f.channel and f.channel != "chat":  # another channel has no chats: nothing to ask
        return {"total": 0, "missed": 0, "missed_pct": None, "wait_median": None,
                "wait_p90": None, "duration_median": None}
    counts = chats.aggregate(total=Count("pk"),
                             missed=Count("pk", filter=Q(status=Chat.Status.MISSED)))
    total, missed = counts["total"], counts["missed"]
    waiting = _percentiles(chats, "first_agent_message_at")
    duration = _percentiles(chats.filter(status=Chat.Status.ENDED), "ended_at")
    return {"total": total, "missed": missed,
            "missed_pct": round(100 * missed / total, 1) if total else None,
            "wait_median": waiting["median"], "wait_p90": waiting["p90"],
            "duration_median": duration["median"]}
