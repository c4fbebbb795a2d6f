import pytest

from surveys.models import SurveyProgram

URL = "/surveys/programs/"


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("persona", ["agent", "other_agent"])
def test_agents_may_not_manage_programs(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL + "new/", {"name": "x"}).status_code == 403


def test_manager_sees_the_default_program(client, manager):
    client.force_login(manager)
    page = client.get(URL)
    assert page.status_code == 200
    assert b"Customer satisfaction (all tickets)" in page.content


def test_manager_creates_a_program(client, manager, team):
    client.force_login(manager)
    page = client.post(URL + "new/", {
        "name": "NPS for chat", "metric": "nps", "question_en": "Recommend us?",
        "question_fi": "Suosittelisitko meitä?", "channels": ["chat"], "teams": [team.pk],
        "tiers": ["premium"], "trigger": "solved", "delay_minutes": 30, "throttle_days": 60,
        "reminder_after_hours": 72, "expiry_days": 7, "followup_due_hours": 24, "position": 1,
        "active": "on",
    })
    assert page.status_code == 302
    program = SurveyProgram.objects.get(name="NPS for chat")
    assert (program.channels, program.tiers, list(program.teams.all())) == (
        ["chat"], ["premium"], [team])
    assert (program.trigger, program.reminder_after_hours, program.expiry_days) == ("solved", 72, 7)


def test_program_defaults_match_the_brief(db):
    program = SurveyProgram(name="x", metric="csat")
    assert (program.delay_minutes, program.throttle_days, program.expiry_days) == (60, 30, 14)
    assert program.reminder_after_hours is None and program.active


def test_programs_page_query_count(client, manager, django_assert_num_queries):
    client.force_login(manager)
    with django_assert_num_queries(3):  # user, programs, their teams
        client.get(URL)


def test_programs_are_in_the_admin(admin_user, client):
    client.force_login(admin_user)
    assert client.get("/admin/surveys/surveyprogram/").status_code == 200
    assert client.get("/admin/surveys/surveyprogram/add/").status_code == 200
