import pytest

from helpdesk.models import OutboundEmail
from rules import services
from rules.models import Rule
from tickets import services as ticket_services


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run its after-commit work (signals, rules, outbox)."""
    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return _run


@pytest.fixture
def make_rule(db):
    def _make(name="Rule", *, events=("ticket.created",), all=(), any=(), actions=(),
              kind="trigger", **kwargs):
        return services.create_rule(
            name=name, kind=kind, events=list(events),
            conditions={"all": list(all), "any": list(any)}, actions=list(actions), **kwargs)
    return _make


@pytest.fixture
def web_ticket(run, customer, team):
    def _create(tags=()):
        return run(ticket_services.create_ticket, ticket_services.NewTicket(
            subject="Invoice is wrong", body="Please fix my invoice.", customer=customer,
            channel="web", team=team, tags=tuple(tags)))
    return _create


def emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


def history(ticket, field="rule"):
    return list(ticket.events.filter(field=field).order_by("pk")
                .values_list("old_value", "new_value"))


def default_rule(key: str) -> Rule:
    return Rule.objects.get(system_key=key)
