"""REST API shapes of tickets and messages: one output serializer per resource and
one strict input serializer per write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api import StrictSerializer

from .models import (
    Attachment,
    Channel,
    Customer,
    Message,
    Organization,
    SLAPolicy,
    Team,
    Ticket,
    TicketSLA,
)

User = get_user_model()
MAX_BODY = 200_000


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "tier"]


class CustomerSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "email", "name", "organization"]


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email"]


class SLAPolicyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SLAPolicy
        fields = ["id", "name"]


class TicketSLASerializer(serializers.ModelSerializer):
    policy = SLAPolicyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketSLA
        fields = [
            "policy",
            "first_response_due_at",
            "resolution_due_at",
            "first_response_breached",
            "resolution_breached",
            "first_response_business_seconds",
            "resolution_business_seconds",
        ]


# A ticket no policy applied to has no TicketSLA row; clients still get every key.
NO_SLA = dict.fromkeys(TicketSLASerializer.Meta.fields)


class TicketSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    customer = CustomerSerializer(read_only=True)
    team = TeamRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    sla = serializers.SerializerMethodField()
    custom_fields = serializers.SerializerMethodField()  # docs/custom-fields.md

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "channel",
            "customer",
            "team",
            "assignee",
            "tags",
            "created_at",
            "updated_at",
            "first_response_at",
            "solved_at",
            "closed_at",
            "reopen_count",
            "public_reply_count",
            "waiting_since",
            "is_spam",
            "merged_into",
            "follows_up",
            "sla",
            "custom_fields",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {},
                          "description": "Custom field key → value (text, number, option key, "
                                         "list of option keys, true/false, YYYY-MM-DD)."})
    def get_custom_fields(self, ticket: Ticket) -> dict:
        from .services.custom_fields import typed_values

        return typed_values(ticket)

    @extend_schema_field(TicketSLASerializer)
    def get_sla(self, ticket: Ticket) -> dict:
        # select_related("sla") caches a missing row as None, so this costs no query.
        try:
            sla = ticket.sla
        except TicketSLA.DoesNotExist:
            return dict(NO_SLA)
        return TicketSLASerializer(sla).data


TICKET_FIELDS = frozenset(TicketSerializer.Meta.fields)


class CustomerInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=320)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TagListField(serializers.ListField):
    child = serializers.SlugField(max_length=50, allow_unicode=True)
    max_length = 50


class TicketCreateSerializer(StrictSerializer):
    read_only_names = TICKET_FIELDS

    subject = serializers.CharField(max_length=255)
    body = serializers.CharField(max_length=MAX_BODY)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices,
                                       default=Ticket.Priority.NORMAL)
    customer = CustomerInputSerializer()
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False,
                                              allow_null=True, default=None)
    tags = TagListField(required=False, default=list, max_length=50)


class TicketUpdateSerializer(StrictSerializer):
    read_only_names = TICKET_FIELDS

    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False,
                                              allow_null=True)
    tags = TagListField(required=False, max_length=50)
    custom_fields = serializers.DictField(
        required=False, help_text=_("Custom field key → value; null or \"\" clears it. "
                                    "A wrong type is a 400 naming field_<key>."))


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "url"]

    def get_url(self, attachment: Attachment) -> str:
        """The API's download route: checked access, never a raw media URL (see docs/security.md)."""
        url = reverse("tickets_api:attachment", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.CharField(source="body_text", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author_type",
            "author",
            "public",
            "channel",
            "body",
            "body_html",
            "is_automatic",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer", "nullable": True},
                                          "name": {"type": "string"},
                                          "email": {"type": "string"}}}
    )
    def get_author(self, message: Message) -> dict:
        person = message.author_user or message.author_customer
        if person is None:
            return {"id": None, "name": str(_("System")), "email": ""}
        return {"id": person.pk, "name": message.author_name, "email": person.email}


class MessageCreateSerializer(StrictSerializer):
    read_only_names = frozenset(MessageSerializer.Meta.fields)

    body = serializers.CharField(max_length=MAX_BODY)
    public = serializers.BooleanField(default=True)


class IntakeSerializer(StrictSerializer):
    customer = CustomerInputSerializer()
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=MAX_BODY)
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        default="")


class IntakeResultSerializer(serializers.Serializer):
    ticket = serializers.IntegerField()
    reference = serializers.CharField()
    message = serializers.IntegerField()
    created = serializers.BooleanField(help_text=_("False when the external id was seen before."))
