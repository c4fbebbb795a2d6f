"""In Chromium: a hostile attachment never runs in our origin, pages raise no CSP violation
(charts, API docs, the widget and the email frame all work under the policy), and remote
images in an email load only after "Show images" (issue 11, items 1 and 12)."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.metrics.conftest import make_response
from tests.tickets.test_attachment_serving import hostile_email
from tests.tickets.test_email_frame import html_email
from tickets import intake
from tickets.models import Attachment, InboundEmail
from tickets.portal import auth

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script; Playwright's init scripts are not subject to the CSP.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _session_cookie(live_server, *, user=None, customer=None) -> dict:
    client = Client()
    if user is not None:
        client.force_login(user)
    else:
        session = client.session
        session[auth.CUSTOMER_KEY] = customer.pk
        session.save()
    return {"name": "sessionid", "value": client.cookies["sessionid"].value,
            "url": live_server.url}


@pytest.fixture
def watched(browser):
    """A page whose CSP violations (events in every frame, and console reports) are kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    console = []
    page.on("console", lambda m: console.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.console_csp = console
    yield page
    context.close()


def violations(page) -> list[str]:
    found = list(page.console_csp)
    for frame in page.frames:
        if not frame.is_detached():
            found += frame.evaluate("window.__csp || []")
    return found


def test_a_scripted_html_or_svg_attachment_never_runs_in_the_portal(watched, live_server,
                                                                    customer):
    result = intake.receive_raw(hostile_email(), source=InboundEmail.Source.FILE)
    page = watched
    page.context.add_cookies([_session_cookie(live_server, customer=customer)])
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/support/tickets/{result.ticket.pk}/")
    title = page.title()
    for name in ("invoice.html", "logo.svg", "fake.png"):
        item = Attachment.objects.get(message__ticket=result.ticket, filename=name)
        with page.expect_download() as download:
            page.click(f"a[href='/support/attachments/{item.pk}/']")
        assert download.value.suggested_filename == name
        # Even opened directly (a link shared by an attacker), the file is a download.
        with page.expect_download():
            try:
                page.goto(f"{live_server.url}/support/attachments/{item.pk}/")
            except Exception as exc:  # Chromium reports a navigation that became a download
                assert "net::ERR_ABORTED" in str(exc) or "Download is starting" in str(exc)
    page.wait_for_timeout(300)
    assert page.title() == title != "pwned"
    assert not [url for url in requests if "pwned" in url]
    # The true PNG is shown, as an image, in our origin.
    png = Attachment.objects.get(message__ticket=result.ticket, filename="pixel.png")
    response = page.goto(f"{live_server.url}/support/attachments/{png.pk}/")
    assert response.headers["content-type"] == "image/png"


def test_pages_raise_no_csp_violation_and_charts_render(watched, live_server, manager, team,
                                                        customer, admin_user):
    for score in (2, 4, 5):
        make_response("csat", score)
    make_response("nps", 9)
    page = watched
    page.context.add_cookies([_session_cookie(live_server, user=manager)])

    page.goto(f"{live_server.url}/metrics/")
    # Predicates are functions: Playwright evals expression strings, which the CSP forbids.
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-nps') !== undefined")
    for chart in ("chart-nps", "chart-csat", "chart-csat-mean", "chart-times"):
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), chart
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("button[data-print]")  # the handler from app.js, not an inline onclick
    assert page.evaluate("window.__printed === true")
    assert violations(page) == []

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "Helpdesk API" in page.inner_text(".swagger-ui .info")
    assert violations(page) == []

    # The admin as an administrator (its own sign-in page now redirects to ours).
    page.context.clear_cookies()
    page.context.add_cookies([_session_cookie(live_server, user=admin_user)])
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#content")
    assert violations(page) == []


def test_widget_demo_works_under_the_csp(watched, live_server):
    page = watched
    page.goto(f"{live_server.url}/support/widget/demo/")
    page.click("#helpdesk-widget >> button.launcher")
    # Styled by its constructed stylesheet: the launcher is fixed in the corner.
    position = page.evaluate("""getComputedStyle(document.querySelector('#helpdesk-widget')
        .shadowRoot.querySelector('.launcher')).position""")
    assert position == "fixed"
    assert violations(page) == []


def test_remote_images_load_only_after_show_images(watched, live_server, team, customer,
                                                   screenshot):
    result = intake.receive_raw(html_email(), source=InboundEmail.Source.FILE)
    ticket = result.ticket
    ticket.team = team
    ticket.save(update_fields=["team"])
    agent = UserFactory(email="iida@helpdesk.test", name="Iida Agent", teams=[team])
    page = watched
    page.context.add_cookies([_session_cookie(live_server, user=agent)])
    remote = []
    page.route("**/*", lambda route: (remote.append(route.request.url), route.abort())
               if "example" in route.request.url.split("/")[2] else route.continue_())

    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    frame = page.frame_locator(f"#email-{result.message.pk}")
    logo = frame.locator("img[alt=Logo]")
    logo.wait_for()
    page.wait_for_function(f"""() => document.getElementById('email-{result.message.pk}')
        .contentDocument.querySelector('img[alt=Logo]').naturalWidth > 0""")
    assert remote == []  # the tracker and the banner were not even requested
    assert page.is_visible("[data-remote-images]")
    assert violations(page) == []

    page.click("button[data-show-images]")
    page.wait_for_function("() => document.querySelector('[data-remote-images]').hidden")
    frame.locator("img[alt=Banner][src]").wait_for()
    page.wait_for_timeout(500)
    assert any("tracker.example" in url for url in remote)
    assert any("cdn.example" in url for url in remote)
    assert violations(page) == []
