"""Files that customers send can never run in our origin (issue 11, item 1).

A hostile email arrives through the real intake with an inline HTML part and an inline SVG
(both with script), a real PNG, a PNG-named file that is HTML inside, and a PNG declared as
HTML. Every route that serves files (portal, agent UI, API, admin) must answer with the
same hardened headers: only true raster images inline, everything else a download of
application/octet-stream, never sniffed, under a CSP that allows nothing.
"""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse

from helpdesk.files import content_disposition, inline_image_type
from tests.conftest import api_client_for
from tickets import intake
from tickets.models import Attachment, InboundEmail
from tickets.portal import auth

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
       b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
SCRIPT_HTML = b"<html><body><script>document.title='pwned'</script>Invoice</body></html>"
SCRIPT_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="pwned"'
              b'</script><circle r="5"/></svg>')


def hostile_email() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mallory <customer@example.com>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Your invoice"
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("Please see the attached invoice.")
    msg.add_alternative("<p>Please see the attached invoice.</p>", subtype="html")
    msg.make_mixed()
    for data, maintype, subtype, name in (
        (SCRIPT_HTML, "text", "html", "invoice.html"),
        (SCRIPT_SVG, "image", "svg+xml", "logo.svg"),
        (PNG, "image", "png", "pixel.png"),
        (SCRIPT_HTML, "image", "png", "fake.png"),   # declared PNG, HTML inside
        (PNG, "text", "html", "real-png.html"),      # PNG bytes declared as HTML
    ):
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name,
                           disposition="inline")
    return msg.as_bytes()


@pytest.fixture
def hostile(db, customer, team):
    result = intake.receive_raw(hostile_email(), source=InboundEmail.Source.FILE)
    assert result.status == "created"
    ticket = result.ticket
    ticket.team = team
    ticket.save(update_fields=["team"])
    files = {a.filename: a for a in Attachment.objects.filter(message__ticket=ticket)}
    assert set(files) == {"invoice.html", "logo.svg", "pixel.png", "fake.png", "real-png.html"}
    assert files["invoice.html"].inline and files["logo.svg"].inline
    return ticket, files


def _portal(client, customer):
    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    return lambda item: client.get(reverse("portal:attachment", args=[item.pk]))


def _staff(client, agent):
    client.force_login(agent)
    return lambda item: client.get(reverse("tickets:attachment", args=[item.pk]))


def _api(agent):
    api = api_client_for(agent)
    return lambda item: api.get(reverse("tickets_api:attachment", args=[item.pk]))


@pytest.fixture(params=["portal", "staff", "api"])
def fetch(request, client, customer, agent):
    if request.param == "portal":
        return _portal(client, customer)
    if request.param == "staff":
        return _staff(client, agent)
    return _api(agent)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_hardened(response) -> None:
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script" not in csp
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def assert_download(response) -> None:
    assert_hardened(response)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name", ["invoice.html", "logo.svg", "fake.png", "real-png.html"])
def test_anything_but_a_true_raster_image_is_a_hardened_download(hostile, fetch, name):
    _, files = hostile
    response = fetch(files[name])
    assert_download(response)
    assert name in response["Content-Disposition"]
    assert body(response) == files[name].file.open("rb").read()  # the bytes, unchanged


def test_a_true_raster_image_is_shown_inline_but_still_hardened(hostile, fetch):
    _, files = hostile
    response = fetch(files["pixel.png"])
    assert_hardened(response)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="pixel.png"'
    assert body(response) == PNG


def test_page_wide_csp_does_not_replace_the_file_csp(hostile, client, agent):
    _, files = hostile
    response = _staff(client, agent)(files["invoice.html"])
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Frame-Options"] == "DENY"


def test_admin_links_attachments_to_the_checked_route_not_the_media_url(hostile, client,
                                                                          admin_user):
    _, files = hostile
    item = files["invoice.html"]
    client.force_login(admin_user)
    page = client.get(reverse("admin:tickets_attachment_change", args=[item.pk])).content
    assert reverse("tickets:attachment", args=[item.pk]).encode() in page
    assert item.file.url.encode() not in page
    assert_download(client.get(reverse("tickets:attachment", args=[item.pk])))


def test_admin_raw_email_download_is_hardened(hostile, client, admin_user):
    inbound = InboundEmail.objects.get()
    client.force_login(admin_user)
    response = client.get(reverse("admin:tickets_inboundemail_raw", args=[inbound.pk]))
    assert_download(response)
    assert response["Content-Disposition"] == f'attachment; filename="inbound-{inbound.pk}.eml"'
    assert response.content == bytes(inbound.raw)


def test_media_files_are_not_served_by_url(hostile, client, settings):
    _, files = hostile
    assert client.get("/" + files["invoice.html"].file.url.lstrip("/")).status_code == 404


def test_other_customers_and_other_teams_get_404(hostile, client, other_customer, other_agent):
    _, files = hostile
    assert _portal(client, other_customer)(files["pixel.png"]).status_code == 404
    client.logout()
    assert _staff(client, other_agent)(files["pixel.png"]).status_code == 404
    assert _api(other_agent)(files["pixel.png"]).status_code == 404
    assert api_client_for(other_agent).get("/api/v1/attachments/abc/").status_code == 404


@pytest.mark.parametrize(("declared", "head", "expected"), [
    ("image/png", PNG[:16], "image/png"),
    ("image/jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    ("IMAGE/GIF; name=a.gif", b"GIF89a\x01\x00", "image/gif"),
    ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ("image/svg+xml", b"<svg xmlns=", None),
    ("image/png", b"<html><script>", None),
    ("text/html", PNG[:16], None),
    ("", PNG[:16], None),
    ("image/bmp", b"BM\x00\x00", None),
])
def test_inline_only_when_declared_type_and_magic_bytes_agree(declared, head, expected):
    assert inline_image_type(declared, head) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("report.pdf", 'attachment; filename="report.pdf"'),
    ('a"b;c.txt', 'attachment; filename="a_b_c.txt"; filename*=UTF-8\'\'a%22b%3Bc.txt'),
    ("lasku äö.pdf", "attachment; filename=\"lasku ao.pdf\"; filename*=UTF-8''lasku%20%C3%A4%C3%B6.pdf"),
    ("evil\r\nSet-Cookie: x.txt", 'attachment; filename="evil_Set-Cookie: x.txt"'),
    ("", 'attachment; filename="download"'),
])
def test_content_disposition_is_rfc6266_and_injection_free(name, expected):
    assert content_disposition(name, inline=False) == expected
