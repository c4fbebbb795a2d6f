"""The ticket services: creation on every channel, the thread, ownership and merges."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tickets import services
from tickets.models import Message, Ticket, TicketEvent


def events(ticket, field: str) -> list[tuple[str, str]]:
    return list(TicketEvent.objects.filter(ticket=ticket, field=field)
                .values_list("old_value", "new_value"))


@pytest.mark.parametrize("channel", ["email", "web", "chat", "phone", "api", "social"])
def test_create_ticket_on_each_channel(customer, channel):
    ticket = services.create_ticket(services.NewTicket(
        subject="Hello", body="First words", customer=customer, channel=channel
    ))
    assert ticket.channel == channel
    assert ticket.status == Ticket.Status.NEW
    message = ticket.messages.get()
    assert (message.channel, message.author_customer, message.public) == (channel, customer, True)
    assert events(ticket, "created") == [("", channel)]


def test_create_ticket_refuses_an_unknown_channel(customer):
    with pytest.raises(ValidationError) as info:
        services.create_ticket(services.NewTicket(
            subject="x", body="y", customer=customer, channel="fax"
        ))
    assert "channel" in info.value.message_dict


def test_create_ticket_acknowledges_the_customer(customer, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(services.NewTicket(
            subject="Hi", body="Hello", customer=customer
        ))
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert ticket.reference in mailoutbox[0].subject


def test_automatic_message_is_not_acknowledged(customer, mailoutbox,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_ticket(services.NewTicket(
            subject="Out of office", body="Away", customer=customer, is_automatic=True
        ))
    assert mailoutbox == []


def test_get_or_create_customer_matches_email_case_insensitively(customer):
    assert services.get_or_create_customer(email=customer.email.upper()) == customer


def test_customer_message_on_solved_ticket_reopens_and_counts(ticket, agent, customer):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.add_customer_message(ticket=ticket, customer=customer, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.solved_at is None


@pytest.mark.parametrize("status", ["pending", "on_hold"])
def test_customer_message_on_waiting_ticket_opens_it_without_counting(ticket, agent, customer,
                                                                      status):
    services.change_status(ticket=ticket, status=status, actor=agent)
    services.add_customer_message(ticket=ticket, customer=customer, body="Here you go")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.reopen_count == 0


def test_customer_message_on_closed_ticket_starts_a_linked_ticket(ticket, agent, customer):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.change_status(ticket=ticket, status="closed", actor=agent)
    message = services.add_customer_message(ticket=ticket, customer=customer, body="Again!")
    assert message.ticket_id != ticket.pk
    assert message.ticket.follows_up == ticket
    assert message.ticket.team_id == ticket.team_id
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.count() == 1


def test_automatic_reply_does_not_reopen(ticket, agent, customer):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.add_customer_message(ticket=ticket, customer=customer, body="I am away",
                                  is_automatic=True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_first_public_reply_sets_first_response_at_once(ticket, agent):
    first = services.reply_to_ticket(ticket=ticket, agent=agent, body="One")
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Two")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first.created_at
    assert ticket.public_reply_count == 2
    assert ticket.status == Ticket.Status.OPEN


def test_internal_note_is_not_a_response(ticket, agent, mailoutbox,
                                         django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.add_internal_note(ticket=ticket, agent=agent, body="Hmm")
    ticket.refresh_from_db()
    assert note.public is False
    assert ticket.first_response_at is None
    assert ticket.public_reply_count == 0
    assert ticket.status == Ticket.Status.NEW
    assert mailoutbox == []


def test_public_reply_is_emailed_to_the_customer(ticket, agent, customer, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=ticket, agent=agent, body="Fixed it")
    assert [m.to for m in mailoutbox] == [[customer.email]]


def test_blank_reply_is_refused(ticket, agent):
    with pytest.raises(ValidationError) as info:
        services.reply_to_ticket(ticket=ticket, agent=agent, body="  ")
    assert "body" in info.value.message_dict


def test_reply_with_new_status_applies_it(ticket, agent):
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Try this", new_status="pending")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_assign_records_and_notifies(ticket, agent, team_lead, mailoutbox,
                                     django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_ticket(ticket=ticket, assignee=team_lead, actor=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == team_lead
    assert events(ticket, "assignee") == [("", str(team_lead.pk))]
    assert [m.to for m in mailoutbox] == [[team_lead.email]]


def test_assign_to_self_sends_no_email(ticket, agent, mailoutbox,
                                       django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    assert mailoutbox == []


def test_assign_refuses_inactive_users(ticket, team):
    gone = UserFactory(is_active=False, teams=[team])
    with pytest.raises(ValidationError):
        services.assign_ticket(ticket=ticket, assignee=gone)


def test_change_priority_records_the_event(ticket, agent):
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).priority == "urgent"
    assert events(ticket, "priority") == [("normal", "urgent")]


def test_change_priority_refuses_unknown_values(ticket):
    with pytest.raises(ValidationError):
        services.change_priority(ticket=ticket, priority="whenever")


def test_change_team_unassigns_an_agent_outside_it(ticket, agent, other_team, manager):
    services.assign_ticket(ticket=ticket, assignee=agent, actor=manager)
    services.change_team(ticket=ticket, team=other_team, actor=manager)
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (other_team, None)


def test_change_team_keeps_an_assignee_who_is_a_member(ticket, agent, other_team, manager):
    from tickets.models import TeamMembership

    TeamMembership.objects.create(team=other_team, user=agent)
    services.assign_ticket(ticket=ticket, assignee=agent, actor=manager)
    services.change_team(ticket=ticket, team=other_team, actor=manager)
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_set_tags_normalises_and_records(ticket, agent):
    services.set_tags(ticket=ticket, tags=["Printer", "fire", "printer"], actor=agent)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["fire", "printer"]
    services.set_tags(ticket=ticket, tags=["fire"], actor=agent)
    assert list(ticket.tags.values_list("name", flat=True)) == ["fire"]
    assert events(ticket, "tags") == [("", "fire,printer"), ("fire,printer", "fire")]


def test_set_tags_refuses_blank_names(ticket):
    with pytest.raises(ValidationError):
        services.set_tags(ticket=ticket, tags=["ok", " "])


def test_merge_moves_the_thread_and_closes_the_duplicate(ticket, agent, customer):
    duplicate = services.create_ticket(services.NewTicket(
        subject="Fire!", body="Also on fire", customer=customer, team=ticket.team
    ))
    services.merge_tickets(source=duplicate, target=ticket, actor=agent)
    duplicate.refresh_from_db()
    assert duplicate.status == Ticket.Status.CLOSED
    assert duplicate.merged_into == ticket
    bodies = list(ticket.messages.filter(author_type="customer").values_list("body_text",
                                                                             flat=True))
    assert sorted(bodies) == ["Also on fire", "It is on fire."]
    assert ticket.messages.filter(author_type=Message.Author.SYSTEM).count() == 1
    assert events(ticket, "merged_from") == [("", str(duplicate.pk))]


def test_merge_refuses_tickets_of_different_customers(ticket, agent, other_customer):
    other = services.create_ticket(services.NewTicket(
        subject="x", body="y", customer=other_customer, team=ticket.team
    ))
    with pytest.raises(ValidationError) as info:
        services.merge_tickets(source=other, target=ticket, actor=agent)
    assert "target" in info.value.message_dict


def test_merge_refuses_a_ticket_into_itself(ticket, agent):
    with pytest.raises(ValidationError):
        services.merge_tickets(source=ticket, target=ticket, actor=agent)
