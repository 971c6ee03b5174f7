"""People who log in, their role, personal API tokens and the audit trail."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    ASSISTANT = "assistant", _("Assistant")
    TEACHER = "teacher", _("Teacher")
    PARENT = "parent", _("Parent")
    PROVIDER = "provider", _("Provider manager")
    REVIEWER = "reviewer", _("Funding-body reviewer")


class User(AbstractUser):
    """A login. One role per account keeps permissions easy to reason about (least privilege):
    a person who is coordinator at one school and parent elsewhere gets two accounts."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    provider = models.ForeignKey(
        "roster.Provider", verbose_name=_("provider"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    # Coordinators, assistants and teachers work at schools; provider managers see all schools
    # of their provider.
    schools = models.ManyToManyField(
        "roster.School", verbose_name=_("schools"), blank=True, related_name="users"
    )
    # Teachers see the cards and plans of their classes only.
    classes = models.ManyToManyField(
        "roster.SchoolClass", verbose_name=_("classes"), blank=True, related_name="teachers"
    )
    # Reviewers see proofs only for the children of their funding body.
    funding_body = models.ForeignKey(
        "roster.FundingBody", verbose_name=_("funding body"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="reviewers",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(models.Model):
    """A personal token for scripts. Only a hash is stored: a leaked database leaks no token."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "pp_" + secrets.token_urlsafe(32)

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class AuditAction(models.TextChoices):
    READ = "read", _("read")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    ARCHIVE = "archive", _("archived")


class AuditEvent(models.Model):
    """Who read or changed what, when. Child data is health data (GDPR Art. 9): every read of a
    child's sensitive record and every change lands here. Rows are never updated or deleted."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    # Kept as text as well, so the trail still names the person if the account is removed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    child = models.ForeignKey(
        "roster.Child", verbose_name=_("child"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="audit_events",
    )
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    summary = models.CharField(_("what"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.summary}"
