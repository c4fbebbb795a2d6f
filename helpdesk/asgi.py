"""The ASGI entry point: HTTP through Django, websockets through Channels (live chat,
docs/live-chat.md). daphne serves it: ``make run`` through runserver, docker compose
directly."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_application = get_asgi_application()  # sets Django up before the consumers import

from channels.routing import ProtocolTypeRouter  # noqa: E402

from chat.routing import websocket_application  # noqa: E402
from helpdesk.startup import settle  # noqa: E402

application = ProtocolTypeRouter({"http": django_application,
                                  "websocket": websocket_application()})
settle()
