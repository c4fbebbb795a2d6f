"""Admin pages: subscriptions and the log of every delivery (admins only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import sending, services, targets
from .models import Event, WebhookDelivery, WebhookSubscription


class AdminsOnly:
    """Webhooks can reach into other systems: only admins see or change them."""

    def _is_admin(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.role == user.Role.ADMIN)

    def has_module_permission(self, request):
        return self._is_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._is_admin(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request) and super().has_delete_permission(request, obj)


class WebhookSubscriptionForm(forms.ModelForm):
    """The same checks as the API's service: the URL's target, the events, the secret."""

    events = forms.MultipleChoiceField(label=_("events"), choices=Event.choices,
                                       widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(label=_("signing secret"), required=False, max_length=200,
                             help_text=_("At least 16 characters; left empty, one is generated."))

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "secret", "active"]

    def clean_url(self):
        try:
            return targets.check_static(self.cleaned_data["url"], field="url")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if not secret and self.instance.pk:
            return self.instance.secret
        try:
            return services.validate_secret(secret) if secret else ""
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["secret"]) from None


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(AdminsOnly, admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["url", "event_list", "active", "state", "delivery_counts"]
    list_filter = ["active"]
    search_fields = ["url"]
    fields = ["url", "events", "secret", "active", "created_by", "created_at",
              "failing_since", "disabled_at"]
    readonly_fields = ["created_by", "created_at", "failing_since", "disabled_at"]

    def get_queryset(self, request):
        # Counted in the list query itself: no query per row.
        return super().get_queryset(request).annotate(
            n_sent=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.SENT)),
            n_failed=Count("deliveries",
                           filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        )

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events or [])

    @admin.display(description=_("state"))
    def state(self, obj: WebhookSubscription) -> str:
        if obj.disabled_at:
            return _("switched off %(when)s") % {"when": date_format(
                localtime(obj.disabled_at), "SHORT_DATETIME_FORMAT")}
        if obj.failing_since:
            return _("failing since %(when)s") % {"when": date_format(
                localtime(obj.failing_since), "SHORT_DATETIME_FORMAT")}
        return _("working")

    @admin.display(description=_("deliveries"))
    def delivery_counts(self, obj: WebhookSubscription) -> str:
        url = reverse("admin:integrations_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk,
                           _("%(sent)d sent, %(failed)d failed")
                           % {"sent": obj.n_sent, "failed": obj.n_failed})

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.create_subscription(url=data["url"], events=data["events"],
                                                   secret=data["secret"], active=data["active"],
                                                   actor=request.user)
            obj.pk, obj.secret = created.pk, created.secret
            return
        original = WebhookSubscription.objects.get(pk=obj.pk)
        services.update_subscription(subscription=original, changes={
            name: data[name] for name in ("url", "events", "secret", "active")})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly, admin.ModelAdmin):
    list_display = ["created_at", "event", "url", "status", "attempts", "last_status_code",
                    "response_ms", "ticket_id"]
    list_filter = ["status", "event"]
    search_fields = ["url", "=delivery"]
    list_select_related = False
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    exclude = ["secret"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "secret"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a log: read, retry, never edit

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry_now(self, request, queryset):
        n = sending.retry_now(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(n)d delivery queued again.",
                                            "%(n)d deliveries queued again.", n) % {"n": n},
                          messages.SUCCESS)
