"""``/api/v1/tickets/``: list, create, read and change tickets through the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import parse_id, staff_user, validated
from helpdesk.models import User
from helpdesk.planning import written_join_order

from .. import policy, services
from ..custom_field_query import filter_by_fields
from ..filters import TicketFilter
from ..models import Tag, Ticket, TicketFieldValue
from ..queries import visible_tickets
from ..serializers import TicketCreateSerializer, TicketSerializer, TicketUpdateSerializer

FIELD_FILTER = OpenApiParameter(
    "field_<key>", str, OpenApiParameter.QUERY, required=False,
    description="Custom field filter, one parameter per field: field_<key>=value (e.g. "
                "field_product=printer). Option fields take one option key or several "
                "separated by commas (any matches); checkboxes true or false; dates "
                "YYYY-MM-DD. An unknown field or a value of the wrong type is a 400 naming "
                "the parameter.")
TICKET_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Ticket id.")


def api_tickets(user: User) -> QuerySet[Ticket]:
    """Visible tickets with the rows the serializer reads joined; their tags and custom
    field values come from ``with_extras``, one query for a whole page."""
    return (
        visible_tickets(user)
        .select_related("customer__organization", "team", "assignee", "sla__policy")
        # The search document can be large and is never shown.
        .defer("search_vector")
    )


def _extras_sql(count: int) -> str:
    tags, links = Tag._meta.db_table, Ticket.tags.through._meta.db_table
    values = TicketFieldValue._meta.db_table
    ids = ", ".join(["%s"] * count)
    # Tags first (field 0, by name as Tag orders them), then each field's values.
    return (f'SELECT l."ticket_id", 0, t."name" FROM "{links}" l '  # noqa: S608 - table names
            f'JOIN "{tags}" t ON t."id" = l."tag_id" WHERE l."ticket_id" IN ({ids}) '
            f'UNION ALL SELECT v."ticket_id", v."field_id", v."value" FROM "{values}" v '
            f'WHERE v."ticket_id" IN ({ids}) ORDER BY 1, 2, 3')


def with_extras[T: Sequence[Ticket]](tickets: T) -> T:
    """Set ``tag_names`` and ``field_pairs`` (``(field id, value)``) on each ticket, for
    ``TicketSerializer``: one written-out query for the page instead of two prefetches
    that built a model instance per tag, per value and per value's field
    (docs/performance.md, "The API's ticket list")."""
    ids = [ticket.pk for ticket in tickets]
    tag_names: dict[int, list[str]] = {pk: [] for pk in ids}
    field_pairs: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_extras_sql(len(ids)), ids + ids)
            for ticket_id, field_id, text in cursor.fetchall():
                if field_id == 0:
                    tag_names[ticket_id].append(text)
                else:
                    field_pairs[ticket_id].append((field_id, text))
    for ticket in tickets:
        vars(ticket).update(tag_names=tag_names[ticket.pk], field_pairs=field_pairs[ticket.pk])
    return tickets


def get_api_ticket(user: User, pk: object, *, queryset: QuerySet[Ticket] | None = None
                   ) -> Ticket:
    """The ticket if this user may see it; 404 otherwise (also for ids that cannot exist)."""
    ticket_id = parse_id(pk)
    if ticket_id is None:
        raise Http404
    try:
        ticket = (api_tickets(user) if queryset is None else queryset).get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise Http404 from None
    return with_extras([ticket])[0] if queryset is None else ticket


@extend_schema_view(
    get=extend_schema(summary="List tickets", tags=["tickets"], parameters=[FIELD_FILTER]),
    post=extend_schema(summary="Create a ticket", tags=["tickets"],
                       request=TicketCreateSerializer, responses={201: TicketSerializer}),
)
class TicketListCreate(generics.ListCreateAPIView):
    serializer_class = TicketSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return Ticket.objects.none()
        tickets = api_tickets(staff_user(self.request)).order_by("-created_at", "-id")
        return filter_by_fields(tickets, self.request.query_params, strict=True)

    def paginate_queryset(self, queryset: QuerySet[Any, Any] | Sequence[Any]
                          ) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else with_extras(list(page))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The page query joins six lookups by primary key; planned in the written order it
        # takes ~1 ms to plan instead of 5–20 ms (helpdesk/planning.py).
        with written_join_order():
            return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(TicketCreateSerializer, request.data)
        person = data["customer"]
        team = data["team"]
        user = staff_user(request)
        if team is None and not user.sees_all_tickets:
            # Otherwise an agent would create a ticket they could not see afterwards.
            team = policy.allowed_teams(user).order_by("pk").first()
        policy.check(user, policy.Action.CREATE, team=team)  # 400 naming "team"
        with transaction.atomic():
            customer = services.get_or_create_customer(email=person["email"], name=person["name"])
            ticket = services.create_ticket(services.NewTicket(
                subject=data["subject"], body=data["body"], customer=customer,
                channel=data["channel"], priority=data["priority"], team=team,
                tags=tuple(data["tags"]),
            ), actor=user)
        ticket = api_tickets(user).filter(pk=ticket.pk).first() or ticket
        return Response(TicketSerializer(with_extras([ticket])[0],
                                         context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read a ticket", tags=["tickets"], parameters=[TICKET_ID]),
    patch=extend_schema(summary="Change a ticket", tags=["tickets"], parameters=[TICKET_ID],
                        request=TicketUpdateSerializer, responses={200: TicketSerializer}),
)
class TicketDetail(generics.RetrieveUpdateAPIView):
    serializer_class = TicketSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Ticket:
        return get_api_ticket(staff_user(self.request), self.kwargs["pk"])

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        data = validated(TicketUpdateSerializer, request.data)
        apply_changes(ticket=ticket, changes=data, actor=staff_user(request))
        ticket = api_tickets(staff_user(request)).filter(pk=ticket.pk).first() or ticket
        return Response(TicketSerializer(with_extras([ticket])[0],
                                         context={"request": request}).data)


def apply_changes(*, ticket: Ticket, changes: dict, actor: User) -> None:
    """The PATCH body as one change set: all or nothing, checked by ``tickets.policy``."""
    changes = dict(changes)
    if "custom_fields" in changes:  # the service's name for them is "fields"
        changes["fields"] = changes.pop("custom_fields")
    services.apply_ticket_changes(ticket=ticket, changes=changes, actor=actor, source="api")
