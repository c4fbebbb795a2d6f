"""What customers open from a survey email: the answer page and unsubscribe.

No login and no CSRF cookie: the signed token in the URL is the customer's
authority (a forger would need the token itself), and mail clients that POST
RFC 8058 one-click unsubscribes send no cookies.

Scanner safety: GET never writes. Security scanners fetch every link in a
message; the link opens a page with the score pre-selected and one button that
POSTs it, so only a person's click records or changes an answer.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import AnswerForm
from ..models import SCALE_LABELS, Invitation, Metric, Response, is_passive
from ..services.answers import existing_response, is_answerable, load_invitation
from ..services.landing import load_landing
from ..tokens import BadToken, read_ask_token, read_score_token, read_unsubscribe_token


def _page(request: HttpRequest, template: str, context: dict | None = None,
          status: int = 200) -> HttpResponse:
    context = {"brand": settings.HELPDESK_BRAND_NAME, **(context or {})}
    return render(request, template, context, status=status)


def _invalid(request: HttpRequest, status: int = 404) -> HttpResponse:
    return _page(request, "surveys/public/invalid.html", status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        parsed = read_score_token(token)
    except BadToken:
        return _invalid(request)
    if request.method == "POST":
        invitation = load_invitation(parsed.invitation_id)
        response = existing_response(invitation) if invitation is not None else None
    else:  # the page alone, from one query (services/landing.py)
        invitation, response = load_landing(parsed.invitation_id)
    if invitation is None or invitation.program is None:
        return _invalid(request)
    with translation.override(invitation.language or None):
        now = timezone.now()
        if not is_answerable(invitation, now):
            return _page(request, "surveys/public/expired.html", status=410)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_response(invitation=invitation, score=form.cleaned_data["score"],
                                         comment=form.cleaned_data["comment"], now=now)
            except services.ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(f"{request.path}?saved=1", permanent=False)
        return _landing(request, invitation, response, parsed.score, form,
                        status=400 if request.method == "POST" else 200)


def _landing(request: HttpRequest, invitation: Invitation, response: Response | None,
             token_score: int, form: AnswerForm, status: int) -> HttpResponse:
    program = invitation.program
    assert program is not None  # answer() refused an invitation without a program
    saved = request.GET.get("saved") == "1" and response is not None
    selected = response.score if (saved and response) else token_score
    low, high = program.scale
    passive_question = program.passive_question(invitation.language)
    # Passives are asked what would make it a top score (docs/relationship-surveys.md).
    passive_scores = [s for s in range(low, high + 1) if is_passive(program.metric, s)]
    # Scores go to the template as text: an int in a template is localized (number
    # formatting) at each of its three uses in every radio button of the scale.
    context = {
        "invitation": invitation, "response": response, "saved": saved,
        "question": program.question(invitation.language),
        "followup_question": program.followup_question(invitation.language),
        "passive_question": passive_question,
        "passive_scores": " ".join(map(str, passive_scores)),
        "ask_passive": bool(passive_question) and selected in passive_scores,
        "choices": [(str(score), score == selected) for score in range(low, high + 1)],
        "low": str(low), "high": str(high), "selected": selected,
        "labels": SCALE_LABELS[Metric(program.metric)],
        "comment": response.comment if response else "", "form": form,
        "changing": response is not None and not saved and response.score != token_score,
    }
    return _page(request, "surveys/public/answer.html", context, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (scanners must not unsubscribe anyone); POST, from
    that button or a mail client's RFC 8058 one-click, opts the customer out."""
    try:
        customer_id = read_unsubscribe_token(token)
    except BadToken:
        return _invalid(request)
    if request.method == "POST":
        customer = services.unsubscribe_customer(customer_id=customer_id)
        if customer is None:
            return _invalid(request)
        with translation.override(customer.language):
            return _page(request, "surveys/public/unsubscribed.html", {"customer": customer})
    from tickets.models import Customer

    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return _invalid(request)
    with translation.override(customer.language):
        return _page(request, "surveys/public/unsubscribe.html", {"customer": customer})


@never_cache
@require_http_methods(["GET", "HEAD"])
def ask(request: HttpRequest, token: str) -> HttpResponse:
    """A promoter's tracked ask link: count the click, then on to the review (or referral,
    case study, beta) page. The redirect target is the program's own stored link, never
    a URL from the request, so this is no open redirect."""
    try:
        ask_id = read_ask_token(token)
    except BadToken:
        return _invalid(request)
    found = services.record_ask_click(ask_id=ask_id)
    if found is None:
        return _invalid(request)
    return redirect(found.url)
