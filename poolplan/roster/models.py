"""Master data of a support pool: schools, their week, children, approvals, assistants, absences.

Validation rules that concern a single row live in `clean()`; rules across rows (overlapping
approvals, rooms for needed periods, deleting with history) live in `roster/services.py`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")


# Slot ids in planner instances are e.g. "mon-1" or "mon-b1" (see shared/spec/planning.md).
WEEKDAY_CODES = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat"}


class Provider(models.Model):
    """A service provider (Träger) that employs the assistants of one or more pools."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FundingBody(models.Model):
    """Youth office or social welfare office that approves a child's support."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("funding body")
        verbose_name_plural = _("funding bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A qualification a child's support may require (nursing, challenging behaviour, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FundingModel(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual approvals per child")
    SCHOOL_BUDGET = "school_budget", _("School budget for the whole pool")


class School(models.Model):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField(_("name"), max_length=200)
    funding_model = models.CharField(
        _("funding model"), max_length=20, choices=FundingModel.choices,
        default=FundingModel.INDIVIDUAL,
    )
    # Only for school-budget pools: the pool's hours for all children together.
    budget_minutes_per_week = models.PositiveIntegerField(
        _("pool budget (minutes per week)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="school_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=50)
    floor = models.CharField(_("floor"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_name_unique")]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    BREAK = "break", _("Break")
    OTHER = "other", _("Other")


class Period(models.Model):
    """One entry of the bell schedule: a lesson or break on one weekday, with its times.
    Schedules differ per weekday (short Fridays), so each weekday has its own rows."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices,
                            default=PeriodKind.LESSON)
    # Lessons are numbered 1, 2, ...; breaks b1, b2, ... (the label shown and used in slot ids).
    label = models.CharField(_("label"), max_length=10)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    # Where children are during a break (the yard) when the timetable names no room.
    default_room = models.ForeignKey(
        Room, verbose_name=_("default room"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("bell schedule")
        ordering = ["school", "weekday", "start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday", "label"],
                                    name="period_label_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="period_ends_after_start"),
        ]

    @property
    def slot_id(self) -> str:
        return f"{WEEKDAY_CODES[self.weekday]}-{self.label}"

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.label} {self.start:%H:%M}–{self.end:%H:%M}"


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("name"), max_length=20)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school", "grade", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="class_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TimetableEntry(models.Model):
    """A lesson of a class in a period. Course splits (religion/ethics, language groups) are
    several entries for the same class and period, told apart by `group`."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="timetable"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="lessons"
    )
    subject = models.CharField(_("subject"), max_length=50)
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="lessons")
    group = models.CharField(_("course group"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable")
        ordering = ["school_class", "period"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "period", "group"],
                                    name="timetable_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.period}: {self.subject}"


class Profession(models.TextChoices):
    ASSISTANT = "assistant", _("School support assistant")
    SPECIAL_EDUCATION_TEACHER = "special_ed_teacher", _("Special-education teacher")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("Social pedagogue")


class Assistant(models.Model):
    """A member of a pool: school support assistant, special-education teacher or social
    pedagogue."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="assistants")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assistant",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    profession = models.CharField(_("profession"), max_length=30, choices=Profession.choices,
                                  default=Profession.ASSISTANT)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True,
                                    related_name="assistants")
    contract_minutes_per_week = models.PositiveIntegerField(
        _("contract minutes per week"), validators=[MaxValueValidator(60 * 60)]
    )
    schools = models.ManyToManyField(School, verbose_name=_("schools"), related_name="assistants")
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistant")
        verbose_name_plural = _("assistants")
        ordering = ["last_name", "first_name"]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return self.full_name


