"""Customer pages: new ticket, magic-link sign-in, the customer's tickets and replies."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.files import serve_stored_file

from .. import notifications, services
from ..intake.content import store_attachments
from ..intake.parse import Part
from ..models import Attachment, Channel, Customer, Message, Ticket
from . import auth
from .custom_fields import add_public_fields, public_values, set_public_values
from .forms import NewTicketForm, ReplyForm, SignInForm

PAGE_SIZE = 25
# Per hour. A person files a handful of requests; a script files hundreds.
NEW_TICKETS_PER_IP = 10
NEW_TICKETS_PER_EMAIL = 5
SIGN_IN_LINKS_PER_EMAIL = 5
SIGN_IN_REQUESTS_PER_IP = 20


def _uploads_to_parts(files) -> list[Part]:
    return [Part(filename=f.name, content_type=f.content_type or "application/octet-stream",
                 data=f.read()) for f in files]


def create_web_ticket(*, name: str, email: str, subject: str, body: str, channel: str,
                      files=(), fields: dict | None = None) -> Ticket:
    """The web form's and the widget's ticket: customer found or created, attachments stored."""
    with transaction.atomic():
        customer = services.get_or_create_customer(email=email, name=name,
                                                   language=get_language() or "")
        ticket = services.create_ticket(services.NewTicket(subject=subject, body=body,
                                                  customer=customer, channel=channel))
        if files:
            store_attachments(ticket.messages.get(), _uploads_to_parts(files))
        if fields:  # public custom fields (docs/custom-fields.md)
            set_public_values(ticket, fields)
    return ticket


def rate_limited(request: HttpRequest, email: str, *, per_ip: int, per_email: int,
                 scope: str) -> bool:
    ip_over = auth.over_limit(f"{scope}:ip", auth.client_ip(request), limit=per_ip)
    email_over = auth.over_limit(f"{scope}:email", email, limit=per_email) if email else False
    return ip_over or email_over


@never_cache
@require_http_methods(["GET", "POST"])
@auth.fails_closed
def new_ticket(request: HttpRequest) -> HttpResponse:
    auth.use_customer_language(request, auth.current_customer(request))
    form = NewTicketForm(request.POST or None, request.FILES or None)
    add_public_fields(form)  # custom fields marked public
    if request.method == "POST" and form.is_valid():
        if form.is_spam():  # look like success so the bot learns nothing
            return redirect("portal:thanks")
        data = form.cleaned_data
        if rate_limited(request, data["email"], per_ip=NEW_TICKETS_PER_IP,
                        per_email=NEW_TICKETS_PER_EMAIL, scope="new"):
            return render(request, "portal/rate_limited.html", status=429)
        ticket = create_web_ticket(name=data["name"], email=data["email"],
                                   subject=data["subject"], body=data["message"],
                                   channel=Channel.WEB, files=data["attachments"],
                                   fields=public_values(form))
        request.session["portal_new_reference"] = ticket.reference
        return redirect("portal:thanks")
    return render(request, "portal/new.html", {
        "form": form, "custom_fields": [form[name] for name in form.custom_field_names]})


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    auth.use_customer_language(request, auth.current_customer(request))
    reference = request.session.get("portal_new_reference", "")
    return render(request, "portal/thanks.html", {"reference": reference})


@never_cache
@require_http_methods(["GET", "POST"])
@auth.fails_closed
def home(request: HttpRequest) -> HttpResponse:
    customer = auth.current_customer(request)
    if customer is not None:
        auth.use_customer_language(request, customer)
        return _ticket_list(request, customer)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if auth.over_limit("sign-in:ip", auth.client_ip(request), limit=SIGN_IN_REQUESTS_PER_IP):
            return render(request, "portal/rate_limited.html", status=429)
        if not form.is_spam() and not auth.over_limit(
                "sign-in:email", email, limit=SIGN_IN_LINKS_PER_EMAIL):
            _send_sign_in_link(request, email)
        # The same answer whether or not the address is known: no account probing.
        return render(request, "portal/link_sent.html", {"email": email})
    return render(request, "portal/sign_in.html", {"form": form})


def _send_sign_in_link(request: HttpRequest, email: str) -> None:
    customer = Customer.objects.filter(email__iexact=email.strip()).first()
    if customer is None:
        return
    url = request.build_absolute_uri(
        reverse("portal:sign_in", args=[auth.make_sign_in_token(customer)]))
    with transaction.atomic():
        notifications.send_sign_in_link(customer=customer, url=url,
                                        valid_minutes=auth.LINK_MAX_AGE_MINUTES)


def _ticket_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    tickets = Ticket.objects.filter(customer=customer).order_by("-created_at", "-pk")
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows = list(tickets.only("pk", "subject", "status", "created_at", "updated_at")
                [(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    return render(request, "portal/tickets.html", {
        "customer": customer, "tickets": rows[:PAGE_SIZE], "page": page,
        "has_next": len(rows) > PAGE_SIZE, "has_previous": page > 1,
    })


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST signs in: mail scanners that follow links on GET
    would otherwise use up the single-use link before the person clicks it."""
    customer = auth.customer_for_token(token)
    if customer is None:
        return render(request, "portal/link_invalid.html", status=400)
    auth.use_customer_language(request, customer)
    if request.method == "POST":
        if not auth.use_token(token):
            return render(request, "portal/link_invalid.html", status=400)
        auth.sign_in(request, customer)
        return redirect("portal:home")
    return render(request, "portal/sign_in_confirm.html", {"link_customer": customer})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.sign_out(request)
    return redirect("portal:home")


def _customer_ticket(request: HttpRequest, pk: int) -> Ticket:
    # Another customer's ticket is a 404, never a 403: its existence is not revealed.
    return get_object_or_404(Ticket, pk=pk, customer=request.customer)


def _public_thread(ticket: Ticket):
    return (Message.objects.filter(ticket=ticket, public=True)
            .exclude(author_type=Message.Author.SYSTEM)
            .select_related("author_user", "author_customer")
            .prefetch_related(Prefetch("attachments", Attachment.objects.order_by("pk")))
            .order_by("created_at", "pk"))


@never_cache
@auth.customer_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _customer_ticket(request, pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            message = services.add_customer_message(
                ticket=ticket, customer=request.customer, body=form.cleaned_data["message"],
                channel=Channel.WEB)
            if form.cleaned_data["attachments"]:
                store_attachments(message, _uploads_to_parts(form.cleaned_data["attachments"]))
        # A reply to a closed ticket starts a new one: show the customer where it went.
        return redirect("portal:ticket", pk=message.ticket_id)
    return render(request, "portal/ticket.html", {
        "ticket": ticket, "thread": _public_thread(ticket), "form": form,
        "customer": request.customer,
    }, status=400 if form.errors else 200)


@auth.customer_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Attachment.objects.select_related("message__ticket"), pk=pk,
                             message__public=True, message__ticket__customer=request.customer)
    return serve_stored_file(item.file, filename=item.filename, content_type=item.content_type)
