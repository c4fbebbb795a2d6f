"""axe-core (vendored from the npm registry, static/vendor/axe-core/) audits the main
staff and customer pages against WCAG 2.1 A and AA: every page has 0 violations."""

from pathlib import Path

import pytest
from django.conf import settings

from demo.data.people import DEMO_PASSWORD
from surveys.models import Invitation
from surveys.tokens import make_score_token

from . import demo_site
from .signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))  # the context bypasses CSP for this one tag
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => v.id + ' (' + v.nodes.length + '): ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""", TAGS)
    return found


def _context(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)


@pytest.mark.parametrize("language", ["en", "fi"])
def test_main_pages_have_no_wcag_violations(browser, live_server, language):
    site = demo_site.build()
    url, manager = live_server.url, site["manager"]
    responded = demo_site.ticket_with_responses()
    found: dict[str, list[str]] = {}

    staff = demo_site.staff_page(browser, url, manager, language)
    staff.context.close()
    context = _context(browser)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, url, manager.email, password=DEMO_PASSWORD)
    for path in ("/?view=all_open", responded.get_absolute_url(), "/metrics/", "/metrics/me/",
                 "/settings/", "/search/?q=order", "/rules/", "/macros/",
                 "/surveys/follow-ups/", "/surveys/programs/",
                 "/metrics/responses/?agent=none"):
        page.goto(url + path)
        found[path] = violations(page)
    context.close()

    customer = site["customer"]
    customer.language = language
    customer.save(update_fields=["language"])
    context = _context(browser)
    page = context.new_page()
    page.set_default_timeout(20_000)
    from tickets.portal.auth import make_sign_in_token

    page.goto(f"{url}/support/sign-in/{make_sign_in_token(customer)}/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    invitation = Invitation.objects.filter(status=Invitation.Status.SENT).first()
    invitation.language = language
    invitation.save(update_fields=["language"])
    for path in ("/support/new/", "/support/", f"/support/tickets/{site['ticket'].pk}/",
                 f"/surveys/r/{make_score_token(invitation.pk, 8)}/", "/support/widget/demo/"):
        page.goto(url + path)
        found[path] = violations(page)
    context.close()
    bad = {path: v for path, v in found.items() if v}
    assert bad == {}, "\n".join(f"{path}: {v}" for path, v in bad.items())
