from tickets.models import Ticket


def test_ticket_reference_round_trips(ticket):
    assert Ticket.parse_reference(ticket.reference) == ticket.pk
