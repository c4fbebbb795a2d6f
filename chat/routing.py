"""The websocket routes (docs/live-chat.md, "Sockets").

The agent socket carries the session cookie: only pages of this site may open it
(AllowedHostsOriginValidator). The visitor socket carries its own token and runs on
customers' sites: the widget's allowed origins (HELPDESK_WIDGET_ORIGINS) apply.
"""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator
from django.conf import settings
from django.urls import re_path

from .consumers import AgentConsumer, VisitorConsumer


def websocket_application():
    return URLRouter([
        re_path(r"^ws/chat/(?P<token>[^/]{1,400})/$",
                OriginValidator(VisitorConsumer.as_asgi(), settings.HELPDESK_WIDGET_ORIGINS)),
        re_path(r"^ws/agent/$",
                AllowedHostsOriginValidator(AuthMiddlewareStack(AgentConsumer.as_asgi()))),
    ])