class WorkingTime(models.Model):
    """When an assistant works: one row per working day."""

    assistant = models.ForeignKey(Assistant, on_delete=models.CASCADE,
                                  related_name="working_times")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working time")
        verbose_name_plural = _("working times")
        ordering = ["assistant", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                   name="working_time_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Child(models.Model):
    """A child or young person with an approved or budgeted need for support.
    The name is sensitive; shared screens show only `display_code`."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="children")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("class"),
                                     on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    display_code = models.CharField(
        _("display code"), max_length=12,
        help_text=_("Pseudonym shown on shared screens instead of the name, e.g. 'Fox 7'."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Course groups the child attends where the class is split (matches TimetableEntry.group).
    course_groups = models.JSONField(_("course groups"), default=list, blank=True)
    required_skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), blank=True, related_name="children",
        help_text=_("Every assistant supporting this child must have these skills."),
    )
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("Sensitive: needs, strategies that work, care notes."))
    primary_assistant = models.ForeignKey(
        Assistant, verbose_name=_("primary reference person"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="primary_children",
    )
    fixed_assistants = models.ManyToManyField(
        Assistant, verbose_name=_("fixed persons"), blank=True, related_name="fixed_children",
        help_text=_("If set, only these assistants may support the child (medical or "
                    "therapeutic reasons)."),
    )
    max_assistants = models.PositiveSmallIntegerField(
        _("most different assistants per week"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For children who tolerate only a few people. Empty means no limit."),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["school", "school_class", "display_code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "display_code"],
                                    name="child_display_code_unique"),
        ]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return self.display_code


class NeedProfileEntry(models.Model):
    """When a child needs support: need 1 = support that may be shared, 2 = an adult of its own.
    A period without an entry (or need 0) means no support needed there."""

    class Need(models.IntegerChoices):
        NONE = 0, _("none")
        SHARED = 1, _("shared support")
        INDIVIDUAL = 2, _("an adult of its own")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="need_profile")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE,
                               related_name="needs")
    need = models.PositiveSmallIntegerField(_("need"), choices=Need.choices)
    # Overrides the timetable's room (e.g. a quiet room for a therapy session).
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills needed in this period"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("need profile entry")
        verbose_name_plural = _("need profile")
        ordering = ["child", "period__weekday", "period__start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "period"], name="need_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.period}: {self.need}"


class Approval(models.Model):
    """A funding body's decision (Bewilligungsbescheid) for one child."""

    class Ratio(models.IntegerChoices):
        ONE_TO_ONE = 1, _("1:1")
        ONE_TO_TWO = 2, _("1:2")
        ONE_TO_THREE = 3, _("1:3")

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT,
                              related_name="approvals")
    funding_body = models.ForeignKey(FundingBody, verbose_name=_("funding body"),
                                     on_delete=models.PROTECT, related_name="approvals")
    file_number = models.CharField(_("file number"), max_length=50)
    minutes_per_week = models.PositiveIntegerField(
        _("approved minutes per week"), validators=[MinValueValidator(1), MaxValueValidator(3000)]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    max_ratio = models.PositiveSmallIntegerField(_("group ratio"), choices=Ratio.choices,
                                                 default=Ratio.ONE_TO_ONE)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["child", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")),
                                   name="approval_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.file_number} ({self.valid_from}–{self.valid_to})"


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    LEAVE = "leave", _("Leave")
    TRAINING = "training", _("Training")
    SCHOOL_EVENT = "school_event", _("School event")
    OTHER = "other", _("Other")


class Absence(models.Model):
    """An assistant or a child away for whole days. The free-text reason is visible to
    coordinators only; everyone else sees the category at most."""

    assistant = models.ForeignKey(Assistant, verbose_name=_("assistant"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="absences")
    child = models.ForeignKey(Child, verbose_name=_("child"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="absences")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=20, choices=AbsenceReason.choices)
    reason_text = models.CharField(_("reason (coordinators only)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="absence_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(assistant__isnull=False, child__isnull=True)
                           | Q(assistant__isnull=True, child__isnull=False)),
                name="absence_of_exactly_one_person",
            ),
        ]

    def __str__(self) -> str:
        who = self.assistant or self.child
        return f"{who} {self.start}–{self.end}"


class ParentLink(models.Model):
    """A parent's (or guardian's) login linked to their own child; they see only that child."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="parent_links")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_links")

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        constraints = [
            models.UniqueConstraint(fields=["user", "child"], name="parent_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.child}"
