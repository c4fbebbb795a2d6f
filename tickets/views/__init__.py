"""The agent workspace (HTML + htmx). Every change goes through tickets.services."""

from .availability import set_availability
from .bulk import bulk_update
from .compose import forward, inline_image
from .compose import preview as reply_preview
from .detail import attachment, context_panels, detail, history, reply, update_properties
from .email_frame import message_html
from .macros import macro_apply, macro_delete, macro_edit, macro_list, macro_preview
from .manage import (
    canned_delete,
    canned_edit,
    canned_list,
    new_ticket,
    personal_settings,
    set_language,
)
from .merge import merge
from .presence import presence
from .queue import delete_filter, queue, queue_counts, save_filter, search_view
from .signatures import team_signatures

__all__ = [
    "attachment", "bulk_update", "team_signatures", "forward", "inline_image", "reply_preview", "canned_delete", "canned_edit", "canned_list", "delete_filter",
    "context_panels", "detail", "history", "macro_apply", "macro_delete", "macro_edit", "macro_list", "macro_preview",
    "merge", "message_html", "new_ticket", "personal_settings", "presence", "queue", "queue_counts", "reply", "save_filter",
    "search_view", "set_availability", "set_language", "update_properties",
]
