from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "poolplan.analysis"
    label = "analysis"
    verbose_name = _("Needs analysis")
