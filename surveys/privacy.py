"""The surveys' part of a customer's data export and erasure (tickets/privacy.py,
docs/privacy.md). Scores, metrics, channel, agent, team and dates stay: metrics count them.
Comments and follow-up notes are what the person (or staff about them) wrote: erased.
A promoter ask (kind, the program's link, clicks) holds nothing they wrote: exported, kept."""

from __future__ import annotations

from datetime import datetime

from tickets.models import Customer
from tickets.privacy import Section, register

from .models import FollowUp, Invitation, ProgramContact, PromoterAsk, Response


def export_surveys(customer: Customer) -> dict:
    invitations = Invitation.objects.filter(customer=customer).order_by("pk")
    responses = Response.objects.filter(customer=customer).order_by("pk")
    follow_ups = FollowUp.objects.filter(response__customer=customer).order_by("pk")
    return {
        "invitations": list(invitations.values(
            "id", "ticket_id", "metric", "status", "skip_reason", "send_after", "sent_at",
            "reminded_at", "expires_at", "language", "created_at")),
        "responses": list(responses.values(
            "id", "ticket_id", "metric", "score", "scale_min", "scale_max", "comment",
            "channel", "created_at", "updated_at")),
        "relationship_lists": list(ProgramContact.objects.filter(customer=customer)
                                   .order_by("pk").values("program__name")),
        # The review, referral or case-study ask in a promoter's thank-you, and its clicks.
        "promoter_asks": list(PromoterAsk.objects.filter(response__customer=customer)
                              .order_by("pk").values("response_id", "kind", "url", "sent_at",
                                                     "clicked_at", "clicks")),
        "follow_ups": list(follow_ups.values(
            "id", "ticket_id", "status", "due_at", "outcome", "note", "created_at",
            "closed_at")),
    }


def erase_surveys(customer: Customer, now: datetime) -> int:
    comments = Response.objects.filter(customer=customer).exclude(comment="").update(comment="")
    notes = FollowUp.objects.filter(response__customer=customer).exclude(note="").update(note="")
    # Off every relationship contact list (an erased person is opted out as well).
    lists, _ = ProgramContact.objects.filter(customer=customer).delete()
    return comments + notes + lists


register(Section("surveys", export_surveys, erase_surveys,
                 covers=("surveys.Invitation", "surveys.Response", "surveys.FollowUp",
                         "surveys.ProgramContact", "surveys.PromoterAsk")))
