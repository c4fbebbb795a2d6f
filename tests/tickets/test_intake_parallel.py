"""Sharing a batch of mail over worker processes keeps each conversation together."""

from email.message import EmailMessage

from tickets.intake.parallel import group_threads, portions


def _raw(msgid: str, subject: str = "Hello", parents: tuple[str, ...] = (),
         sender: str = "") -> bytes:
    msg = EmailMessage()
    # A sender of its own unless told: one sender's mail is one group too.
    msg["From"] = sender or f"{msgid.strip('<>').split('@')[0]}@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    if parents:
        msg["In-Reply-To"] = parents[-1]
        msg["References"] = " ".join(parents)
    msg.set_content("Hi")
    return msg.as_bytes()


def test_a_reply_is_grouped_with_the_message_it_answers():
    raws = [_raw("<a@x>"), _raw("<b@x>"), _raw("<c@x>", parents=("<a@x>",))]
    assert sorted(group_threads(raws)) == [[0, 2], [1]]


def test_a_reply_to_a_reply_joins_the_whole_thread():
    raws = [_raw("<a@x>"), _raw("<b@x>", parents=("<a@x>",)),
            _raw("<c@x>", parents=("<a@x>", "<b@x>")), _raw("<d@x>")]
    assert sorted(group_threads(raws)) == [[0, 1, 2], [3]]


def test_the_same_ticket_reference_joins_messages():
    raws = [_raw("<a@x>", "Re: [HD-7] Printer"), _raw("<b@x>", "[HD-7] again"), _raw("<c@x>")]
    assert sorted(group_threads(raws)) == [[0, 1], [2]]


def test_portions_keep_input_order_and_whole_threads():
    raws = [_raw("<a@x>"), _raw("<b@x>"), _raw("<c@x>", parents=("<a@x>",)), _raw("<d@x>"),
            _raw("<e@x>", parents=("<c@x>",)), _raw("<f@x>")]
    packed = portions(raws, 2)
    # Every mail once; a thread whole in one portion even when it is longer than the size.
    assert sorted(i for p in packed for i in p) == list(range(6))
    assert [0, 2, 4] in packed
    assert all(p == sorted(p) for p in packed)
    assert packed == [[0, 2, 4], [1, 3], [5]]  # the earliest mail's group first
    assert portions(raws, 50) == [list(range(6))]


def test_one_senders_mail_is_one_group_whatever_its_threads():
    """One worker reads a sender's mail: their rate window counts as one by one, and no
    two workers create the same new customer at once."""
    raws = [_raw("<a@x>", sender="Anna <Anna@Example.com>"), _raw("<b@x>"),
            _raw("<c@x>", "Another question", sender="anna@example.com"),
            _raw("<d@x>", parents=("<b@x>",))]
    assert sorted(group_threads(raws)) == [[0, 2], [1, 3]]
