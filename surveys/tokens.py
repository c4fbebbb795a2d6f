"""Signed tokens in survey emails.

A score token is ``invitation id + score`` signed with a salt and a timestamp; it
is checked without touching the database. Its hard age limit is a backstop; the
invitation's own ``expires_at`` is the real expiry. An unsubscribe token names
the customer and never expires (an old email's unsubscribe link must keep working).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SCORE_SALT = "surveys.score"
UNSUBSCRIBE_SALT = "surveys.unsubscribe"


class BadToken(Exception):
    """Tampered, malformed or expired."""


@dataclass(frozen=True)
class ScoreToken:
    invitation_id: int
    score: int


def make_score_token(invitation_id: int, score: int) -> str:
    return signing.dumps([invitation_id, score], salt=SCORE_SALT, compress=False)


def read_score_token(token: str) -> ScoreToken:
    max_age = getattr(settings, "HELPDESK_SURVEY_TOKEN_MAX_AGE_DAYS", 90) * 86400
    try:
        invitation_id, score = signing.loads(token, salt=SCORE_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as exc:  # SignatureExpired is a BadSignature
        raise BadToken(str(exc)) from exc
    if not isinstance(invitation_id, int) or not isinstance(score, int):
        raise BadToken("malformed payload")
    return ScoreToken(invitation_id, score)


def make_unsubscribe_token(customer_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(customer_id))


def read_unsubscribe_token(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        return int(value)
    except (signing.BadSignature, ValueError) as exc:
        raise BadToken(str(exc)) from exc


ASK_SALT = "surveys.ask"


def make_ask_token(ask_id: int) -> str:
    """The promoter ask's tracked link: names the ask, never expires (a thank-you read
    months later still leads to the review page)."""
    return signing.Signer(salt=ASK_SALT).sign(str(ask_id))


def read_ask_token(token: str) -> int:
    try:
        return int(signing.Signer(salt=ASK_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise BadToken(str(exc)) from exc
