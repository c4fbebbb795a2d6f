"""Every main page fits the window at 1280, 1366 and 1440 px in English and Finnish: the
document never scrolls sideways and the top bar never overflows, also with a subject of
200 characters without a space. Screenshots at 1280, 1440 and 1920 px go to the shots
folder."""

import pytest

from . import demo_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 1366, 1440, 1920)


def _widths(page) -> dict:
    return page.evaluate("""() => {
        const doc = document.documentElement, bar = document.querySelector('.topbar');
        return {scroll: doc.scrollWidth, client: doc.clientWidth,
                bar: bar ? bar.scrollWidth - bar.clientWidth : 0, lang: doc.lang};
    }""")


def _check(page, url: str, name: str, language: str, failures: list) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        got = _widths(page)
        assert got["lang"] == language, url
        if got["scroll"] > got["client"] or got["bar"] > 0:
            failures.append(f"{name} {language} {width}px: {got}")
        if width in (1280, 1440, 1920):
            demo_site.shot(page, f"{name}-{width}-{language}")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_main_pages_fit_1280_px(browser, live_server, language):
    site = demo_site.build()
    long_ticket, url = site["ticket"], live_server.url
    failures: list[str] = []
    staff = demo_site.staff_page(browser, url, site["manager"], language)
    for path, name in (("/?view=all_open", "queue"),
                       ("/?view=all", "queue-all"),  # where the dashboards' numbers lead
                       ("/search/?q=Tilausnumero", "search-long-subject"),
                       (long_ticket.get_absolute_url(), "ticket-long-subject"),
                       ("/metrics/", "dashboard"), ("/metrics/me/", "agent-dashboard")):
        _check(staff, url + path, name, language, failures)
    staff.context.close()
    customer = demo_site.customer_page(browser, url, site["customer"], language)
    for path, name in (("/support/new/", "portal-new"), ("/support/", "portal-tickets"),
                       (f"/support/tickets/{long_ticket.pk}/", "portal-ticket-long-subject")):
        _check(customer, url + path, name, language, failures)
    customer.context.close()
    assert failures == []
