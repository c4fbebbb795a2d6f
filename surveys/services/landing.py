"""What a score link's page reads: one query, its SQL built once per process.

The score link is hit by thousands after a mailing (and by every link scanner in front of
their mailboxes), and building a four-table query's SQL was most of the page's Python
time: more than the page's template. So the landing page's read is the ORM's own SQL for
these columns, compiled once and run through ``Manager.raw()``, which still converts each
invitation field the way the ORM would (a time on SQLite). The program, the ticket and
the answer come back as model instances holding just these fields (``Model.from_db``);
reading any other field costs a query, which tests/surveys/test_score_link_speed.py would
catch. Measurements: docs/performance.md, "The survey score link".
"""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Model

from tickets.models import Ticket

from ..models import Invitation, Response, SurveyProgram

INVITATION_FIELDS = ("id", "status", "expires_at", "language", "program_id", "ticket_id")


def _in_model_order(model: type[Model], *fields: str) -> tuple[str, ...]:
    """Model.from_db takes the values in the order of the model's fields."""
    order = [field.attname for field in model._meta.concrete_fields]
    return tuple(sorted(fields, key=order.index))


# Per relation: its model and the fields the page shows (the first, its primary key, tells
# a missing row: the joins are outer joins).
RELATED: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "program": (SurveyProgram, _in_model_order(
        SurveyProgram, "id", "metric", "question_en", "question_fi", "followup_question_en",
        "followup_question_fi", "passive_question_en", "passive_question_fi")),
    "ticket": (Ticket, _in_model_order(Ticket, "id", "subject")),
    "response": (Response, _in_model_order(Response, "id", "score", "comment")),
}


def _column(relation: str, field: str) -> str:
    return f"landing_{relation}_{field}"


@cache
def landing_sql(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The ORM's SQL for the page's columns, one parameter: the invitation id."""
    columns = {_column(relation, field): F(f"{relation}__{field}")
               for relation, (_model, fields) in RELATED.items() for field in fields}
    query = (Invitation.objects.using(alias).filter(pk=0)
             .values(*INVITATION_FIELDS, **columns).query)
    sql, params = query.get_compiler(alias).as_sql()
    assert params == (0,), params  # the invitation id is the only parameter
    return sql


def _related[M: Model](invitation: Invitation, relation: str, model: type[M], alias: str
                        ) -> M | None:
    """The related row the query brought along as extra columns, or None if it has none."""
    fields = RELATED[relation][1]
    values = [invitation.__dict__.pop(_column(relation, field)) for field in fields]
    return model.from_db(alias, fields, values) if values[0] is not None else None


def load_landing(invitation_id: int, alias: str = DEFAULT_DB_ALIAS
                 ) -> tuple[Invitation | None, Response | None]:
    """The invitation with its program and ticket, and its answer if there is one."""
    found = list(Invitation.objects.using(alias).raw(landing_sql(alias), [invitation_id]))
    if not found:
        return None, None
    invitation = found[0]
    program = _related(invitation, "program", SurveyProgram, alias)
    ticket = _related(invitation, "ticket", Ticket, alias)
    response = _related(invitation, "response", Response, alias)
    if program is not None:
        invitation.program = program
    if ticket is not None:
        invitation.ticket = ticket
    if response is not None:
        invitation.response = response
    return invitation, response
