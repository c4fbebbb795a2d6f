"""Remote images in a customer's HTML email stay unloaded until the agent asks (issue 11,
item 12): the ticket page frames the message's own page, whose CSP allows images from our
origin only; "Show images" reloads that one frame under a policy that allows https: images.
Inline (cid:) images keep working from our origin."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse

from tickets import intake
from tickets.mail_html import remote_image_count, render_email_html
from tickets.models import Attachment, InboundEmail

from .test_attachment_serving import PNG

TRACKER = "https://tracker.example/open.gif?u=42"
HTML = (f'<p>Hello, see our logo <img src="cid:logo@example.com" alt="Logo"> and '
        f'<img src="{TRACKER}" alt="" width="1" height="1">'
        '<img src="//cdn.example/banner.png" alt="Banner"> '
        '<a href="https://shop.example/">shop</a></p>')


def html_email() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Kalle Customer <customer@example.com>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Newsletter-style question"
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("Hello, see our logo.")
    msg.add_alternative(HTML, subtype="html")
    msg.get_payload()[1].add_related(PNG, "image", "png", cid="<logo@example.com>",
                                     filename="logo.png")
    return msg.as_bytes()


@pytest.fixture
def received(db, customer, team):
    result = intake.receive_raw(html_email(), source=InboundEmail.Source.FILE)
    ticket = result.ticket
    ticket.team = team
    ticket.save(update_fields=["team"])
    logo = Attachment.objects.get(message=result.message, content_id="logo@example.com")
    return ticket, result.message, logo


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def frame_url(message, images=False) -> str:
    return reverse("tickets:message_html", args=[message.pk]) + ("?images=1" if images else "")


def img_src(response) -> str:
    return response["Content-Security-Policy"].split("img-src ")[1].split(";")[0]


def test_intake_keeps_cid_references_for_inline_images(received):
    _, message, _ = received
    assert 'src="cid:logo@example.com"' in message.body_html
    assert remote_image_count(message.body_html) == 2


def test_ticket_page_frames_the_message_and_offers_show_images(received, agent_client):
    ticket, message, _ = received
    page = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "tracker.example" not in page and "cdn.example" not in page
    assert f'src="{frame_url(message)}"' in page
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in page
    assert f'data-show-images="{frame_url(message, images=True)}"' in page
    assert "2 remote images are hidden" in page


def test_frame_holds_back_remote_images_and_shows_inline_ones(received, agent_client,
                                                              django_assert_num_queries):
    _, message, logo = received
    # user, the agent's teams, the message (visibility as a subquery), its inline
    # attachments: the same five however long the email
    with django_assert_num_queries(4):
        response = agent_client.get(frame_url(message))
    assert response.status_code == 200
    html = response.content.decode()
    assert "tracker.example" not in html and "cdn.example" not in html
    assert f'src="{reverse("tickets:attachment", args=[logo.pk])}"' in html
    assert '<a href="https://shop.example/" target="_blank"' in html
    csp = response["Content-Security-Policy"]
    assert img_src(response) == "'self' data:"
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "sandbox allow-same-origin allow-popups" in csp and "allow-scripts" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"
    image = agent_client.get(reverse("tickets:attachment", args=[logo.pk]))
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;")


def test_show_images_loads_them_for_that_message_only(received, agent_client):
    _, message, _ = received
    response = agent_client.get(frame_url(message, images=True))
    html = response.content.decode()
    assert TRACKER.replace("&", "&amp;") in html and "//cdn.example/banner.png" in html
    assert img_src(response) == "'self' data: https: http:"
    # The ticket page itself never allows remote images.
    page = agent_client.get(received[0].get_absolute_url())
    assert "https:" not in page["Content-Security-Policy"]


def test_other_teams_and_customers_cannot_open_the_frame(received, client, other_agent,
                                                         customer):
    _, message, _ = received
    client.force_login(other_agent)
    assert client.get(frame_url(message)).status_code == 404
    client.logout()
    assert client.get(frame_url(message)).status_code == 302  # to the staff login


def test_a_message_without_html_has_no_frame(ticket, agent_client):
    message = ticket.messages.get()
    assert agent_client.get(frame_url(message)).status_code == 404


@pytest.mark.parametrize(("src", "shown"), [
    ("https://a.example/x.png", "https://a.example/x.png"),
    ("http://a.example/x.png", "http://a.example/x.png"),
    ("//a.example/x.png", "//a.example/x.png"),
    ("/admin/logout/", None),          # our own endpoints: never
    ("cid:unknown@x", None),           # no such inline part
])
def test_render_rules_for_image_sources(src, shown):
    html = f'<img src="{src}" alt="x">'
    closed = render_email_html(html, cid_urls={}, show_remote=False)
    opened = render_email_html(html, cid_urls={}, show_remote=True)
    assert "src=" not in closed.html
    assert (f'src="{shown}"' in opened.html) if shown else ("src=" not in opened.html)
