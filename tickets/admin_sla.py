"""Admin registrations (see tickets/admin.py)."""
