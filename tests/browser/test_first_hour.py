"""Issue 19's Done path, as a newcomer walks it after `make run`: demo data, a web-form
ticket in the agent's queue, a reply, closed, the survey email after the program's
delay (sent by the scheduler `make run` starts), a low answer, and the follow-up with an
owner. No admin edits and no shell: every step is a page or the scheduler's own job."""

import importlib
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from demo.data.people import DEMO_PASSWORD, DEMO_SURVEY_DELAY_MINUTES
from helpdesk.console_mail import EmailBackend as ConsoleBackend
from helpdesk.models import OutboundEmail, User
from helpdesk.scheduler import Scheduler
from surveys.models import FollowUp, Invitation, Response
from tickets.models import Team, Ticket

from . import signin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "My order 5521 has not arrived"


def fresh_install() -> None:
    """What the migrations of a fresh clone write (a transactional test flushed it)."""
    for module, function in (("tickets.migrations.0004_default_sla_calendar", "create_defaults"),
                             ("tickets.migrations.0011_default_support_team", "set_default_team"),
                             ("surveys.migrations.0003_default_csat_program",
                              "create_default_program")):
        getattr(importlib.import_module(module), function)(apps, None)


def sign_in(page, url, email):
    signin.sign_in(page, url, email, password=DEMO_PASSWORD)


def set_status(page, status):
    with page.expect_response(lambda r: "/properties/" in r.url):
        page.select_option("#sidepanel select[name=status]", status)
    page.wait_for_selector(f"#sidepanel select[name=status] option[value={status}][selected]",
                           state="attached")


def test_a_newcomers_first_hour(browser, live_server, mailoutbox):
    fresh_install()
    call_command("seed_demo", tickets=120, no_progress=True, verbosity=0)
    support = Team.objects.get(name="Support")
    demo_agent = User.objects.get(email="agent@demo.test")
    assert support.memberships.filter(user=demo_agent).exists()

    # A customer writes in through the web form.
    customer = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    customer.goto(f"{live_server.url}/support/new/")
    customer.fill("#id_name", "Nea Newcomer")
    customer.fill("#id_email", "nea@example.com")
    customer.fill("#id_subject", SUBJECT)
    customer.fill("#id_message", "I ordered a lamp ten days ago. Where is it?")
    customer.click("button[type=submit]")
    customer.wait_for_load_state()
    ticket = Ticket.objects.get(subject=SUBJECT)
    assert ticket.team == support and ticket.reference in customer.content()

    # The demo agent finds it in their Unassigned queue, replies and closes it.
    agent = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    agent.set_default_timeout(10_000)
    sign_in(agent, live_server.url, "agent@demo.test")
    agent.goto(f"{live_server.url}/?view=unassigned")
    agent.click(f"text={SUBJECT}")
    agent.wait_for_selector("#reply-body")
    agent.fill("#reply-body", "Hello Nea, the parcel left our warehouse today. Sorry for the wait!")
    agent.click("button[value=send_solved]")
    agent.wait_for_load_state()
    set_status(agent, "closed")
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.first_response_at is not None
    agent.goto("about:blank")  # no polling while the scheduler runs
    invitation = Invitation.objects.get(ticket=ticket)
    assert invitation.program.name == "Email and web NPS"
    assert invitation.status == Invitation.Status.SCHEDULED

    # The scheduler of `make run` sends the survey once the program's delay is over.
    scheduler = Scheduler()
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        scheduler.run_pending()
    assert not OutboundEmail.objects.filter(kind="survey_invitation").exists()
    later = timezone.now() + timedelta(minutes=DEMO_SURVEY_DELAY_MINUTES, seconds=30)
    with time_machine.travel(later, tick=False):
        assert "send-due-surveys" in scheduler.run_pending()
    email = OutboundEmail.objects.get(kind="survey_invitation")
    assert email.to == "nea@example.com" and email.sent_at is not None
    survey = next(m for m in mailoutbox
                  if m.to == ["nea@example.com"] and ticket.reference in m.subject
                  and "/surveys/r/" in m.body)

    # Nea answers 0 of 10 from the link as `make run`'s console prints it.
    console = io.StringIO()
    ConsoleBackend(stream=console).send_messages([survey])
    link = re.search(r"^0: (http\S+)$", console.getvalue(), re.M).group(1)
    customer.goto(link.replace(settings.SITE_URL, live_server.url))
    customer.fill("#comment", "Ten days and no lamp.")
    customer.click("button[type=submit]")
    customer.wait_for_selector(".note")
    assert Response.objects.get(ticket=ticket).score == 0

    # The follow-up appears with an owner, who was alerted.
    follow_up = FollowUp.objects.get(ticket=ticket)
    assert follow_up.assignee is not None
    assert OutboundEmail.objects.filter(kind="survey_followup_alert",
                                        to=follow_up.assignee.email).exists()
    manager = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(manager, live_server.url, "manager@demo.test")
    manager.goto(f"{live_server.url}/surveys/follow-ups/")
    row = manager.inner_text(f"#followup-{follow_up.pk}")
    assert "Ten days and no lamp." in row
    assert str(follow_up.assignee) in row and "Unassigned" not in row
    for page in (customer, agent, manager):
        page.context.close()
