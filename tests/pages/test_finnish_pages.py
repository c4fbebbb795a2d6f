"""The main pages in Finnish show no raw codes (channel, status, answer groups, skip
reasons, outcomes…), Finnish decimals (a comma) and Finnish dates, with the demo data."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from helpdesk.models import User
from helpdesk.templatetags.labels import vocabularies
from metrics.templatetags.metrics_tags import number, signed
from surveys.models import SurveyProgram
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

CODES = set().union(*(set(v) for v in vocabularies().values()))
# One decimal (or a figure before %): a Finnish time "14.05" or date "1.12." is not one.
DOT_DECIMAL = re.compile(r"(?<![\d.])-?\d+\.(\d(?![\d.])|\d{2,}(?=\s*%))")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class VisibleText(HTMLParser):
    """Each run of text a person sees (not scripts, styles or attribute values)."""

    def __init__(self):
        super().__init__()
        self.chunks, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "template", "textarea")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "template", "textarea")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(" ".join(data.split()))


def problems(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for chunk in parser.chunks:
        words = [w.strip(" ,:()") for w in chunk.split(",")]
        if chunk in CODES or (len(words) > 1 and all(w in CODES for w in words)):
            found.append(f"raw code: {chunk!r}")
        found += [f"raw code: {w!r}" for w in re.findall(r"\b[a-z]+_[a-z_]+\b", chunk)
                  if w in CODES]
        found += [f"dot decimal: {chunk!r}" for _ in DOT_DECIMAL.finditer(chunk)]
        found += [f"ISO date: {chunk!r}" for _ in ISO_DATE.finditer(chunk)]
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", tickets=150, no_progress=True, verbosity=0)
    manager = User.objects.get(email="manager@demo.test")
    agent = User.objects.get(email="agent@demo.test")
    for user in (manager, agent):
        user.language = "fi"
        user.save(update_fields=["language"])
    return manager, agent


def test_main_pages_in_finnish_show_labels_commas_and_finnish_dates(client, demo):
    manager, agent = demo
    ticket = Ticket.objects.filter(survey_responses__isnull=False).first()
    program = SurveyProgram.objects.first()
    pages = {
        manager: ["tickets:queue", "tickets:search", "tickets:new", "tickets:macro_list",
                  "surveys:followups", "surveys:programs", "surveys:new_program",
                  "metrics:dashboard", "metrics:agent_dashboard", "metrics:responses",
                  "metrics:churn", "metrics:digest_preview", "rules:list"],
        agent: ["tickets:queue", "metrics:agent_dashboard", "surveys:followups",
                "tickets:settings"],
    }
    extra = [reverse("tickets:detail", args=[ticket.pk]),
             reverse("surveys:edit_program", args=[program.pk]),
             reverse("surveys:followups") + "?status=all",
             reverse("metrics:responses") + "?category=promoter"]
    checked = 0
    for user, names in pages.items():
        client.force_login(user)
        for url in [reverse(name) for name in names] + (extra if user == manager else []):
            response = client.get(url, {"q": "order"} if "search" in url else None)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert '<html lang="fi">' in html, url
            assert problems(html) == [], url
            assert "Select an option" not in html and "---------" not in html, url
            checked += 1
    assert checked == 21
    client.force_login(manager)
    dashboard = client.get(reverse("metrics:dashboard")).content.decode()
    assert re.search(r"\d,\d", dashboard)  # the figures really have decimals, with commas
    churn = client.get(reverse("metrics:churn")).content.decode()
    assert "Arvostelijat" in churn and "Ei NPS-vastauksia" in churn
    responses = client.get(reverse("metrics:responses")).content.decode()
    assert "Suosittelijat" in responses
    assert re.search(r"<td>(Sähköposti|Verkkolomake|Puhelin|Chat)</td>", responses)


def test_the_figure_filters_follow_the_language():
    from django.utils import translation

    with translation.override("fi"):
        assert (number(66.7, "%"), signed(1.5), signed(-0.5), number(12)) == (
            "66,7%", "+1,5", "-0,5", "12")
    with translation.override("en"):
        assert (number(66.7, "%"), signed(1.5)) == ("66.7%", "+1.5")


def test_problems_finds_what_it_should():
    assert problems("<td>web</td><td>phone, web</td><p>no_answer left</p>") == [
        "raw code: 'web'", "raw code: 'phone, web'", "raw code: 'no_answer'"]
    assert problems("<p>66.7 %</p><p>NPS 4.5</p>") == [
        "dot decimal: '66.7 %'", "dot decimal: 'NPS 4.5'"]
    assert problems("<p>1.12.2026 klo 14.05, 66,7 %</p><script>x=1.5</script>") == []
