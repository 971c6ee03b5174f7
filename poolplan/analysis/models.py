"""Simulation runs of a school's pool: the parameters a provider manager or coordinator chose,
the background task's progress, and the figures it produced.

The result is kept as the JSON the page draws from (tables, charts, recommendation), so a
run can be read again later exactly as it came out, whatever the school's data are by then.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poolplan.roster.models import School


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE,
                               related_name="analysis_runs")
    # The ISO week whose timetable, needs, approvals and pool the simulated year repeats.
    week = models.CharField(_("week"), max_length=8)
    # runs, days, absence, child_absence, extra, hourly_rate, target, seed (analysis/forms.py)
    parameters = models.JSONField(_("parameters"))
    status = models.CharField(_("status"), max_length=10, choices=AnalysisStatus.choices,
                              default=AnalysisStatus.QUEUED)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    # Share of the work done, 0 to 100 (for the progress bar).
    percent = models.PositiveSmallIntegerField(_("per cent done"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    @property
    def started_by(self) -> str:
        user = self.created_by
        return (user.get_full_name() or user.get_username()) if user is not None else ""

    @property
    def finished(self) -> bool:
        return self.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED)

    def __str__(self) -> str:
        return f"{self.school} {self.week} simulation #{self.pk} ({self.status})"
