"""The built-in notifications are rules a manager can switch off or reword."""

from rules import services
from rules.models import Rule
from tickets import services as ticket_services

from .conftest import default_rule, emails, history


def test_a_fresh_install_has_the_default_rules(db):
    keys = set(Rule.objects.exclude(system_key="").values_list("system_key", flat=True))
    assert keys == {"notify.acknowledgement", "notify.agent_reply", "notify.customer_reply",
                    "notify.assigned", "notify.solved", "auto_close"}
    auto_close = default_rule("auto_close")
    assert auto_close.kind == "automation" and auto_close.active


def test_builtin_notifications_are_not_history_lines(web_ticket):
    ticket = web_ticket()
    assert len(emails("acknowledgement")) == 1
    assert history(ticket) == []  # the outbox holds the email, as before rules


def test_switched_off_acknowledgement_sends_nothing(web_ticket):
    services.set_rule_active(rule=default_rule("notify.acknowledgement"), active=False)
    web_ticket()
    assert emails("acknowledgement") == []


def test_reworded_acknowledgement_in_the_customers_language(web_ticket, customer, mailoutbox):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    rule = default_rule("notify.acknowledgement")
    services.update_rule(rule=rule, actions=[{"type": "notify", "value": {
        "template": "acknowledgement",
        "subject": {"en": "Got it: {{ticket.reference}}", "fi": "Saimme sen: {{ticket.reference}}"},
        "body": {"en": "Hello {{customer.name}}", "fi": "Hei {{customer.name}}, kiitos!"}}}])
    ticket = web_ticket()
    (email,) = emails("acknowledgement")
    assert email.subject == f"Saimme sen: {ticket.reference}"
    assert email.body_text == "Hei Kalle Customer, kiitos!"
    assert "Hei Kalle Customer, kiitos!" in email.body_html and "<table" in email.body_html
    assert email.headers["Auto-Submitted"] == "auto-replied"  # still the acknowledgement




def test_switched_off_agent_reply_rule_sends_no_reply_email(run, ticket, agent):
    services.set_rule_active(rule=default_rule("notify.agent_reply"), active=False)
    run(ticket_services.reply_to_ticket, ticket=ticket, agent=agent, body="Hello")
    assert emails("agent_reply") == []


def test_solved_notice_reworded(run, ticket, agent):
    services.update_rule(rule=default_rule("notify.solved"), actions=[{"type": "notify", "value": {
        "template": "solved", "subject": "Done: {{ticket.subject}}"}}])
    run(ticket_services.solve_ticket, ticket=ticket, actor=agent)
    (email,) = emails("solved")
    assert email.subject == "Done: Printer on fire"
    assert "marked as solved" in email.body_text  # the template's text is kept
