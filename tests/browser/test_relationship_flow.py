"""End to end: a relationship survey from the email link to a one-click answer with a
comment; and screenshots of the customer, organization, relationship and alert pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import OutboundEmail
from metrics.alert_models import Alert, AlertSubscription
from surveys import services as survey_services
from surveys.models import FollowUp, Kind, Response, SurveyProgram
from surveys.services import waves
from tests.browser.shots import shots_dir
from tests.browser.signin import sign_in
from tests.factories import CustomerFactory, OrganizationDomainFactory, OrganizationFactory
from tickets import services
from tickets.models import CustomerNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = shots_dir("relationship")


def _program():
    return SurveyProgram.objects.create(
        name="Relationship NPS", kind=Kind.RELATIONSHIP, metric="nps", position=100,
        question_en="How likely are you to recommend us to a colleague?",
        question_fi="Kuinka todennäköisesti suosittelisit meitä kollegalle?",
        passive_question_en="What would make it a 10?", passive_question_fi="Mikä tekisi siitä kympin?",
        interval_months=3, expiry_days=14)


def test_relationship_survey_from_email_to_answer_with_comment(page, live_server):
    program = _program()
    org = OrganizationFactory(name="Acme Oy", tier="premium")
    person = CustomerFactory(name="Anna Acme", email="anna@acme.fi", organization=org,
                             time_zone="Europe/Helsinki")
    wave = waves.start_wave(program=program)
    waves.schedule_wave(wave=wave)
    invitation = wave.invitations.get(customer=person)
    assert survey_services.send_due_invitations(
        now=invitation.send_after + timedelta(minutes=1)) == 1
    email = OutboundEmail.objects.get(kind="survey_invitation", to=person.email)
    page.set_content(email.body_html)
    href = page.get_attribute("a[aria-label='Score 8']", "href")
    path = "/" + href.split("/", 3)[3]

    page.goto(f"{live_server.url}{path}")
    assert page.is_checked("#score-8")  # one click: the score is pre-selected
    assert page.inner_text("#comment-question") == "What would make it a 10?"
    assert not Response.objects.exists()  # opening the link wrote nothing
    page.click("label[for=score-10]")  # changing the score changes the question back
    assert page.inner_text("#comment-question") != "What would make it a 10?"
    page.click("label[for=score-8]")
    page.fill("#comment", "Faster phone support.")
    page.click("button[type=submit]")
    page.wait_for_selector(".note")
    response = Response.objects.get(customer=person)
    assert (response.kind, response.score, response.comment, response.ticket_id) == (
        Kind.RELATIONSHIP, 8, "Faster phone support.", None)


def _data(manager, team, agent):
    program = _program()
    org = OrganizationFactory(name="Acme Oy", tier="premium", annual_revenue=250000,
                              active_since=timezone.localdate() - timedelta(days=900))
    OrganizationDomainFactory(organization=org, domain="acme.fi")
    people = [CustomerFactory(name=n, email=f"{n.split()[0].lower()}@acme.fi", organization=org,
                              time_zone="America/New_York" if i % 2 else "Europe/Helsinki")
              for i, n in enumerate(["Anna Acme", "Bertil Berg", "Cecilia Carlsson",
                                     "Daniel Dahl", "Eeva Ek", "Frans Fors"])]
    for i, person in enumerate(people[:4]):
        ticket = services.create_ticket(services.NewTicket(
            subject=f"Invoice question {i}", body="x", customer=person, channel="email", team=team,
            assignee=agent
        ))
        if i % 2:
            services.solve_ticket(ticket=ticket, actor=agent)
    wave = waves.start_wave(program=program, starts_on=timezone.localdate() - timedelta(days=20))
    for i, person in enumerate(people):
        response = Response.objects.create(
            kind=Kind.RELATIONSHIP, wave=wave, metric="nps", scale_min=0, scale_max=10,
            score=[2, 9, 10, 5, 8, 10][i], customer=person, organization=org,
            organization_tier=org.tier, comment="Support is slow to answer." if i == 0 else "")
        if i in (0, 3):
            FollowUp.objects.create(response=response, assignee=manager,
                                    due_at=timezone.now() - timedelta(hours=2 + i))
    CustomerNote.objects.create(customer=people[0], author=manager,
                                body="Prefers phone calls in the morning.")
    for n in range(2, 5):
        other = OrganizationFactory(name=f"Beta {n} Ltd", tier="standard", annual_revenue=n * 40000)
        CustomerFactory(organization=other)
    sub = AlertSubscription.objects.create(user=manager, metric="nps", subject="team",
                                           subject_key=str(team.pk))
    Alert.objects.create(subscription=sub, user=manager, day=timezone.localdate(),
                         message=f"NPS of {team.name} fell from 42.0 to 18.5 (n = 64), more than "
                                 "the noise.", current=18.5, previous=42.0, n_current=64,
                         n_previous=71, p_value=0.012)
    return people[0], org


@pytest.mark.parametrize("language", ["en", "fi"])
def test_people_and_relationship_pages_screenshots(browser, live_server, manager, team, agent,
                                                   language):
    person, org = _data(manager, team, agent)
    manager.language = language
    manager.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {"customer": f"/customers/{person.pk}/", "organization": f"/organizations/{org.pk}/",
             "relationship": "/metrics/relationship/", "alerts": "/metrics/alerts/",
             "risk": "/metrics/organizations/risk/"}
    for width in (1280, 1920):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, manager.email)
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
        context.close()
