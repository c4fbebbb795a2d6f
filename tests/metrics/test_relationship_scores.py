"""The relationship page reports each program in its own metric (NPS, CSAT or CES) with the
dashboard's interval and test, per wave, organization and tier; relationship answers of
any metric never reach a transactional figure."""

from datetime import timedelta

import pytest

from metrics import relationship, stats
from metrics.fast import read
from metrics.filters import MetricFilters
from metrics.queries import families
from surveys.models import SCALES, Kind, RelationshipWave, Response, SurveyProgram
from tests.factories import CustomerFactory, OrganizationFactory

from .conftest import END, INSIDE, START, make_response


def _program(metric: str, name: str = "Relationship") -> SurveyProgram:
    return SurveyProgram.objects.create(name=name, kind=Kind.RELATIONSHIP, metric=metric,
                                        question_en="Q", question_fi="K")


def _wave(program, number: int) -> RelationshipWave:
    day = START.date() + timedelta(days=90 * (number - 1))
    return RelationshipWave.objects.create(program=program, number=number, starts_on=day,
                                           ends_on=day)


def _answers(wave, org, scores, *, metric=None, tier=None):
    metric = metric or wave.program.metric
    low, high = SCALES[metric]
    for score in scores:
        Response.objects.create(
            kind=Kind.RELATIONSHIP, wave=wave, metric=metric, scale_min=low, scale_max=high,
            score=score, customer=CustomerFactory(organization=org), organization=org,
            organization_tier=tier or org.tier, channel="email", created_at=INSIDE)


def test_a_csat_program_is_reported_as_percent_satisfied_with_wilson_interval(db):
    program = _program("csat")
    wave = _wave(program, 1)
    acme = OrganizationFactory(name="Acme", tier="premium")
    _answers(wave, acme, [5, 4, 4, 2, 1])  # 3 of 5 satisfied
    [row] = relationship.by_wave(program)
    low, high = stats.wilson_interval(3, 5)
    assert row["score"]["score"] == 60.0 and row["score"]["n"] == 5
    assert (row["score"]["low"], row["score"]["high"]) == (round(low, 1), round(high, 1))
    [org] = relationship.by_organization(program, wave.pk)
    [tier] = relationship.by_tier(program, wave.pk)
    assert org["score"]["score"] == tier["score"]["score"] == 60.0
    assert tier["organization_tier"] == "premium"


def test_a_ces_program_is_reported_as_mean_with_the_easy_share_and_its_interval(db):
    program = _program("ces")
    wave = _wave(program, 1)
    _answers(wave, OrganizationFactory(), [7, 6, 5, 2])  # mean 5, 3 of 4 easy
    [row] = relationship.by_wave(program)
    assert row["score"]["score"] == 5.0 and row["score"]["easy_pct"] == 75.0
    low, high = stats.wilson_interval(3, 4)
    assert (row["score"]["low"], row["score"]["high"]) == (round(low, 1), round(high, 1))


def test_the_trend_tests_each_wave_against_the_previous_with_the_metric_s_own_test(db):
    program = _program("csat")
    org = OrganizationFactory()
    _answers(_wave(program, 1), org, [5] * 40 + [1] * 10)  # 80 % satisfied
    _answers(_wave(program, 2), org, [5] * 15 + [1] * 35)  # 30 %
    _answers(_wave(program, 3), org, [5] * 16 + [1] * 34)  # 32 %: within the noise
    first, second, third = relationship.by_wave(program)
    assert first["comparison"] is None
    expected = stats.compare_proportions((15, 50), (40, 50))
    assert second["comparison"] == expected and second["comparison"].significant
    assert second["change"] == -50.0
    assert third["comparison"].significant is False


def test_each_program_reads_only_its_own_waves_and_metric(db):
    nps, csat = _program("nps", "Yearly NPS"), _program("csat", "Quarterly CSAT")
    org = OrganizationFactory()
    _answers(_wave(nps, 1), org, [10, 9, 0])
    _answers(_wave(csat, 1), org, [5, 1])
    [nps_row] = relationship.by_wave(nps)
    [csat_row] = relationship.by_wave(csat)
    assert nps_row["score"]["n"] == 3 and csat_row["score"]["n"] == 2


