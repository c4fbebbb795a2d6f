"""The programs page warns about a program that can never send, and previews the email."""

import pytest

from surveys.models import SurveyProgram
from surveys.queries import unreachable_programs
from tests.factories import TeamFactory

URL = "/surveys/programs/"
pytestmark = pytest.mark.django_db


def make(name, position, *, metric="csat", channels=(), tiers=(), teams=(), active=True):
    program = SurveyProgram.objects.create(
        name=name, metric=metric, position=position, channels=list(channels), tiers=list(tiers),
        question_en=f"{name}?", question_fi=f"{name}?", active=active, delay_minutes=2)
    program.teams.set(teams)
    return program


def ordered():
    return list(SurveyProgram.objects.prefetch_related("teams").order_by("position", "pk"))


@pytest.fixture(autouse=True)
def _only_ours():
    SurveyProgram.objects.all().delete()  # the data migration's default program


def test_a_catch_all_first_hides_everything_after_it():
    """The demo's old order: CSAT for all tickets at 0 before NPS, CES and chat CSAT."""
    catch_all = make("All tickets", 0)
    nps = make("Email NPS", 1, metric="nps", channels=["email", "web"])
    ces = make("Effort", 2, metric="ces")
    dead = unreachable_programs(ordered())
    assert set(dead) == {nps.pk, ces.pk}
    assert dead[nps.pk] == [catch_all]


def test_narrow_programs_first_and_the_catch_all_last_are_all_reachable():
    make("Enterprise effort", 10, metric="ces", tiers=["enterprise"])
    make("Email NPS", 20, metric="nps", channels=["email", "web"])
    make("Chat CSAT", 30, channels=["chat", "phone"])
    make("All tickets", 100)
    assert unreachable_programs(ordered()) == {}


def test_earlier_programs_together_can_hide_a_later_one():
    email = make("Email", 1, channels=["email", "web", "api"])
    chat = make("Chat", 2, channels=["chat", "phone", "social"])
    rest = make("Everything else", 3, metric="ces")
    assert unreachable_programs(ordered()) == {rest.pk: [email, chat]}


def test_teams_and_tiers_are_told_apart():
    support, billing = TeamFactory(name="Sup"), TeamFactory(name="Bil")
    make("Support team", 1, teams=[support])
    billing_program = make("Billing premium", 2, teams=[billing], tiers=["premium"])
    make("Support premium", 3, teams=[support], tiers=["premium"])
    dead = unreachable_programs(ordered())
    assert billing_program.pk not in dead  # billing's tickets are not the support team's
    assert len(dead) == 1


def test_inactive_programs_neither_hide_nor_are_reported():
    make("Off", 0, active=False)
    make("Next", 1, channels=["email"])
    make("Another off", 2, active=False, channels=["email"])
    assert unreachable_programs(ordered()) == {}


def test_page_warns_and_names_the_earlier_program(client, manager):
    make("Customer satisfaction (all tickets)", 0)
    make("Email and web NPS", 1, metric="nps", channels=["email", "web"])
    client.force_login(manager)
    page = client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="unreachable-programs"' in text
    assert "“Email and web NPS”: every ticket it matches is surveyed by the earlier program " \
           "Customer satisfaction (all tickets)." in text


def test_page_has_no_warning_when_every_program_can_send(client, manager):
    make("Email NPS", 1, metric="nps", channels=["email"])
    make("All tickets", 2)
    client.force_login(manager)
    assert 'id="unreachable-programs"' not in client.get(URL).content.decode()


def test_programs_page_query_count(client, manager, django_assert_num_queries):
    for n in range(6):
        make(f"P{n}", n, teams=[TeamFactory()])
    client.force_login(manager)
    client.get(URL)  # warm the session
    # user, programs, their teams (prefetch): none per program
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(("lang", "question"), [("en", "How satisfied were you?"),
                                                ("fi", "Kuinka tyytyväinen olit?")])
def test_email_preview_in_each_language(client, manager, lang, question):
    program = SurveyProgram.objects.create(
        name="CSAT", metric="csat", question_en="How satisfied were you?",
        question_fi="Kuinka tyytyväinen olit?", delay_minutes=2)
    client.force_login(manager)
    page = client.get(f"{URL}{program.pk}/preview/?lang={lang}")
    assert page.status_code == 200
    assert question in page.content.decode()  # the plain-text version on the page
    document = client.get(f"{URL}{program.pk}/preview/?lang={lang}&format=html")
    assert document.status_code == 200
    assert question in document.content.decode() and "HD-1042" in document.content.decode()
    assert "frame-ancestors 'self'" in document["Content-Security-Policy"]
    assert document["X-Frame-Options"] == "SAMEORIGIN"
    assert 'href="#"' in document.content.decode()  # no live answer links in a preview


def test_reminder_preview_and_agents_are_refused(client, manager, agent):
    program = make("CSAT", 1)
    client.force_login(manager)
    assert client.get(f"{URL}{program.pk}/preview/?reminder=1").status_code == 200
    client.force_login(agent)
    assert client.get(f"{URL}{program.pk}/preview/").status_code == 403
    client.force_login(manager)
    assert client.get(f"{URL}999999/preview/").status_code == 404


def test_email_preview_query_count(client, manager, django_assert_num_queries):
    program = make("CSAT", 1)
    client.force_login(manager)
    url = f"{URL}{program.pk}/preview/"
    client.get(url)
    # user, the program: the sample ticket and customer are never saved
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
