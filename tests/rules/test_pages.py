"""The managers' rules pages: list, order, on/off, and the form with its rows."""

import pytest
from django.urls import reverse

from rules import services
from rules.models import Rule


def _rule(name, **kwargs):
    data = {"kind": "trigger", "events": ["ticket.created"],
            "conditions": {"all": [{"field": "channel", "op": "is", "value": "web"}]},
            "actions": [{"type": "add_tags", "value": ["web"]}], **kwargs}
    return services.create_rule(name=name, **data)


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def test_agent_may_not_see_the_rules_pages(client, agent):
    client.force_login(agent)
    assert client.get(reverse("rules:list")).status_code == 403
    assert client.get(reverse("rules:new")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(reverse("rules:list")).status_code == 302


def test_list_shows_rules_in_order_with_a_constant_number_of_queries(
        signed_in, django_assert_max_num_queries):
    for i in range(3):
        _rule(f"Rule {i}")
    with django_assert_max_num_queries(6):
        response = signed_in.get(reverse("rules:list"))
    html = response.content.decode()
    assert html.index("Rule 0") < html.index("Rule 1") < html.index("Rule 2")
    for i in range(3, 13):
        _rule(f"Rule {i}")
    with django_assert_max_num_queries(6):
        signed_in.get(reverse("rules:list"))


def test_rules_are_linked_from_the_manager_navigation(signed_in):
    html = signed_in.get(reverse("rules:list")).content.decode()
    assert f'href="{reverse("rules:list")}"' in html


def test_move_down_and_up(signed_in):
    first, second = _rule("First"), _rule("Second")
    signed_in.post(reverse("rules:move", args=[first.pk]), {"direction": "down"})
    assert list(Rule.objects.filter(system_key="").order_by("position").values_list("name", flat=True)) == \
        ["Second", "First"]
    signed_in.post(reverse("rules:move", args=[first.pk]), {"direction": "up"})
    assert list(Rule.objects.filter(system_key="").order_by("position").values_list("name", flat=True)) == \
        ["First", "Second"]
    assert second.pk


def test_toggle_switches_off_and_on(signed_in):
    rule = _rule("Toggle me")
    signed_in.post(reverse("rules:toggle", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert rule.active is False
    signed_in.post(reverse("rules:toggle", args=[rule.pk]), {"active": "1"})
    rule.refresh_from_db()
    assert rule.active is True


def test_delete(signed_in):
    rule = _rule("Doomed")
    signed_in.post(reverse("rules:delete", args=[rule.pk]))
    assert not Rule.objects.filter(system_key="").exists()


FORM = {
    "name": "Web to Billing", "kind": "trigger", "events": ["ticket.created"], "active": "on",
    "cond-0-group": "all", "cond-0-field": "channel", "cond-0-op": "is", "cond-0-value": "web",
    "act-0-type": "set_team", "act-0-value": "",
    "act-1-type": "add_tags", "act-1-value": "web, billing",
}


def test_form_creates_a_rule_from_its_rows(signed_in, other_team, manager):
    response = signed_in.post(reverse("rules:new"), {**FORM, "act-0-value": str(other_team.pk)})
    assert response.status_code == 302
    rule = Rule.objects.get(system_key="")
    assert rule.conditions == {"all": [{"field": "channel", "op": "is", "value": "web"}],
                               "any": []}
    assert rule.actions == [{"type": "set_team", "value": other_team.pk},
                            {"type": "add_tags", "value": ["web", "billing"]}]
    assert rule.created_by == manager


def test_form_parses_in_lists_numbers_and_emails(signed_in, team):
    response = signed_in.post(reverse("rules:new"), {
        "name": "Remind", "kind": "automation", "active": "on",
        "cond-0-group": "all", "cond-0-field": "hours_since_pending", "cond-0-op": "gt",
        "cond-0-value": "72",
        "cond-3-group": "any", "cond-3-field": "priority", "cond-3-op": "in",
        "cond-3-value": ["low", "normal"],
        "act-0-type": "email_customer", "act-0-subject-en": "Still there?",
        "act-0-subject-fi": "Vieläkö?", "act-0-body-en": "Hi {{customer.name}}",
        "act-0-body-fi": "Hei {{customer.name}}",
    })
    assert response.status_code == 302, response.content.decode()
    rule = Rule.objects.get(system_key="")
    assert rule.conditions["all"] == [{"field": "hours_since_pending", "op": "gt", "value": 72}]
    assert rule.conditions["any"] == [{"field": "priority", "op": "in",
                                       "value": ["low", "normal"]}]
    assert rule.actions[0]["value"]["subject"] == {"en": "Still there?", "fi": "Vieläkö?"}


def test_form_error_names_the_row_and_keeps_what_was_typed(signed_in):
    response = signed_in.post(reverse("rules:new"), {
        **FORM, "cond-0-field": "hours_since_created", "cond-0-op": "gt",
        "cond-0-value": "soon"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Condition 1" in html and "must be a number" in html
    assert 'value="soon"' in html
    assert not Rule.objects.filter(system_key="").exists()


def test_form_error_for_an_unknown_action(signed_in):
    response = signed_in.post(reverse("rules:new"), {**FORM, "act-1-type": "launch_rocket"})
    assert response.status_code == 200
    assert "Action 2" in response.content.decode()
    assert "launch_rocket" in response.content.decode()


def test_edit_page_shows_the_rows_of_the_rule(signed_in, other_team,
                                              django_assert_max_num_queries):
    rule = _rule("Existing", actions=[{"type": "set_team", "value": other_team.pk},
                                      {"type": "email_address",
                                       "value": {"to": "boss@example.com", "subject": "S",
                                                 "body": {"en": "B", "fi": "BB"}}}])
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("rules:edit", args=[rule.pk]))
    html = response.content.decode()
    assert f'<option value="{other_team.pk}" selected>Billing</option>' in html
    assert 'value="boss@example.com"' in html
    assert ">BB</textarea>" in html


def test_edit_page_in_finnish(signed_in, manager):
    manager.language = "fi"
    manager.save(update_fields=["language"])
    html = signed_in.get(reverse("rules:new")).content.decode()
    assert "Lisää ehto" in html and "Suoritetaan, kun" in html
    assert ">Aseta tiimi<" in html


def test_pages_carry_no_inline_script(signed_in):
    _rule("Any")
    for url in (reverse("rules:list"), reverse("rules:new")):
        html = signed_in.get(url).content.decode()
        assert "<script>" not in html and "onclick" not in html and " style=" not in html
