"""Team signatures, edited by managers and by each team's lead (docs/replies.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from helpdesk.permissions import staff_required

from ..placeholders import NAMES
from ..services import compose


@staff_required
def team_signatures(request: HttpRequest) -> HttpResponse:
    teams = compose.signature_teams(request.user).order_by("name")
    if request.method == "POST":
        raw = request.POST.get("team", "")
        team = teams.filter(pk=raw).first() if raw.isdigit() else None
        if team is None:
            raise Http404
        compose.set_team_signature(team=team, signature=request.POST.get("signature", ""),
                                   actor=request.user)
        messages.success(request, _("The signature of %(team)s was saved.") % {"team": team.name})
        return redirect("tickets:team_signatures")
    return render(request, "tickets/compose/team_signatures.html", {
        "teams": list(teams), "placeholders": [n for n in NAMES if n in (
            "agent.name", "team.name", "ticket.reference", "customer.first_name")]})
