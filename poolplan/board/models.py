"""Traffic-light cards: the current state per child, the log of every change, and the classroom
devices that may turn a card without a personal login.

The card state lives in the database; the channel layer only carries news of a change, so a
client that missed messages (lost connection, Redis restart) resyncs from here.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CardColour(models.TextChoices):
    GREEN = "green", _("Green: all good")
    YELLOW = "yellow", _("Yellow: please keep an eye on me")
    RED = "red", _("Red: I need help now")


# Colours that need someone: the board lists these, the dispatch plans for them.
OPEN_COLOURS = (CardColour.RED, CardColour.YELLOW)


class CardSource(models.TextChoices):
    DEVICE = "device", _("Classroom device")
    TEACHER = "teacher", _("Teacher")
    ASSISTANT = "assistant", _("Assistant")
    COORDINATOR = "coordinator", _("Coordinator")
    SYSTEM = "system", _("System")


class CardEventKind(models.TextChoices):
    SET = "set", _("turned")
    ACKNOWLEDGE = "acknowledge", _("on the way")
    DONE = "done", _("done")


class ClassroomDevice(models.Model):
    """A classroom tablet paired by a code the coordinator creates. It may turn the card of one
    child or the cards of one class, and nothing else; revoking it ends its access at once.
    Only a keyed hash of the pairing code is stored."""

    school = models.ForeignKey("roster.School", verbose_name=_("school"),
                               on_delete=models.CASCADE, related_name="classroom_devices")
    child = models.ForeignKey("roster.Child", verbose_name=_("child"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="classroom_devices")
    school_class = models.ForeignKey("roster.SchoolClass", verbose_name=_("class"), null=True,
                                     blank=True, on_delete=models.CASCADE,
                                     related_name="classroom_devices")
    name = models.CharField(_("name"), max_length=100, blank=True)
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("classroom device")
        verbose_name_plural = _("classroom devices")
        ordering = ["school", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(child__isnull=False, school_class__isnull=True)
                           | Q(child__isnull=True, school_class__isnull=False)),
                name="classroom_device_for_child_or_class",
            ),
        ]

    @staticmethod
    def hash_code(code: str) -> str:
        # Keyed with SECRET_KEY: pairing codes are short enough to type on a tablet, so a plain
        # hash of a leaked table could be reversed by trying every code.
        normalised = "".join(code.split()).upper().replace("-", "")
        return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(),
                        hashlib.sha256).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __str__(self) -> str:
        return self.name or str(self.child or self.school_class)


class CardState(models.Model):
    """The current card of one child. A state last changed before today's local midnight reads
    as the child's default colour (see `selectors.card_view`): the daily reset needs no job."""

    child = models.OneToOneField("roster.Child", on_delete=models.CASCADE, primary_key=True,
                                 related_name="card")
    default_colour = models.CharField(
        _("default colour"), max_length=10, choices=CardColour.choices,
        default=CardColour.GREEN,
        help_text=_("The colour the card shows at the start of each school day."))
    colour = models.CharField(_("colour"), max_length=10, choices=CardColour.choices,
                              default=CardColour.GREEN)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    changed_source = models.CharField(_("changed by (role)"), max_length=12,
                                      choices=CardSource.choices, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_device = models.ForeignKey(ClassroomDevice, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    # Since when the card has shown its current need colour: the board's "waiting since".
    raised_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # Grows with every change, so a client can drop a message older than what it shows.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")

    def __str__(self) -> str:
        return f"{self.child_id}: {self.colour}"


class CardEvent(models.Model):
    """One change of a card, never updated: turned (by whom), acknowledged ("I'm going") or done.
    Acknowledge and done rows carry `raised_at`, so response times (red → acknowledged → done)
    are differences within one row."""

    child = models.ForeignKey("roster.Child", verbose_name=_("child"), on_delete=models.CASCADE,
                              related_name="card_events")
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=CardEventKind.choices)
    colour = models.CharField(_("colour"), max_length=10, choices=CardColour.choices)
    previous_colour = models.CharField(_("previous colour"), max_length=10,
                                       choices=CardColour.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(_("by (role)"), max_length=12, choices=CardSource.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey(ClassroomDevice, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    raised_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"]), models.Index(fields=["school", "-at"])]

    @property
    def seconds_to_acknowledge(self) -> float | None:
        if self.raised_at is None or self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.raised_at).total_seconds()

    @property
    def seconds_to_done(self) -> float | None:
        if self.kind != CardEventKind.DONE or self.raised_at is None:
            return None
        return (self.at - self.raised_at).total_seconds()

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.child_id} {self.kind} {self.colour}"
