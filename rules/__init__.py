"""Triggers and automations: managers' own rules that act on tickets (docs/rules.md)."""
