"""Codes shown to people as their translated labels.

``{{ r.channel|label:"channel" }}`` shows "Verkkolomake", never "web"; a code the
vocabulary does not know is shown as it is (docs/pages.md).
"""

from __future__ import annotations

from functools import cache

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

#: Groups of survey answers (docs/metrics.md; metrics.exports.CATEGORIES and the churn
#: report): computed, not a model field, so not a model choice.
ANSWER_GROUPS = {
    "promoter": pgettext_lazy("answer group", "Promoters"),
    "passive": pgettext_lazy("answer group", "Passives"),
    "detractor": pgettext_lazy("answer group", "Detractors"),
    "satisfied": pgettext_lazy("answer group", "Satisfied (CSAT 4–5)"),
    "easy": pgettext_lazy("answer group", "Easy (CES 5–7)"),
    "no_answer": pgettext_lazy("answer group", "No NPS answers"),
}


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Each vocabulary's code → lazy label. Imported on first use: helpdesk loads first."""
    from surveys.models import FollowUp, Invitation, Metric, SurveyProgram
    from tickets.models import Channel, Organization, Ticket

    def choices(enum) -> dict[str, str]:
        return dict(enum.choices)

    return {
        "channel": choices(Channel),
        "status": choices(Ticket.Status),
        "priority": choices(Ticket.Priority),
        "tier": choices(Organization.Tier),
        "metric": choices(Metric),
        "answer_group": ANSWER_GROUPS,
        "invitation_status": choices(Invitation.Status),
        "skip_reason": choices(Invitation.SkipReason),
        "followup_status": choices(FollowUp.Status),
        "outcome": choices(FollowUp.Outcome),
        "trigger": choices(SurveyProgram.Trigger),
    }


@register.filter
def label(code, vocabulary: str) -> str:
    if code in (None, ""):
        return ""
    return str(vocabularies()[vocabulary].get(str(code), code))


@register.filter
def labels(codes, vocabulary: str) -> str:
    """A list of codes as their labels, comma separated."""
    return ", ".join(label(code, vocabulary) for code in codes or ())
