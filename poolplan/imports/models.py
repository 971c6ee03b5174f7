"""An upload waiting between its preview and the coordinator's confirmation.

The files are kept server-side (bytes and their SHA-256), so that what is confirmed is exactly
what was previewed: confirming parses the stored bytes again and applies them. Once applied, the
bytes are dropped (they hold children's names); the names, hashes and the result stay as a
record of what was imported.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poolplan.roster.models import School


class ImportKind(models.TextChoices):
    TIMETABLE = "timetable", _("Timetable (Untis)")
    PEOPLE = "people", _("Children, assistants and approvals")


class ImportUpload(models.Model):
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE,
                               related_name="import_uploads")
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    # The applied import's summary, as shown on its result page: {"changes": [...]}.
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school} {self.kind} #{self.pk}"


class ImportFile(models.Model):
    upload = models.ForeignKey(ImportUpload, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"), blank=True)

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["upload", "pk"]

    def __str__(self) -> str:
        return self.name
