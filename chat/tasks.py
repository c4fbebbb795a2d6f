from celery import shared_task


@shared_task(ignore_result=True)
def sweep_chats() -> dict[str, int]:
    """Every minute (beat): missed and idle chats, waiting chats to agents with room
    (chat/sweep.py)."""
    from .sweep import sweep_chats as sweep

    swept = sweep()
    return {"missed": swept.missed, "idle": swept.idle, "assigned": swept.assigned}
