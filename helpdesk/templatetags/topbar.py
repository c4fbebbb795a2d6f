"""``{% topbar %}``: the staff top bar of base.html (helpdesk/topbar.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from helpdesk import topbar as bar

register = template.Library()


@register.simple_tag(takes_context=True)
def topbar(context) -> SafeString:
    return bar.render(context["request"], user=context["user"],
                      csrf_token=str(context.get("csrf_token", "")), q=str(context.get("q") or ""))
