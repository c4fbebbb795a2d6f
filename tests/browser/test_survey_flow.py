"""End to end: an agent closes a ticket, the customer answers the survey from the email,
the answer shows on the ticket's customer panel and its follow-up in the queue."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from helpdesk.models import OutboundEmail
from surveys import services as survey_services
from surveys.models import FollowUp, Response, SurveyProgram
from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
    sign_in(page, live_server.url, user.email)


def _set_status(page, status):
    with page.expect_response(lambda r: "/properties/" in r.url):
        page.select_option("#sidepanel select[name=status]", status)
    page.wait_for_selector(f"#sidepanel select[name=status] option[value={status}][selected]",
                           state="attached")


def test_customer_answers_survey_and_agent_sees_it(page, live_server, agent, team_lead, team,
                                                   manager, browser, screenshot):
    # Transactional tests flush the data migration's program; create the same kind.
    SurveyProgram.objects.all().delete()
    SurveyProgram.objects.create(
        name="CSAT", metric="csat", question_en="How satisfied were you with our support?",
        question_fi="Kuinka tyytyväinen olit tukeemme?",
        followup_question_en="What could we have done better?")
    customer = CustomerFactory(name="Kalle Customer", email="kalle@example.com")
    ticket = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team, assignee=agent
    ))

    # The agent solves, then closes the ticket in the browser.
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    _set_status(page, "solved")
    _set_status(page, "closed")
    ticket.refresh_from_db()
    assert ticket.status == "closed"

    # An hour later the beat sends the survey.
    assert survey_services.send_due_surveys(now=timezone.now() + timedelta(hours=2)) == (1, 0)
    email = OutboundEmail.objects.get(kind="survey_invitation")
    page.set_content(email.body_html)
    screenshot("survey-email")
    link = re.search(r"^2: (http\S+)$", email.body_text, re.M).group(1)
    link = link.replace(settings.SITE_URL, live_server.url)

    # The customer clicks "2" in the email: the page shows it selected; nothing is recorded yet.
    page.goto("about:blank")  # stop the ticket page's polling while others use the database
    customer_page = browser.new_context().new_page()
    customer_page.goto(link)
    assert customer_page.is_checked("#score-2")
    assert not Response.objects.exists()
    customer_page.fill("#comment", "It took three days to get an answer.")
    screenshot_page(customer_page, "survey-answer")
    customer_page.click("button[type=submit]")
    customer_page.wait_for_selector(".note")
    assert "Thank you" in customer_page.inner_text(".note")
    screenshot_page(customer_page, "survey-thanks")
    customer_page.context.close()
    response = Response.objects.get()
    assert (response.score, response.comment) == (2, "It took three days to get an answer.")

    # The agent sees the answer in the ticket's customer panel.
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    panel = page.inner_text(".sv-panel")
    assert "CSAT 2" in panel and "It took three days" in panel
    screenshot("survey-ticket-panel")

    # The team lead finds the follow-up in the queue and closes it.
    page.goto("about:blank")
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, team_lead)
    page.goto(f"{live_server.url}/surveys/follow-ups/")
    follow_up = FollowUp.objects.get()
    row = f"#followup-{follow_up.pk}"
    assert "It took three days" in page.inner_text(row)
    assert "Lea" in page.inner_text("nav, header")
    screenshot_page(page, "survey-followups")
    page.select_option(f"{row} select[name=outcome]", "called_back")
    page.fill(f"{row} textarea[name=note]", "Called, apologised.")
    page.click(f"{row} button[type=submit]")
    page.wait_for_selector(".sv-messages")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome) == ("closed", "called_back")
    page.goto(f"{live_server.url}/surveys/follow-ups/?status=closed")
    assert "Called, apologised." in page.inner_text(row)

    # A manager manages the survey programs.
    page.context.close()
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/surveys/programs/")
    assert "How satisfied were you" in page.inner_text("table")
    screenshot_page(page, "survey-programs")
    page.click("text=CSAT")
    page.wait_for_selector("#id_question_fi")
    screenshot_page(page, "survey-program-form")


def screenshot_page(page, name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
