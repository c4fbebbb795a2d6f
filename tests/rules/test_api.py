"""``/api/v1/rules/``: managers only; every bad part of a rule is a 400 naming it."""

import pytest

from rules.models import Rule
from tests.conftest import api_client_for

RULE = {
    "name": "Web to Billing",
    "kind": "trigger",
    "events": ["ticket.created"],
    "conditions": {"all": [{"field": "channel", "op": "is", "value": "web"}], "any": []},
    "actions": [{"type": "add_tags", "value": ["web"]}],
}


@pytest.fixture
def managers(manager):
    return api_client_for(manager)


def test_manager_creates_and_reads_a_rule(managers, manager):
    response = managers.post("/api/v1/rules/", RULE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in RULE} == {**RULE}
    assert body["active"] is True
    rule = Rule.objects.get(pk=body["id"])
    assert rule.created_by == manager
    listed = managers.get("/api/v1/rules/").json()["results"]
    triggers = [r["name"] for r in listed if r["kind"] == "trigger"]
    assert triggers[-1] == "Web to Billing"  # after the default rules
    assert listed[-1]["kind"] == "automation"
    assert managers.get(f"/api/v1/rules/{rule.pk}/").json()["name"] == "Web to Billing"


def test_new_rules_go_last_in_order(managers):
    first = managers.post("/api/v1/rules/", RULE, format="json").json()
    second = managers.post("/api/v1/rules/", {**RULE, "name": "Second"}, format="json").json()
    assert second["position"] == first["position"] + 1


def test_agent_gets_403(api):
    assert api.get("/api/v1/rules/").status_code == 403
    assert api.post("/api/v1/rules/", RULE, format="json").status_code == 403


def test_patch_changes_only_what_is_given(managers):
    rule_id = managers.post("/api/v1/rules/", RULE, format="json").json()["id"]
    response = managers.patch(f"/api/v1/rules/{rule_id}/", {"active": False, "name": "Renamed"},
                              format="json")
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["name"]) == (False, "Renamed")
    assert response.json()["actions"] == RULE["actions"]


def test_delete(managers):
    rule_id = managers.post("/api/v1/rules/", RULE, format="json").json()["id"]
    assert managers.delete(f"/api/v1/rules/{rule_id}/").status_code == 204
    assert managers.get(f"/api/v1/rules/{rule_id}/").status_code == 404


@pytest.mark.parametrize(("change", "key", "named"), [
    ({"conditions": {"all": [{"field": "colour", "op": "is", "value": "red"}]}},
     "conditions", "colour"),
    ({"conditions": {"all": [{"field": "channel", "op": "resembles", "value": "web"}]}},
     "conditions", "resembles"),
    ({"conditions": {"all": [{"field": "channel", "op": "gt", "value": "web"}]}},
     "conditions", "gt"),
    ({"conditions": {"all": [{"field": "hours_since_created", "op": "gt", "value": "ten"}]}},
     "conditions", "conditions.all[0].value"),
    ({"conditions": {"all": [{"field": "channel", "op": "is", "value": "pigeon"}]}},
     "conditions", "pigeon"),
    ({"conditions": {"all": [{"field": "team", "op": "is", "value": 999999}]}},
     "conditions", "999999"),
    ({"actions": [{"type": "launch_rocket", "value": 1}]}, "actions", "launch_rocket"),
    ({"actions": [{"type": "add_tags", "value": "web"}]}, "actions", "actions[0].value"),
    ({"actions": [{"type": "set_team", "value": "Billing"}]}, "actions", "actions[0].value"),
    ({"actions": [{"type": "email_customer",
                   "value": {"subject": "Hi {{ticket.secret}}", "body": "x"}}]},
     "actions", "ticket.secret"),
    ({"actions": [{"type": "webhook", "value": {"url": "ftp://example.com/x"}}]},
     "actions", "url"),
    ({"events": ["ticket.exploded"]}, "events", "ticket.exploded"),
])
def test_bad_rule_is_refused_naming_the_problem(managers, change, key, named):
    response = managers.post("/api/v1/rules/", {**RULE, **change}, format="json")
    assert response.status_code == 400
    messages = response.json()[key]
    assert any(named in m for m in messages), messages
    assert not Rule.objects.filter(system_key="").exists()


def test_unknown_top_level_key_is_refused(managers):
    response = managers.post("/api/v1/rules/", {**RULE, "colour": "red"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.json()


def test_bad_patch_changes_nothing(managers):
    rule_id = managers.post("/api/v1/rules/", RULE, format="json").json()["id"]
    response = managers.patch(f"/api/v1/rules/{rule_id}/",
                              {"actions": [{"type": "set_priority", "value": "whenever"}]},
                              format="json")
    assert response.status_code == 400
    assert "whenever" in response.json()["actions"][0]
    assert Rule.objects.get(pk=rule_id).actions == RULE["actions"]


def test_automation_needs_a_time_condition(managers):
    response = managers.post("/api/v1/rules/", {**RULE, "kind": "automation", "events": []},
                             format="json")
    assert response.status_code == 400
    assert "time condition" in response.json()["conditions"][0]


def test_schema_lists_the_rules_endpoints(db):
    import yaml
    from rest_framework.test import APIClient

    paths = yaml.safe_load(APIClient().get("/api/schema/").content)["paths"]
    assert set(paths["/api/v1/rules/"]) >= {"get", "post"}
    assert set(paths["/api/v1/rules/{id}/"]) >= {"get", "patch", "delete"}


@pytest.mark.parametrize("body", [
    {"actions": [{"type": {}, "value": None}]},
    {"actions": [{"type": ["add_tags"], "value": "x"}]},
    {"conditions": {"all": [{"field": "channel", "op": {}, "value": "web"}], "any": []}},
])
def test_a_non_text_action_type_or_operator_is_a_400_not_a_500(body, managers):
    """Found by schemathesis: an object where a name belongs raised TypeError (unhashable)."""
    data = {"name": "Typed", "kind": "trigger", "events": ["ticket.created"],
            "conditions": {"all": [], "any": []}, "actions": [], **body}
    response = managers.post("/api/v1/rules/", data, format="json")
    assert response.status_code == 400
    assert "actions" in response.json() or "conditions" in response.json()
