"""Reproducible demo data for ``seed_demo`` and ``bench``.

It lives in the project package because it is the one writer that spans apps:
tickets, surveys and staff users. Rows are bulk-inserted (the services would
take hours for a million tickets and send email for each), so this package
keeps the same invariants the services keep: timestamps in order,
``first_response_at`` equal to the first public agent reply, a TicketEvent for
every main change, and survey responses carrying their ticket's channel,
agent, team and organization.
"""
