"""Plans of a school's week, the background solves that make them, and notifications.

A Plan archives exactly what was planned: the `poolplan-instance/1` document it was solved
from and the `poolplan-plan/1` document, so any plan can be checked again outside the app.
Its Assignment rows are derived from the plan document (by `planning/services.py` only) so
that pages can ask "where is Thomas on Thursday?" without reading JSON.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poolplan.roster.models import Assistant, Child, Period, School


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    # A published plan replaced by a newer published version of the same week; kept, since
    # log entries and proofs refer to what was planned at the time.
    SUPERSEDED = "superseded", _("Superseded")


class PlanSource(models.TextChoices):
    SOLVE = "solve", _("Solved for the week")
    SICK_CALL = "sick_call", _("Replanned after an absence")


class Plan(models.Model):
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="plans")
    # ISO week, e.g. "2026-W48"; `monday` is its first day (for date queries).
    week = models.CharField(_("week"), max_length=8)
    monday = models.DateField(_("Monday of the week"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    source = models.CharField(_("made by"), max_length=12, choices=PlanSource.choices,
                              default=PlanSource.SOLVE)
    # The day a sick-call plan replanned (None for a week's solve).
    replanned_date = models.DateField(_("replanned day"), null=True, blank=True)
    # The published plan a sick-call proposal replans (its `previous`).
    based_on = models.ForeignKey("self", verbose_name=_("based on"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    instance = models.JSONField(_("instance document"))
    document = models.JSONField(_("plan document"))
    # Optimistic lock: every edit increments it; a save naming an older value is refused.
    edit_version = models.PositiveIntegerField(_("edit version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["school", "-monday", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "week", "version"],
                                    name="plan_version_unique"),
            # At most one plan of a week is in force.
            models.UniqueConstraint(fields=["school", "week"],
                                    condition=Q(status="published"),
                                    name="plan_one_published_per_week"),
        ]

    @property
    def plan_status(self) -> str:
        """The planner's verdict: optimal, feasible or infeasible."""
        return str(self.document.get("status", ""))

    def __str__(self) -> str:
        return f"{self.school} {self.week} v{self.version} ({self.status})"


class Assignment(models.Model):
    """One (slot, assistant, child) of a plan, on its date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    slot = models.CharField(_("slot"), max_length=20)
    date = models.DateField(_("date"))
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT,
                               related_name="assignments")
    assistant = models.ForeignKey(Assistant, verbose_name=_("assistant"),
                                  on_delete=models.PROTECT, related_name="assignments")
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT,
                              related_name="assignments")
    pinned = models.BooleanField(_("pinned"), default=False)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["plan", "date", "period__start", "assistant_id", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slot", "child"],
                                    name="assignment_child_once_per_slot"),
        ]
        indexes = [models.Index(fields=["assistant", "date"]),
                   models.Index(fields=["child", "date"])]

    def __str__(self) -> str:
        return f"{self.slot} {self.assistant} → {self.child}"


class SolveJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SolveJobKind(models.TextChoices):
    WEEK = "week", _("Solve of the week")
    PROPOSAL = "proposal", _("Replanning proposal after an absence")


class SolveJob(models.Model):
    """One background solve: a school's week, or the replanning proposal of one day after a
    sick call. The task framework's own result row says whether the task ran; this row says
    what the coordinator needs: status, progress, the draft plan it produced or why it
    failed."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE,
                               related_name="solve_jobs")
    week = models.CharField(_("week"), max_length=8)
    kind = models.CharField(_("kind"), max_length=10, choices=SolveJobKind.choices,
                            default=SolveJobKind.WEEK)
    # A proposal: the day it replans and the published plan it replans (its `previous`).
    day = models.DateField(_("replanned day"), null=True, blank=True)
    base = models.ForeignKey(Plan, verbose_name=_("published plan replanned"), null=True,
                             blank=True, on_delete=models.CASCADE, related_name="+")
    # A proposal solves exactly the instance its request built (`{"instance": ...,
    # "region": [slot ids the solver may change]}`); `fingerprint` (SHA-256 of the instance)
    # finds the job again while nothing changed, so a page reload never solves twice.
    payload = models.JSONField(_("request"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SolveJobStatus.choices,
                              default=SolveJobStatus.QUEUED)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit (seconds)"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("solve job")
        verbose_name_plural = _("solve jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"]),
                   models.Index(fields=["school", "kind", "day"])]

    def __str__(self) -> str:
        what = f"proposal {self.day}" if self.kind == SolveJobKind.PROPOSAL else "solve"
        return f"{self.school} {self.week} {what} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (SolveJobStatus.QUEUED, SolveJobStatus.RUNNING)


class Notification(models.Model):
    """An in-app message to one login (a changed plan, ...); also sent by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.subject}"


class CalendarToken(models.Model):
    """The secret in an assistant's private calendar feed address. Revoked tokens are kept
    (with `revoked_at`) so the audit trail can say which address stopped working when."""

    assistant = models.ForeignKey(Assistant, verbose_name=_("assistant"),
                                  on_delete=models.CASCADE, related_name="calendar_tokens")
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assistant} calendar ({'revoked' if self.revoked_at else 'active'})"
