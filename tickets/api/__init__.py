"""REST API v1 of tickets, their messages and the signed intake webhook."""
