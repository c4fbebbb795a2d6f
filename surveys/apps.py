from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from helpdesk.templatetags.labels import register_vocabulary

        from . import privacy, receivers  # noqa: F401  (signal receivers; data export sections)
        from .models import FollowUp, Invitation, Metric, SurveyProgram

        for name, enum in (("metric", Metric), ("invitation_status", Invitation.Status),
                           ("skip_reason", Invitation.SkipReason),
                           ("followup_status", FollowUp.Status), ("outcome", FollowUp.Outcome),
                           ("trigger", SurveyProgram.Trigger)):
            register_vocabulary(name, dict(enum.choices))
        # Groups of survey answers (docs/metrics.md; metrics.exports.CATEGORIES and the
        # churn report): computed, not a model field, so not a model choice.
        register_vocabulary("answer_group", {
            "promoter": pgettext_lazy("answer group", "Promoters"),
            "passive": pgettext_lazy("answer group", "Passives"),
            "detractor": pgettext_lazy("answer group", "Detractors"),
            "satisfied": pgettext_lazy("answer group", "Satisfied (CSAT 4–5)"),
            "easy": pgettext_lazy("answer group", "Easy (CES 5–7)"),
            "no_answer": pgettext_lazy("answer group", "No NPS answers"),
        })
