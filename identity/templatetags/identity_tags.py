from django import template
from django.conf import settings

from identity import tokens, twofactor
from identity.forms import ApiTokenForm

register = template.Library()


@register.inclusion_tag("identity/_security.html", takes_context=True)
def security_settings(context):
    """The "Security" and "API tokens" sections of the personal settings page."""
    user = context["request"].user
    enrolled = twofactor.is_enrolled(user)
    return {
        "csrf_token": context.get("csrf_token"), "user": user, "enrolled": enrolled,
        "recovery_left": twofactor.recovery_codes_left(user) if enrolled else 0,
        "required": settings.HELPDESK_REQUIRE_2FA and (
            user.is_superuser or user.role in ("manager", "admin")),
        "sso_session": context["request"].session.get("identity_method") == "sso",
        "tokens": list(tokens.active_tokens(user)), "token_form": ApiTokenForm(),
        "is_admin": user.is_superuser or user.role == "admin",
    }
