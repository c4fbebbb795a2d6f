"""metrics/definitions.py is the one place a figure's meaning is written; these pin what
the other paths rely on."""

import dataclasses

from django.db import connection

from metrics import definitions
from metrics.fast.refresh import condition_sql
from metrics.filters import MetricFilters, parse_filters
from metrics.models import DailyTicketStats
from surveys.models import DETRACTOR_MAX, PROMOTER_MIN, Metric


def test_nps_bands_come_from_the_survey_constants():
    assert definitions.PROMOTERS.values == range(PROMOTER_MIN[Metric.NPS], 11)
    assert definitions.DETRACTORS.values == range(0, DETRACTOR_MAX[Metric.NPS] + 1)
    assert definitions.PASSIVES.values == range(7, 9)


def test_a_band_filters_only_on_the_ends_inside_its_scale():
    assert definitions.PROMOTERS.lookups() == {"score__gte": 9}
    assert definitions.PASSIVES.lookups() == {"score__gte": 7, "score__lte": 8}
    assert definitions.SATISFIED.lookups("response__") == {"response__score__gte": 4}


def test_every_filter_of_metric_filters_has_one_dimension():
    fields = {f.name for f in dataclasses.fields(MetricFilters)} - {"start", "end"}
    assert {d.attr for d in definitions.FILTERS} == fields


def test_parse_and_query_params_round_trip_through_the_dimension_table(team, agent):
    params = {"from": "2026-01-01", "to": "2026-01-31", "channel": "email", "agent": str(agent.pk),
              "team": str(team.pk), "tier": "enterprise", "priority": "high"}
    f = parse_filters(params)
    assert f.query_params() == params
    assert definitions.lookups(f, "ticket") == {
        "channel": "email", "assignee_id": agent.pk, "team_id": team.pk,
        "customer__organization__tier": "enterprise", "priority": "high"}


def test_every_ticket_count_has_a_rollup_column_and_compiles_for_the_refresh(db):
    columns = {f.name for f in DailyTicketStats._meta.get_fields()}
    for count in definitions.TICKET_COUNTS:
        assert count.name in columns
        sql, _params = condition_sql(count.condition)
        assert connection.ops.quote_name("tickets_ticket") not in sql  # aliased to t.


def test_every_rate_is_a_share_of_an_anchor_with_a_plain_count():
    for rate in definitions.RATES:
        assert rate.anchor in ("created", "solved") and rate.field.endswith("_pct")
