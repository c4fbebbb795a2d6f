"""The tables of metrics: managers' preferences about the weekly digest here; the rollup
tables that make the figures fast in metrics/fast/models.py, the insights' and alerts' in
their modules, all re-exported below (one app, one set of migrations)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestOptOut(models.Model):
    """A manager who does not want the weekly digest email (kept here: metrics
    may not change the user model)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="metrics_digest_opt_out")
    created_at = models.DateTimeField(_("opted out at"), default=timezone.now)

    class Meta:
        verbose_name = _("weekly digest opt-out")
        verbose_name_plural = _("weekly digest opt-outs")

    def __str__(self) -> str:
        return str(self.user)


# The rollup tables: the speed machinery's own (metrics/fast/models.py).
# Insights (drivers' response facts, comment themes): docs/insights.md.
from .alert_models import Alert, AlertSubscription  # noqa: E402,F401  (alerts, docs/relationship-surveys.md)
from .fast.models import (  # noqa: E402, F401
    SCORE_COLUMNS,
    SCORE_VALUES,
    TICKET_COLUMNS,
    DailyScoreMarginals,
    DailyScoreStats,
    DailyScoreTotals,
    DailyTicketMarginals,
    DailyTicketStats,
    DailyTicketTotals,
    Marginal,
    MarginalFilter,
    RollupState,
    TimedBounds,
    TimedCumulative,
    TimedTicket,
)
from .insight_models import (  # noqa: E402, F401
    CommentTheme,
    DriverCounts,
    ResponseFacts,
    ResponseTheme,
    ThemeModel,
)
