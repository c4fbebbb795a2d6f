"""Every date/time query parameter of the API and the pages: a bad value is a 400 naming
the parameter, never a 500 (issue 11, item 10: an offset of +16:00 reached PostgreSQL,
which refuses it; a far year overflowed Python's datetime)."""

import pytest
from django.urls import reverse

from tests.conftest import api_client_for

# (client kind, URL name, date parameters it reads)
ENDPOINTS = [
    ("api", "tickets_api:ticket-list", ("created_after", "created_before")),
    ("api", "surveys_api:responses", ("from", "to")),
    ("api", "metrics-summary", ("from", "to")),
    ("api", "metrics-breakdown", ("from", "to")),  # with by=channel, see _get
    ("page", "metrics:dashboard", ("from", "to")),
    ("page", "metrics:agent_dashboard", ("from", "to")),
    ("page", "metrics:responses", ("from", "to")),
    ("page", "surveys:export", ("from", "to")),
]
DATETIME_PARAMS = {"created_after", "created_before"}

BAD_DATETIMES = [
    "2026-01-01T00:00:00+16:00",  # beyond the ±14:00 that real zones use (PostgreSQL refuses)
    "2026-01-01T00:00:00-15:30",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00",  # overflows when converted to UTC
    "9999-12-31T23:59:59-05:00",
    "10000-01-01T00:00:00Z",
    "yesterday",
    "2026-01-01T00:00:00+1600",
]
BAD_DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "garbage"]


def _cases():
    for kind, name, params in ENDPOINTS:
        for param in params:
            values = BAD_DATETIMES if param in DATETIME_PARAMS else BAD_DATES
            for value in values:
                yield pytest.param(kind, name, param, value, id=f"{name}-{param}-{value}")


def _get(kind, name, params, manager, client):
    url = reverse(name)
    if name == "metrics-breakdown":
        params = {"by": "channel", **params}
    if kind == "api":
        return api_client_for(manager).get(url, params)
    client.force_login(manager)
    return client.get(url, params)


@pytest.mark.parametrize(("kind", "name", "param", "value"), list(_cases()))
def test_bad_date_parameter_is_a_400_naming_it(kind, name, param, value, manager, client):
    response = _get(kind, name, {param: value}, manager, client)
    assert response.status_code == 400, response.content[:300]
    if kind == "api":
        assert param in response.json(), response.json()
    else:
        assert param.encode() in response.content or b"date" in response.content.lower()


@pytest.mark.parametrize(("kind", "name", "params"), [(k, n, p) for k, n, p in ENDPOINTS])
def test_good_date_parameters_still_work(kind, name, params, manager, client):
    good = ("2026-01-01T00:00:00+14:00", "2026-02-01T00:00:00-12:00")
    if params[0] not in DATETIME_PARAMS:
        good = ("2026-01-01", "2026-02-01")
    response = _get(kind, name, dict(zip(params, good, strict=True)), manager, client)
    assert response.status_code == 200, response.content[:300]
