"""The cases ``manage.py bench`` times. Add one with a single ``case(...)`` line.

Cases whose URL is not served by this build are skipped, so the list may name
pages that other parts of the product add later.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from django.utils import timezone

from rules import benchmark as rules_benchmark
from surveys.models import SCALES, Invitation, Kind, SurveyProgram
from surveys.services import waves
from surveys.tokens import make_score_token
from tickets.intake import receive_raw

from .registry import Context, case, get, url


def _ticket(ctx: Context, name: str) -> str | None:
    return url(name.format(id=ctx.ticket_id)) if name.startswith("/") else url(name, ctx.ticket_id)


def _busy(ctx: Context, name: str) -> str | None:
    return None if ctx.busy_ticket_id is None else url(name, ctx.busy_ticket_id)


case("API ticket list, first page", "manager", lambda c: get(c, "manager", url("/api/v1/tickets/")))
case("API ticket list, agent", "agent", lambda c: get(c, "agent", url("/api/v1/tickets/")))
case("API ticket list, status+channel", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/tickets/"),
                                             "status=open&channel=email")))
case("API ticket list, q=invoice", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/tickets/"), "q=invoice")))
case("API ticket detail", "agent", lambda c: get(c, "agent", _ticket(c, "/api/v1/tickets/{id}/")))
case("API messages", "agent",
     lambda c: get(c, "agent", _ticket(c, "/api/v1/tickets/{id}/messages/")))
case("API ticket list, 25 open", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/tickets/"), "status=open")))
case("API ticket list, by priority", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/tickets/"), "ordering=-priority")))
case("Agent queue page", "agent", lambda c: get(c, "agent", url("tickets:queue") or url("/")))
# The queue at scale (docs/performance.md): the lists, the sidebar's counts, the whole
# list sorted by priority or status (rank indexes), counted up to a bound.
case("Queue, all open", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=open")))
case("Queue, all open, agent", "agent", lambda c: get(c, "agent", _with_query(
    url("tickets:queue"), "view=open")))
case("Queue, unassigned", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=unassigned")))
case("Queue, unassigned, agent", "agent", lambda c: get(c, "agent", _with_query(
    url("tickets:queue"), "view=unassigned")))
# The sidebar's counts: their own htmx request once the page has shown, then every minute.
case("Queue, sidebar counts", "manager", lambda c: get(c, "manager", url("tickets:queue_counts"),
                                                       htmx=True))
case("Queue, sidebar counts, agent", "agent", lambda c: get(c, "agent", url("tickets:queue_counts"),
                                                            htmx=True))
case("Queue, all tickets by priority", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=all&sort=priority")))
case("Queue, all tickets by -priority", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=all&sort=-priority")))
case("Queue, all tickets by status", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=all&sort=status")))
case("Queue, all tickets by -status, agent", "agent", lambda c: get(c, "agent", _with_query(
    url("tickets:queue"), "view=all&sort=-status")))
case("Ticket page", "agent", lambda c: get(c, "agent", _ticket(c, "tickets:detail")))
case("Ticket page, long history", "agent",
     lambda c: get(c, "agent", _busy(c, "tickets:detail")))
case("Ticket history, long, opened", "agent",
     lambda c: get(c, "agent", _busy(c, "tickets:history"), htmx=True))
case("Ticket page, context column", "agent", lambda c: get(c, "agent", _ticket(c, "tickets:context"), htmx=True))
case("Manager dashboard", "manager", lambda c: get(c, "manager", url("metrics:dashboard")))
case("Manager dashboard, 90 days", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:dashboard"), "days=90")))
case("Manager dashboard, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:dashboard"), "days=365")))
# Cached per rollup refresh like every view the rollups hold, so these time the cached
# page after the first request; `manage.py bench_dashboard --cold` times the computation.
case("Manager dashboard, 90 days, channel", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:dashboard"), "days=90&channel=email")))
case("Manager dashboard, 365 days, channel", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:dashboard"), "days=365&channel=email")))
case("Agent dashboard", "agent", lambda c: get(c, "agent", url("metrics:agent_dashboard")))
case("Metrics summary API, 90 days", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/summary/"), _last_days(90))))
case("Metrics breakdown API, agent, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/breakdown/"),
                                             f"by=agent&{_last_days(365)}")))
# Custom dropdown filters (seed the values first: manage.py seed_custom_fields).
case("Queue, custom dropdown 10%", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=all&field_bench_product=phone")))
case("Queue, custom dropdown 40%", "manager", lambda c: get(c, "manager", _with_query(
    url("tickets:queue"), "view=all&field_bench_product=printer")))
case("Queue, custom dropdown, agent", "agent", lambda c: get(c, "agent", _with_query(
    url("tickets:queue"), "view=all&field_bench_product=phone")))
case("API ticket list, custom dropdown", "manager", lambda c: get(c, "manager", _with_query(
    url("/api/v1/tickets/"), "field_bench_product=phone")))
# Insights (docs/insights.md): the drivers read the response facts rollup.
case("Key drivers API, NPS, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/drivers/"),
                                             f"metric=nps&{_last_days(365)}")))
case("Key drivers page, CSAT, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:drivers"), "metric=csat&days=365")))
case("Comment themes API, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/themes/"), _last_days(365))))
case("Revenue at risk page", "manager", lambda c: get(c, "manager", url("metrics:revenue_at_risk")))
# Per survey kind, custom field factors (seed_custom_fields), CSV, themes page, and the
# assignment of one new comment to its theme (a function call).
case("Key drivers API, NPS, 365 days, relationship", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/drivers/"),
                                             f"metric=nps&kind=relationship&{_last_days(365)}")))
case("Key drivers API, CSAT, 365 days, custom dropdown factor", "manager",
     lambda c: _custom_field_drivers(c))
case("Key drivers API, NPS, 365 days, channel", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/drivers/"),
                                             f"metric=nps&channel=email&{_last_days(365)}")))
case("Key drivers API, CSAT, 365 days, custom dropdown factor, channel", "manager",
     lambda c: _custom_field_drivers(c, "&channel=email"))
case("Key drivers API, NPS, 365 days, priority", "manager",  # groups the facts
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/drivers/"),
                                             f"metric=nps&priority=high&{_last_days(365)}")))
case("Key drivers page, NPS, 365 days, channel", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:drivers"),
                                             "metric=nps&days=365&channel=email")))
case("Key drivers CSV, NPS, 90 days", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:drivers"),
                                             "metric=nps&days=90&format=csv")))
case("Comment themes page, NPS, 365 days", "manager",
     lambda c: get(c, "manager", _with_query(url("metrics:themes"), "metric=nps&days=365")))
case("Comment themes API, 365 days, relationship", "manager",
     lambda c: get(c, "manager", _with_query(url("/api/v1/metrics/themes/"),
                                             f"kind=relationship&{_last_days(365)}")))
case("Theme assignment of a new comment", "manager", lambda c: _theme_assignment(c))
case("Survey score link", "anonymous", lambda c: _survey_link(c))
case("Survey score links, 500 invitations", "anonymous", lambda c: _survey_links(c))
case("Email intake", "anonymous", lambda c: _intake(c))


def _with_query(path: str | None, query: str) -> str | None:
    return f"{path}?{query}" if path else None


def _last_days(days: int) -> str:
    today = timezone.localdate()
    return f"from={today - timedelta(days=days)}&to={today}"


def _custom_field_drivers(ctx: Context, more: str = ""):
    from tickets.models import CustomField

    if not CustomField.objects.filter(key="bench_product", active=True).exists():
        return None
    return get(ctx, "manager", _with_query(url("/api/v1/metrics/drivers/"),
                                           f"metric=csat&factor=field_bench_product,channel"
                                           f"&{_last_days(365)}{more}"))


def _theme_assignment(ctx: Context):
    """What the response_recorded receiver does for a new comment (docs/insights.md)."""
    from metrics.insights.themes import fitting
    from metrics.models import ThemeModel
    from surveys.models import Response

    response = Response.objects.exclude(comment="").order_by("-pk").first()
    if response is None or not ThemeModel.objects.exists():
        return None

    def assign() -> int:
        fitting.assign(response)
        return 200

    return assign


def _survey_link(ctx: Context):
    if ctx.invitation_id is None:
        return None
    path = url("surveys:answer", make_score_token(ctx.invitation_id, 9))
    return get(ctx, "anonymous", path)


def _survey_links(ctx: Context, count: int = 500):
    """After a mailing each click reads another invitation: one score link after another
    over the newest open invitations, answered ones too (a second click, a link scanner).
    The wrk procedure for a real server is in docs/performance.md."""
    invitations = list(Invitation.objects.filter(
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED], program__isnull=False,
        expires_at__gt=timezone.now()).order_by("-pk").values_list("pk", "program__metric")[:count])
    if not invitations:
        return None
    paths = [url("surveys:answer", make_score_token(pk, SCALES[metric][1]))
             for pk, metric in invitations]
    client = ctx.clients["anonymous"]
    return lambda: client.get(paths[ctx.next_number() % len(paths)]).status_code


def _intake(ctx: Context):

    def receive() -> int:
        number = ctx.next_number()
        message = EmailMessage()
        message["From"] = f"Bench Customer <bench{number % 50}@mail.example>"
        message["To"] = "support@example.com"
        message["Subject"] = f"Printer problem number {number}"
        message["Message-ID"] = f"<bench-{timezone.now().timestamp()}-{number}@mail.example>"
        message.set_content("Hello,\n\nthe printer shows error E42 again.\n\nBest,\nBench")
        receive_raw(message.as_bytes(), source="file")
        return 200

    return receive


# Rules (docs/rules.md). Function calls, not requests: what a ticket event's trigger
# evaluation and one automation pass cost on this database.
def _rules_event(ctx: Context):
    return rules_benchmark.trigger_evaluation(ticket_id=ctx.ticket_id, count=200)


def _automation(name: str):
    def prepare(ctx: Context):
        return getattr(rules_benchmark, name)()
    return prepare


def _rules_predicates(ctx: Context):
    return rules_benchmark.predicates_only(ticket_id=ctx.ticket_id, count=200)


case("Rules: one ticket event, 200 triggers", "anonymous", _rules_event)
case("Rules: 200 triggers' conditions alone", "anonymous", _rules_predicates)
case("Rules: automation pass, queries only", "anonymous", _automation("automation_queries"))
case("Rules: automation pass, acting on <= 10 tickets each", "anonymous",
     _automation("automation_pass"))


# Relationship surveys (docs/relationship-surveys.md): scheduling one wave over every contact
# of the seeded organizations, rolled back like every case. For 100,000 contacts, see
# `manage.py bench_relationship_wave`.
def _relationship_wave(ctx: Context):

    def schedule() -> int:
        program = SurveyProgram.objects.create(
            name="Bench relationship wave", kind=Kind.RELATIONSHIP, metric="nps",
            question_en="How likely are you to recommend us?", question_fi="Suosittelisitko?",
            audience=SurveyProgram.Audience.ALL, active=False)
        waves.schedule_wave(wave=waves.start_wave(program=program))
        return 200

    return schedule


case("Relationship wave, every seeded contact", "anonymous", _relationship_wave)
