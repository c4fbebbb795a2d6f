"""Time entries and links in the API (docs/time-tracking.md):

- ``/api/v1/tickets/{id}/time/`` (list, log), ``…/time/timer/`` (start, stop),
  ``/api/v1/time-entries/{id}/`` (delete);
- ``/api/v1/tickets/{id}/links/`` (list, link), ``…/links/{link_id}/`` (unlink),
  ``…/solve_incidents/`` (reply to and solve a problem's open incidents).
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import StrictSerializer, parse_id, staff_user, validated

from ..models import Ticket, TicketLink, TimeEntry
from ..queries import visible_tickets
from ..services import links as link_services
from ..services import worklog
from .tickets import TICKET_ID, get_api_ticket


def _ticket(request: Request, pk: object) -> Ticket:
    return get_api_ticket(staff_user(request), pk, queryset=visible_tickets(staff_user(request)))


class TimeEntrySerializer(serializers.ModelSerializer):
    running = serializers.BooleanField(read_only=True)

    class Meta:
        model = TimeEntry
        fields = ["id", "ticket", "agent", "team", "worked_at", "seconds", "note", "is_timer",
                  "running", "created_at"]
        read_only_fields = fields


class TimeEntryCreateSerializer(StrictSerializer):
    # Bounds are the service's, so the message is the same as on the ticket page.
    minutes = serializers.FloatField(help_text="Duration in minutes, more than 0 and at most "
                                               "1440 (24 hours).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    worked_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                          help_text="When the work was done; default now.")


class TimerSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=["start", "stop"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class LinkSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: another "kind" enum would collide in the schema's names.
    kind = serializers.CharField(read_only=True,
                                 help_text="related, or incident (source is an incident of "
                                           "the problem target).")

    class Meta:
        model = TicketLink
        fields = ["id", "source", "target", "kind", "created_by", "created_at"]
        read_only_fields = fields


class LinkCreateSerializer(StrictSerializer):
    ticket = serializers.CharField(max_length=40, help_text="The other ticket: id or "
                                                            "reference (HD-123).")
    relation = serializers.ChoiceField(
        choices=list(link_services.RELATIONS),
        help_text="related; incident_of (this ticket is an incident of the other); "
                  "problem_of (this ticket is the problem of the other).")


class SolveIncidentsSerializer(StrictSerializer):
    body = serializers.CharField(max_length=20000, help_text="The reply each incident's "
                                                             "customer gets.")


@extend_schema(tags=["time"], parameters=[TICKET_ID])
class TicketTime(APIView):
    @extend_schema(summary="List a ticket's time entries",
                   responses={200: TimeEntrySerializer(many=True)})
    def get(self, request: Request, pk: str) -> Response:
        ticket = _ticket(request, pk)
        entries = TimeEntry.objects.filter(ticket=ticket).order_by("-worked_at", "-pk")
        return Response(TimeEntrySerializer(entries, many=True).data)

    @extend_schema(summary="Log time on a ticket", request=TimeEntryCreateSerializer,
                   responses={201: TimeEntrySerializer})
    def post(self, request: Request, pk: str) -> Response:
        ticket = _ticket(request, pk)
        data = validated(TimeEntryCreateSerializer, request.data)
        minutes = data["minutes"]
        if not math.isfinite(minutes):
            raise ValidationError({"minutes": _("Give a number.")}, code="invalid")
        seconds = round(max(-1e7, min(1e7, minutes)) * 60)  # the service refuses > 24 h
        entry = worklog.log_time(ticket=ticket, agent=staff_user(request), seconds=seconds,
                                 note=data["note"], worked_at=data["worked_at"],
                                 field="minutes")
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["time"], parameters=[TICKET_ID])
class TicketTimer(APIView):
    @extend_schema(summary="Start or stop your timer on a ticket", request=TimerSerializer,
                   responses={200: TimeEntrySerializer})
    def post(self, request: Request, pk: str) -> Response:
        ticket = _ticket(request, pk)
        data = validated(TimerSerializer, request.data)
        agent = staff_user(request)
        if data["action"] == "start":
            entry: TimeEntry | None = worklog.start_timer(ticket=ticket, agent=agent)
        else:
            entry = worklog.stop_timer(ticket=ticket, agent=agent, note=data["note"])
            if entry is None:
                return Response({"action": ["No timer of yours runs on this ticket."]},
                                status=status.HTTP_400_BAD_REQUEST)
        return Response(TimeEntrySerializer(entry).data)


class TimeEntryDetail(APIView):
    @extend_schema(summary="Delete a time entry (your own; managers any)", tags=["time"],
                   parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                   responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        entry_id, user = parse_id(pk), staff_user(request)
        entry = (TimeEntry.objects.filter(pk=entry_id, ticket__in=visible_tickets(user))
                 .select_related("ticket").first() if entry_id else None)
        if entry is None:
            raise Http404
        worklog.delete_entry(entry=entry, actor=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["links"], parameters=[TICKET_ID])
class TicketLinks(APIView):
    @extend_schema(summary="List a ticket's links", responses={200: LinkSerializer(many=True)})
    def get(self, request: Request, pk: str) -> Response:
        ticket = _ticket(request, pk)
        links = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).order_by("pk")
        return Response(LinkSerializer(links, many=True).data)

    @extend_schema(summary="Link a ticket to another one you may see",
                   request=LinkCreateSerializer, responses={201: LinkSerializer})
    def post(self, request: Request, pk: str) -> Response:
        ticket = _ticket(request, pk)
        data = validated(LinkCreateSerializer, request.data)
        other = link_services.find_visible_ticket(staff_user(request), data["ticket"])
        link = link_services.link_tickets(ticket=ticket, other=other, actor=staff_user(request),
                                          relation=data["relation"])
        return Response(LinkSerializer(link).data, status=status.HTTP_201_CREATED)


class TicketLinkDetail(APIView):
    @extend_schema(summary="Remove a link", tags=["links"],
                   parameters=[TICKET_ID, OpenApiParameter("link_id", int,
                                                           OpenApiParameter.PATH)],
                   responses={204: None})
    def delete(self, request: Request, pk: str, link_id: str) -> Response:
        ticket = _ticket(request, pk)
        link_pk = parse_id(link_id)
        link = (TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket), pk=link_pk)
                .select_related("source", "target").first() if link_pk else None)
        if link is None:
            raise Http404
        link_services.unlink_tickets(link=link, actor=staff_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SolveIncidents(APIView):
    @extend_schema(
        summary="Reply to and solve a problem's open incidents", tags=["links"],
        parameters=[TICKET_ID], request=SolveIncidentsSerializer,
        responses={200: inline_serializer("SolvedIncidents", {
            "solved": serializers.ListField(child=serializers.IntegerField()),
            "failed": serializers.ListField(child=inline_serializer("IncidentFailure", {
                "ticket": serializers.IntegerField(), "detail": serializers.CharField()}))})})
    def post(self, request: Request, pk: str) -> Response:
        problem = _ticket(request, pk)
        data = validated(SolveIncidentsSerializer, request.data)
        result = link_services.solve_incidents(problem=problem, actor=staff_user(request),
                                               body=data["body"])
        return Response({"solved": [t.pk for t in result.solved],
                         "failed": [{"ticket": t.pk, "detail": why} for t, why in result.failed]})
