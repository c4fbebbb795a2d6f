from io import StringIO

from django.core.management import call_command
from django.test import Client

from tickets.models import Ticket


def test_once_does_nothing_when_tickets_exist(ticket):
    out = StringIO()
    call_command("seed_demo", "--once", "--tickets", "20", stdout=out)
    assert Ticket.objects.count() == 1
    assert "agent@demo.test" in out.getvalue()


def test_command_seeds_and_prints_demo_logins_that_work(db):
    out = StringIO()
    call_command("seed_demo", "--tickets", "30", "--no-progress", stdout=out)
    assert Ticket.objects.count() == 30
    assert "manager@demo.test" in out.getvalue()
    for email in ("agent@demo.test", "manager@demo.test", "admin@demo.test"):
        assert Client().login(email=email, password="demo"), email
