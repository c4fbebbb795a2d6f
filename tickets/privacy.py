"""Personal data of a customer: export everything, erase it, and retention (docs/privacy.md).

Each app that stores something about a customer registers a *section*: what it exports and
how it erases. Tickets registers its own below; surveys registers its own in
``surveys/privacy.py`` (the dependency rule: tickets never imports surveys). A test walks every
model that points at a customer, ticket or message and fails when a section does not cover it,
so a new model cannot be forgotten.

Erasure keeps the facts metrics need (timestamps, status, channel, team, agent, scores, counts)
and removes who the person is and what anyone wrote: every dashboard figure is the same
afterwards (``tests/tickets/test_privacy.py`` checks exactly that).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from helpdesk.models import OutboundEmail

from . import search
from .models import (
    Attachment,
    Customer,
    CustomerNote,
    CustomField,
    InboundEmail,
    Message,
    RetentionPolicy,
    SideConversation,
    Ticket,
    TicketEvent,
    TicketFieldValue,
    TimeEntry,
    core,
)
from .models.retention import EffectiveRetention

ERASED = core.ERASED
# TicketEvent fields whose values may name or quote the person.
_PERSONAL_EVENT_FIELDS = ("subject", "customer", "email", "cc", "phone", "name")


@dataclass(frozen=True)
class Section:
    """One part of the export archive and its erasure."""

    name: str
    export: Callable[[Customer], object]
    erase: Callable[[Customer, datetime], int]
    # Stored files for the archive: (path inside the archive, open binary file).
    files: Callable[[Customer], Iterable[tuple[str, FieldFile]]] | None = None
    # "app_label.ModelName" of every model this section exports and erases.
    covers: tuple[str, ...] = field(default=())


SECTIONS: list[Section] = []


def register(section: Section) -> None:
    if any(s.name == section.name for s in SECTIONS):
        return  # apps' ready() may run twice in tests
    SECTIONS.append(section)


def _rows(queryset, fields: Iterable[str]) -> list[dict]:
    return list(queryset.values(*fields))


def _tickets(customer: Customer):
    return Ticket.objects.filter(customer=customer)


def erased_address(customer: Customer) -> str:
    return f"erased-{customer.pk}@erased.invalid"


# The tickets app's own sections ------------------------------------------------------------


def export_customer_row(customer: Customer) -> dict:
    row = {f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields}
    organization = customer.organization
    row["organization_name"] = organization.name if organization is not None else None
    row["notes"] = list(CustomerNote.objects.filter(customer=customer).order_by("pk")
                        .values("author__name", "body", "created_at"))
    return row


def erase_customer_row(customer: Customer, now: datetime) -> int:
    """Blank every text field of the person (new fields included), keep organization,
    language and created_at: churn and per-organization figures need them."""
    keep = {"language"}
    changes: dict = {}
    for f in Customer._meta.concrete_fields:
        if f.name in keep or f.primary_key or f.is_relation:
            continue
        if f.get_internal_type() in ("CharField", "TextField", "EmailField"):
            changes[f.attname] = "" if f.blank else ERASED
    changes["email"] = erased_address(customer)
    changes["erased_at"] = now
    changes["survey_opt_out"] = True  # never ask an erased person again
    CustomerNote.objects.filter(customer=customer).delete()  # what staff wrote about them
    for name, value in changes.items():
        setattr(customer, name, value)
    customer.save(update_fields=list(changes))
    return 1


def export_tickets(customer: Customer) -> list[dict]:
    tickets = _rows(_tickets(customer).order_by("pk"),
                    ("id", "subject", "status", "priority", "channel", "team__name",
                     "assignee__name", "cc", "bcc", "created_at", "first_response_at",
                     "solved_at", "closed_at", "reopen_count"))
    by_ticket: dict[int, list] = {t["id"]: [] for t in tickets}
    messages = Message.objects.filter(ticket__customer=customer).order_by("pk")
    for m in messages.values("id", "ticket_id", "author_type", "author_user__name",
                             "sender_name", "sender_email", "cc", "bcc", "public", "channel",
                             "body_text", "created_at"):
        by_ticket[m["ticket_id"]].append(m)
    events = TicketEvent.objects.filter(ticket__customer=customer).order_by("pk")
    history: dict[int, list] = {t["id"]: [] for t in tickets}
    for e in events.values("ticket_id", "actor__name", "field", "old_value", "new_value",
                           "created_at"):
        history[e["ticket_id"]].append(e)
    extras: dict[str, dict[int, list]] = {}
    for name, rows in (
            ("fields", TicketFieldValue.objects.filter(ticket__customer=customer)
             .values("ticket_id", "field__key", "value", "number")),
            ("side_conversations", SideConversation.objects.filter(ticket__customer=customer)
             .values("ticket_id", "to", "subject", "created_at")),
            ("time_entries", TimeEntry.objects.filter(ticket__customer=customer)
             .values("ticket_id", "agent__name", "worked_at", "seconds", "note"))):
        extras[name] = {t["id"]: [] for t in tickets}
        for row in rows.order_by("pk"):
            extras[name][row["ticket_id"]].append(row)
    for t in tickets:
        t["messages"] = by_ticket[t["id"]]
        t["history"] = history[t["id"]]
        for name, rows_by_ticket in extras.items():
            t[name] = rows_by_ticket[t["id"]]
    return tickets


def erase_tickets(customer: Customer, now: datetime) -> int:
    return erase_ticket_contents(_tickets(customer), now=now)


def erase_ticket_contents(tickets, *, now: datetime) -> int:
    """What was written on these tickets: subjects, message bodies, attachments, raw and
    sent email, personal history values. Counts, times and assignments stay."""
    ids = list(tickets.values_list("pk", flat=True))
    if not ids:
        return 0
    Message.objects.filter(ticket_id__in=ids).update(
        body_text="", body_html="", quoted_text="", cc=[], bcc=[], sender_name="",
        sender_email="")
    Ticket.objects.filter(pk__in=ids).update(subject=ERASED, contents_erased_at=now,
                                             search_vector=None, cc=[], bcc=[])
    # Free text typed into custom fields; choices stay (dashboards break down by them).
    TicketFieldValue.objects.filter(ticket_id__in=ids,
                                    field__type=CustomField.Type.TEXT).update(value=ERASED)
    SideConversation.objects.filter(ticket_id__in=ids).update(to="erased@erased.invalid",
                                                              subject=ERASED)
    TimeEntry.objects.filter(ticket_id__in=ids).exclude(note="").update(note="")
    TicketEvent.objects.filter(ticket_id__in=ids, field__in=_PERSONAL_EVENT_FIELDS).update(
        old_value="", new_value="")
    InboundEmail.objects.filter(ticket_id__in=ids).update(raw=b"", subject="", sender="")
    OutboundEmail.objects.filter(ticket_id__in=ids).update(subject=ERASED, body_text="",
                                                          body_html="", cc=[], bcc=[],
                                                          attachments=[])
    _delete_attachments(Attachment.objects.filter(message__ticket_id__in=ids))
    return len(ids)


def _delete_attachments(attachments) -> None:
    """The rows now, the stored files once the transaction has committed."""
    files = [str(a.file.name) for a in attachments.only("file") if a.file]
    attachments.delete()
    storage = Attachment._meta.get_field("file").storage

    def delete_files() -> None:
        for name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)


def attachment_files(customer: Customer):
    rows = Attachment.objects.filter(message__ticket__customer=customer).order_by("pk")
    for a in rows.select_related("message"):
        if a.file:
            yield f"attachments/{a.message.ticket_id}/{a.pk}-{a.filename}", a.file


def _by_address(customer: Customer, q: Callable[[str], Q]) -> Q:
    """``q(address)``, or a match of nothing for a customer known only by phone: a blank
    address must never match every row (``icontains ""`` would)."""
    return q(customer.email) if customer.email else Q(pk__in=[])


def export_emails(customer: Customer) -> dict:
    ticket_ids = list(_tickets(customer).values_list("pk", flat=True))
    sent = OutboundEmail.objects.filter(_by_address(customer, lambda a: Q(to__iexact=a))
                                        | Q(ticket_id__in=ticket_ids))
    received = InboundEmail.objects.filter(_by_address(customer, lambda a: Q(sender__icontains=a))
                                           | Q(ticket_id__in=ticket_ids))
    return {
        "sent_to_customer": _rows(sent.order_by("pk"), ("id", "kind", "to", "subject",
                                                         "body_text", "created_at", "status")),
        "received": _rows(received.order_by("pk"), ("id", "sender", "subject", "received_at",
                                                     "status", "ticket_id")),
    }


def erase_emails(customer: Customer, now: datetime) -> int:
    sent = OutboundEmail.objects.filter(_by_address(customer, lambda a: Q(to__iexact=a))).update(
        to=erased_address(customer), subject=ERASED, body_text="", body_html="", cc=[], bcc=[],
        attachments=[])
    received = InboundEmail.objects.filter(
        _by_address(customer, lambda a: Q(sender__icontains=a))).update(
        raw=b"", sender="", subject="")
    return sent + received


# What the person wrote or was copied on in *other* customers' tickets: a reply as a CC'd
# participant (the email intake makes them a customer of their own), a reply to a side
# conversation, their address in a CC or BCC list.


def _contributions(customer: Customer):
    by_address = _by_address(customer, lambda a: Q(sender_email__iexact=a))
    return (Message.objects.filter(Q(author_customer=customer) | by_address)
            .exclude(ticket__customer=customer))


def _copied_on(model, customer: Customer, own: Q):
    """Rows of ``model`` (Ticket or Message) outside the customer's own tickets whose cc or
    bcc list holds their address (a text search narrows, Python decides exactly)."""
    address = customer.email.lower()
    if not address:
        return []
    rows = model.objects.filter(Q(cc__icontains=address) | Q(bcc__icontains=address)).exclude(own)
    return [row for row in rows.only("pk", "cc", "bcc")
            if address in {str(a).lower() for a in (*row.cc, *row.bcc)}]


def export_contributions(customer: Customer) -> dict:
    return {
        "messages_on_other_tickets": _rows(
            _contributions(customer).order_by("pk"),
            ("id", "ticket_id", "author_type", "sender_name", "sender_email", "channel",
             "body_text", "created_at")),
        "history_on_other_tickets": _rows(
            TicketEvent.objects.filter(actor_customer=customer).exclude(ticket__customer=customer)
            .order_by("pk"), ("ticket_id", "field", "old_value", "new_value", "created_at")),
        "copied_on_tickets": sorted(t.pk for t in _copied_on(Ticket, customer,
                                                             Q(customer=customer))),
        "copied_on_messages": sorted(m.pk for m in _copied_on(Message, customer,
                                                              Q(ticket__customer=customer))),
    }


def contribution_files(customer: Customer):
    rows = Attachment.objects.filter(message__in=_contributions(customer)).order_by("pk")
    for a in rows.select_related("message"):
        if a.file:
            yield f"attachments/{a.message.ticket_id}/{a.pk}-{a.filename}", a.file


def _without(addresses: list, address: str) -> list:
    return [a for a in addresses if str(a).lower() != address]


def erase_contributions(customer: Customer, now: datetime) -> int:
    """Blank what they wrote on others' tickets (the rows stay: reply counts are facts) and
    take their address off every CC and BCC list."""
    address = customer.email.lower()
    rows = list(_contributions(customer).values_list("pk", "ticket_id"))
    messages = [pk for pk, _ in rows]
    done = Message.objects.filter(pk__in=messages).update(
        body_text="", body_html="", quoted_text="", sender_name="", sender_email="", cc=[],
        bcc=[])
    _delete_attachments(Attachment.objects.filter(message_id__in=messages))
    done += TicketEvent.objects.filter(
        actor_customer=customer, field__in=_PERSONAL_EVENT_FIELDS).exclude(
        ticket__customer=customer).update(old_value="", new_value="")
    for model, own in ((Ticket, Q(customer=customer)), (Message, Q(ticket__customer=customer))):
        for row in _copied_on(model, customer, own):
            model.objects.filter(pk=row.pk).update(cc=_without(row.cc, address),
                                                   bcc=_without(row.bcc, address))
            done += 1
    # Those tickets' search documents held the blanked words (PostgreSQL; docs/performance.md).
    search.refresh(sorted({ticket_id for _, ticket_id in rows}))
    return done


register(Section("customer", export_customer_row, erase_customer_row,
                 covers=("tickets.Customer", "tickets.CustomerNote")))
register(Section("tickets", export_tickets, erase_tickets, files=attachment_files,
                 covers=("tickets.Ticket", "tickets.Message", "tickets.Attachment",
                         "tickets.TicketEvent", "tickets.TicketFieldValue",
                         "tickets.SideConversation", "tickets.TimeEntry")))
register(Section("emails", export_emails, erase_emails,
                 covers=("tickets.InboundEmail", "helpdesk.OutboundEmail")))
register(Section("contributions", export_contributions, erase_contributions,
                 files=contribution_files, covers=("tickets.Message", "tickets.TicketEvent",
                                                   "tickets.Attachment")))


# Export and erase -------------------------------------------------------------------------


def export_customer(*, customer: Customer) -> bytes:
    """A zip archive: one JSON file per section plus the customer's attachments."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        index = {"customer_id": customer.pk, "exported_at": timezone.now(),
                 "sections": [s.name for s in SECTIONS]}
        archive.writestr("index.json", json.dumps(index, cls=DjangoJSONEncoder, indent=2))
        for section in SECTIONS:
            data = section.export(customer)
            archive.writestr(f"{section.name}.json",
                             json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
            for path, stored in (section.files(customer) if section.files else ()):
                try:
                    with stored.open("rb") as handle:
                        archive.writestr(path, handle.read())
                except FileNotFoundError:
                    archive.writestr(f"{path}.missing.txt", "The stored file is missing.")
    return buffer.getvalue()


@transaction.atomic
def erase_customer(*, customer: Customer, now: datetime | None = None) -> dict[str, int]:
    """Remove the person and what was written, keep the facts. Idempotent. Returns rows
    touched per section. The customer row goes last: the other sections match by its email."""
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    done = {}
    for section in sorted(SECTIONS, key=lambda s: s.name == "customer"):
        done[section.name] = section.erase(customer, now)
    return done


# Retention ---------------------------------------------------------------------------------


def apply_retention(*, now: datetime | None = None,
                    policy: EffectiveRetention | None = None) -> dict[str, int]:
    """Erase the contents of tickets closed longer ago than the retention period, and
    delete quarantined raw email older than its own. The periods are those an admin set
    (``RetentionPolicy``), else the environment defaults; both off (0) by default.
    ``policy``: the periods a caller has already read (and reports)."""
    now = now or timezone.now()
    done = {"tickets": 0, "quarantined": 0}
    policy = policy or RetentionPolicy.current()
    months = policy.closed_ticket_months
    if months:
        cutoff = now - timedelta(days=round(months * 30.44))
        due = Ticket.objects.filter(status=Ticket.Status.CLOSED, closed_at__lt=cutoff,
                                    contents_erased_at__isnull=True)
        while True:
            with transaction.atomic():
                batch = Ticket.objects.filter(pk__in=list(due.values_list("pk", flat=True)[:500]))
                count = erase_ticket_contents(batch, now=now)
            done["tickets"] += count
            if count < 500:
                break
    days = policy.quarantine_days
    if days:
        old = InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED,
                                          received_at__lt=now - timedelta(days=days))
        done["quarantined"], _ = old.delete()
    return done


def audit_target(customer: Customer) -> dict:
    """How the audit log names a customer: by id only, so an erased person's name and
    address do not live on in the log of their erasure."""
    return {"type": "tickets.customer", "id": customer.pk, "label": f"#{customer.pk}"}


def export_response(*, customer: Customer, request):
    """The zip download of ``export_customer``, recorded in the audit log (the admin action
    and the API both answer with it)."""
    from django.http import HttpResponse

    from audit.models import Action
    from audit.services import record

    archive = export_customer(customer=customer)
    record(action=Action.EXPORT, request=request, target=audit_target(customer),
           detail={"export": "customer data", "bytes": len(archive)})
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.zip"'
    return response
