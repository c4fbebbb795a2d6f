"""Pages for agents and managers: follow-ups queue, survey programs, export."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.email_preview import email_document, preview_language
from helpdesk.permissions import staff_required
from tickets.models import Customer, Ticket
from tickets.queries import get_ticket_for_agent

from .. import emails, services
from ..export import responses_csv
from ..forms import CloseFollowUpForm, SurveyProgramForm
from ..models import FollowUp, Invitation, SurveyProgram
from ..panels import customer_scores
from ..queries import unreachable_programs, visible_follow_ups, visible_responses

PAGE_SIZE = 50


@staff_required
def followups(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FollowUp.Status.OPEN)
    follow_ups = visible_follow_ups(request.user).select_related(
        "ticket", "response__customer", "assignee", "team", "closed_by")
    if status in FollowUp.Status.values:
        follow_ups = follow_ups.filter(status=status)
    # Open ones soonest due first (followup_team_idx / followup_status_due_idx).
    follow_ups = follow_ups.order_by("due_at", "pk") if status == "open" else \
        follow_ups.order_by("-created_at", "-pk")
    page = Paginator(follow_ups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "surveys/followups.html", {
        "page": page, "status": status, "statuses": FollowUp.Status.choices,
        "close_form": CloseFollowUpForm(), "now": timezone.now(),
    })


@require_POST
@staff_required
def close_followup(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(visible_follow_ups(request.user), pk=pk)
    form = CloseFollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.close_follow_up(follow_up=follow_up, user=request.user, **form.cleaned_data)
            messages.success(request, _("Follow-up closed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose an outcome to close the follow-up."))
    return redirect("surveys:followups")


@staff_required(managers_only=True)
def programs(request: HttpRequest) -> HttpResponse:
    rows = list(SurveyProgram.objects.prefetch_related("teams").order_by("position", "pk"))
    dead = unreachable_programs(rows)
    for program in rows:  # the warning of a program that can never send, and why
        program.taken_by = dead.get(program.pk)
    return render(request, "surveys/programs.html", {
        "programs": rows, "unreachable": [p for p in rows if p.taken_by is not None]})


@staff_required(managers_only=True)
def edit_program(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    program = get_object_or_404(SurveyProgram, pk=pk) if pk else None
    form = SurveyProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Survey program saved."))
        return redirect("surveys:programs")
    return render(request, "surveys/program_form.html", {"form": form, "program": program})


@staff_required
def export_responses(request: HttpRequest) -> HttpResponse:
    return responses_csv(visible_responses(request.user), request.GET, me_id=request.user.pk,
                         request=request)


@staff_required
def ticket_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer-scores panel of one ticket on its own (for htmx or a direct look)."""
    ticket = get_ticket_for_agent(request.user, pk)
    return HttpResponse(customer_scores(request, ticket))


@staff_required(managers_only=True)
def program_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The program's survey email as a customer would receive it, for a sample ticket
    (``?lang=`` for the other language; ``?format=html`` the email's own document)."""
    program = get_object_or_404(SurveyProgram, pk=pk)
    language = preview_language(request)
    with translation.override(language):
        customer = Customer(pk=0, name=_("Kalle Customer"), email="customer@example.com",
                            language=language)
        ticket = Ticket(pk=1042, subject=_("My order has not arrived"), customer=customer)
    if program.is_relationship:  # a relationship survey is about no ticket
        ticket = None
    invitation = Invitation(program=program, ticket=ticket, customer=customer,
                            metric=program.metric,
                            expires_at=timezone.now() + timedelta(days=program.expiry_days))
    low, high = program.scale
    # The buttons lead nowhere in a preview: no token for an invitation that does not exist.
    links = [{"score": score, "url": "#"} for score in range(low, high + 1)]
    subject, text, html = emails.render_invitation(
        invitation=invitation, reminder=request.GET.get("reminder") == "1", language=language,
        links=links, unsubscribe="#")
    if request.GET.get("format") == "html":
        return email_document(html)
    return render(request, "surveys/program_preview.html", {
        "program": program, "subject": subject, "text": text, "preview_language": language,
        "languages": settings.LANGUAGES, "reminder": request.GET.get("reminder") == "1",
    })


@staff_required(managers_only=True)
def program_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a relationship program's contact list; malformed rows are listed by line."""
    from ..forms import ContactsImportForm
    from ..services.contacts import import_contacts

    program = get_object_or_404(SurveyProgram, pk=pk)
    form = ContactsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as UTF-8 text (CSV)."))
        else:
            report = import_contacts(program=program, text=text)
    waves = program.waves.order_by("-number")[:20]
    return render(request, "surveys/program_contacts.html", {
        "program": program, "form": form, "report": report, "waves": waves,
        "contacts": program.contacts.count()}, status=400 if form.errors else 200)