def _transactional_figures():
    f = MetricFilters(START, END)
    return (read.summary_pair(f), [read.breakdown(f, by) for by in read.DIMENSIONS],
            families.survey_scores(f, None), read.dashboard_figures(f, "week"))


@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_relationship_answers_of_any_metric_never_reach_transactional_figures(
        metric, team, agent):
    org = OrganizationFactory(tier="premium")
    for score in (1, 3, 5):
        make_response(metric, score, team=team, agent=agent, organization=org,
                      organization_tier="premium")
    before = _transactional_figures()
    assert before[0][0][metric]["n"] == 3  # not vacuous
    # Same metric, day, channel, team, agent, organization and tier: only kind differs.
    low, high = SCALES[metric]
    wave = _wave(_program(metric), 1)
    for score in (high, high, low, low):
        Response.objects.create(
            kind=Kind.RELATIONSHIP, wave=wave, metric=metric, scale_min=low, scale_max=high,
            score=score, customer=CustomerFactory(organization=org), organization=org,
            organization_tier="premium", channel="email", team=team, agent=agent,
            created_at=INSIDE)
    assert _transactional_figures() == before
    assert relationship.by_wave(wave.program)[0]["score"]["n"] == 4


def test_relationship_page_shows_the_program_s_metric_with_pinned_queries(
        client, manager, db, django_assert_num_queries):
    nps, csat = _program("nps", "Yearly NPS"), _program("csat", "Quarterly CSAT")
    for number in (1, 2):
        wave = _wave(csat, number)
        for i in range(4):
            _answers(wave, OrganizationFactory(), [5, 4, 1 + i])
    _answers(_wave(nps, 1), OrganizationFactory(), [10, 0])
    client.force_login(manager)
    with django_assert_num_queries(7):
        page = client.get(f"/metrics/relationship/?program={csat.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "CSAT, % satisfied" in html and "Quarterly CSAT" in html and "95 % interval" in html
    assert f'?program={nps.pk}"' in html  # the other program is one click away
    for _ in range(4):
        _answers(RelationshipWave.objects.get(program=csat, number=2), OrganizationFactory(),
                 [5, 2])
    with django_assert_num_queries(7):  # as many with twice the organizations
        assert client.get(f"/metrics/relationship/?program={csat.pk}").status_code == 200


def test_relationship_page_in_finnish(client, manager, db):
    program = _program("ces")
    _answers(_wave(program, 1), OrganizationFactory(), [7, 2])
    client.force_login(manager)
    page = client.get("/metrics/relationship/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Asiakassuhdekyselyjen tulokset" in page and "CES, keskiarvo" in page


def test_unknown_program_or_wave_is_a_400_naming_the_parameter(client, manager, db):
    program = _program("nps")
    other = _wave(_program("csat", "Other"), 1)
    client.force_login(manager)
    bad_program = client.get("/metrics/relationship/?program=999999")
    bad_wave = client.get(f"/metrics/relationship/?program={program.pk}&wave={other.pk}")
    assert bad_program.status_code == bad_wave.status_code == 400
    assert "program" in bad_program.content.decode() and "wave" in bad_wave.content.decode()


def test_page_without_programs_says_so(client, manager, db):
    client.force_login(manager)
    page = client.get("/metrics/relationship/")
    assert page.status_code == 200
    assert "No relationship survey program yet." in page.content.decode()


def test_the_nps_interval_shown_stays_on_the_scale(db):
    program = _program("nps")
    _answers(_wave(program, 1), OrganizationFactory(), [10, 10, 9, 10])
    [row] = relationship.by_wave(program)
    assert row["score"]["score"] == 100.0 and row["score"]["high"] == 100.0
    assert row["score"]["low"] == 100.0 - row["score"]["margin_of_error"]
