"""Filters for the files of chat messages in the inbox (docs/live-chat.md, "Files")."""

from django import template

from helpdesk.files import SAFE_IMAGE_TYPES, normalize_type

from ..services import files_caption

register = template.Library()


@register.filter
def join_names(attachments) -> str:
    """The caption a message with files and no text carries (its files' names)."""
    return files_caption(a.filename for a in attachments)


@register.filter
def is_safe_image(attachment) -> bool:
    """A raster image by its declared type: the thumbnail's source is the download view,
    which serves it inline only when its bytes agree (helpdesk/files.py)."""
    return normalize_type(attachment.content_type) in SAFE_IMAGE_TYPES


@register.filter
def human_size(size: int) -> str:
    """Bytes as the inbox script writes them (static/chat/inbox.js), so a file reads the
    same whether the page or the socket put it there."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
