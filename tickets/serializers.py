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
    SideConversation,
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
    sla = TicketSLASerializer(read_only=True)  # every key None when no policy applied
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

        return typed_values(_extras(ticket).field_pairs)

    def to_representation(self, instance: Ticket) -> dict:
        """The ticket read straight from its prefetched rows. DRF's generic path asks each
        of some forty fields per row for its attribute and representation, which cost more
        than the list's SQL (docs/performance.md); ``generic_representation`` is that path,
        and a test checks both agree on every kind of ticket."""
        t = instance
        customer = t.customer
        org = customer.organization
        team, assignee = t.team, t.assignee
        return {
            "id": t.pk,
            "reference": t.reference,
            "subject": t.subject,
            "status": str(t.status),
            "priority": str(t.priority),
            "channel": str(t.channel),
            "customer": {"id": customer.pk, "email": customer.email, "name": customer.name,
                         "organization": None if org is None else
                         {"id": org.pk, "name": org.name, "tier": str(org.tier)}},
            "team": None if team is None else {"id": team.pk, "name": team.name},
            "assignee": None if assignee is None else
            {"id": assignee.pk, "name": assignee.name, "email": assignee.email},
            "tags": list(_extras(t).tag_names),
            "created_at": _when(t.created_at),
            "updated_at": _when(t.updated_at),
            "first_response_at": _when(t.first_response_at),
            "solved_at": _when(t.solved_at),
            "closed_at": _when(t.closed_at),
            "reopen_count": t.reopen_count,
            "public_reply_count": t.public_reply_count,
            "waiting_since": _when(t.waiting_since),
            "is_spam": t.is_spam,
            "merged_into": t.merged_into_id,
            "follows_up": t.follows_up_id,
            "sla": _sla(t),
            "custom_fields": self.get_custom_fields(t),
        }

    def generic_representation(self, instance: Ticket) -> dict:
        data = super().to_representation(instance)
        if data["sla"] is None:  # no policy applied: no TicketSLA row
            data["sla"] = dict(NO_SLA)
        return data


def _extras(ticket: Ticket) -> Ticket:
    """The ticket with ``tag_names`` and ``field_pairs``, as the API's views read them for
    a whole page (``tickets.api.tickets.with_extras``); read here for a ticket without."""
    if not hasattr(ticket, "field_pairs"):
        from .api.tickets import with_extras

        with_extras([ticket])
    return ticket


_DATETIME = serializers.DateTimeField()  # DRF's format: ISO 8601 in the current time zone


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def _sla(ticket: Ticket) -> dict:
    # select_related("sla") caches a missing row as None, so this costs no query.
    try:
        sla = ticket.sla
    except TicketSLA.DoesNotExist:
        return dict(NO_SLA)
    policy = sla.policy
    return {
        "policy": None if policy is None else {"id": policy.pk, "name": policy.name},
        "first_response_due_at": _when(sla.first_response_due_at),
        "resolution_due_at": _when(sla.resolution_due_at),
        "first_response_breached": sla.first_response_breached,
        "resolution_breached": sla.resolution_breached,
        "first_response_business_seconds": sla.first_response_business_seconds,
        "resolution_business_seconds": sla.resolution_business_seconds,
    }


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
            "cc",
            "bcc",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer", "nullable": True},
                                          "name": {"type": "string"},
                                          "email": {"type": "string"}}}
    )
    def get_author(self, message: Message) -> dict:
        if message.sender_email:  # an outside party answering a side conversation
            return {"id": None, "name": message.author_name, "email": message.sender_email}
        person = message.author_user or message.author_customer
        if person is None:
            return {"id": None, "name": str(_("System")), "email": ""}
        return {"id": person.pk, "name": message.author_name, "email": person.email}


class MessageCreateSerializer(StrictSerializer):
    read_only_names = frozenset(MessageSerializer.Meta.fields)

    body = serializers.CharField(max_length=MAX_BODY, help_text=_(
        "Markdown: **bold**, *italic*, lists, [links](https://…); sent as sanitized HTML with a "
        "plain-text part. Images named by an attachment's file name, ![](cid:name.png), are "
        "sent inline. A public reply ends with the agent's or team's signature."))
    public = serializers.BooleanField(default=True)
    # Replies (docs/replies.md): copies and files. Addresses are checked by the service,
    # so that an error names the address.
    cc = serializers.ListField(
        child=serializers.CharField(max_length=320), required=False, max_length=20,
        help_text=_("Copies of this and later public replies; replaces the ticket's list. "
                    "Leave out to keep it, send [] to clear it."))
    bcc = serializers.ListField(
        child=serializers.CharField(max_length=320), required=False, max_length=20,
        help_text=_("Blind copies, kept like cc."))
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False,
        help_text=_("Files (multipart/form-data). Programs are refused; size limits per file "
                    "and per message (HELPDESK_MAX_ATTACHMENT_BYTES, "
                    "HELPDESK_MAX_REPLY_ATTACHMENT_BYTES)."))


class ForwardSerializer(StrictSerializer):
    to = serializers.CharField(max_length=320, help_text=_("One email address."))
    body = serializers.CharField(max_length=MAX_BODY, required=False, allow_blank=True,
                                 default="", help_text=_("Your words above the forwarded text."))
    message = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text=_("One message of the ticket; leave out to "
                                                   "forward its whole public thread."))


class SideConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SideConversation
        fields = ["id", "ticket", "token", "to", "subject", "forwarded_message", "created_at"]
        read_only_fields = fields


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
