"""A NUL character in a query parameter is refused with a 400 naming the parameter,
on every endpoint, before any view hands it to the database (PostgreSQL refuses strings
holding NUL, which a view filtering on the raw value turned into a 500)."""

import pytest

from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, param", [
    ("/api/v1/customers/", "email"),
    ("/api/v1/tickets/", "q"),
    ("/api/v1/chats/", "status"),
    ("/api/v1/metrics/breakdown/", "by"),
])
def test_api_refuses_nul_naming_the_parameter(manager, path, param):
    response = api_client_for(manager).get(path, {param: "a\x00b@example.com", "page": "2"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [param]
    assert "NUL" in body[param][0]


def test_page_refuses_nul_with_the_styled_error_page(client, agent):
    client.force_login(agent)
    response = client.get("/", {"q": "x\x00y"})
    assert response.status_code == 400
    assert b"Bad request" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_finnish_client_gets_the_message_in_finnish(manager):
    client = api_client_for(manager)
    response = client.get("/api/v1/customers/", {"email": "\x00"},
                          HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    assert response.json() == {"email": ["Arvossa ei saa olla NUL-merkkiä."]}


def test_clean_parameters_pass_through(manager, customer):
    response = api_client_for(manager).get("/api/v1/customers/", {"email": customer.email})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [customer.id]
