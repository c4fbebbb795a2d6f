from . import admin_email, admin_sla  # noqa: F401  (registrations split by subdomain)
