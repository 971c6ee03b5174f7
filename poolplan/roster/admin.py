"""Admin for the roster. Saves of children, pool members, approvals and absences go through
`roster/services.py`, and their forms run the services' cross-row checks in `clean()`, so the
admin validates and audits exactly like the application does."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from poolplan.accounts.models import AuditAction
from poolplan.accounts.services import audit_record
from poolplan.roster import services
from poolplan.roster.models import (
    Absence,
    Approval,
    Assistant,
    Child,
    FundingBody,
    NeedProfileEntry,
    ParentLink,
    Period,
    Provider,
    Room,
    School,
    SchoolClass,
    Skill,
    TimetableEntry,
    WorkingTime,
)


def _adopt(obj, created) -> None:
    """Make the admin's unsaved object the row the service created, so the admin's inlines,
    messages and redirects refer to it."""
    obj.pk = created.pk
    obj._state = created._state


def _audit_formsets(request, obj, formsets, *, child=None) -> None:
    """One audit row per changed inline formset (need profile, working times, timetable)."""
    for formset in formsets:
        if formset.has_changed():
            audit_record(actor=request.user, action=AuditAction.UPDATE, obj=obj, child=child,
                         summary=f"{formset.model._meta.verbose_name_plural} of {obj} "
                                 f"changed in the admin")


class ServiceDeleteMixin:
    """Deletes through the service, which refuses records with history ('archive instead');
    bulk deletion is switched off because it would bypass that rule."""

    service_delete = None  # set to e.g. services.child_delete
    service_argument = ""

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, object_id)
            if obj is not None and self.has_delete_permission(request, obj):
                try:
                    type(self).service_delete(actor=request.user,
                                              **{self.service_argument: obj})
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])
                self.message_user(request, _("Deleted."), messages.SUCCESS)
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(FundingBody)
class FundingBodyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["provider", "name", "funding_model", "budget_minutes_per_week"]

    def clean(self):
        data = super().clean()
        if "funding_model" in data:
            services.school_check(funding_model=data["funding_model"],
                                  budget_minutes_per_week=data.get("budget_minutes_per_week"))
        return data


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class SchoolClassInline(admin.TabularInline):
    model = SchoolClass
    extra = 0
    show_change_link = True


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolForm
    list_display = ["name", "provider", "funding_model", "budget_minutes_per_week"]
    list_filter = ["provider", "funding_model"]
    search_fields = ["name"]
    inlines = [RoomInline, SchoolClassInline]

    def save_model(self, request, obj, form, change):
        if change:
            services.school_update(actor=request.user, school=School.objects.get(pk=obj.pk),
                                   **{f: form.cleaned_data[f] for f in form.changed_data
                                      if f in {"name", "funding_model",
                                               "budget_minutes_per_week"}})
            obj.refresh_from_db()
        else:
            created = services.school_create(
                actor=request.user, provider=obj.provider, name=obj.name,
                funding_model=obj.funding_model,
                budget_minutes_per_week=obj.budget_minutes_per_week)
            _adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _audit_formsets(request, form.instance, formsets)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "floor"]
    list_filter = ["school"]
    search_fields = ["name"]


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["school", "weekday", "kind", "label", "start", "end", "default_room"]

    def clean(self):
        data = super().clean()
        if all(data.get(f) is not None for f in ("school", "weekday", "start", "end")):
            services.period_check(school=data["school"], weekday=data["weekday"],
                                  start=data["start"], end=data["end"],
                                  default_room=data.get("default_room"),
                                  exclude_pk=self.instance.pk)
        return data


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    form = PeriodForm
    list_display = ["school", "weekday", "label", "kind", "start", "end", "default_room"]
    list_filter = ["school", "weekday", "kind"]
    search_fields = ["label", "school__name"]


class TimetableEntryForm(forms.ModelForm):
    class Meta:
        model = TimetableEntry
        fields = ["school_class", "period", "subject", "room", "group"]

    def clean(self):
        data = super().clean()
        school_class = data.get("school_class") or getattr(self.instance, "school_class", None)
        if school_class is not None and data.get("period") is not None:
            services.timetable_entry_check(school_class=school_class, period=data["period"],
                                           room=data.get("room"))
        return data


class TimetableEntryInline(admin.TabularInline):
    model = TimetableEntry
    form = TimetableEntryForm
    extra = 0
    autocomplete_fields = ["period", "room"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "grade"]
    list_filter = ["school", "grade"]
    search_fields = ["name"]
    inlines = [TimetableEntryInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _audit_formsets(request, form.instance, formsets)


@admin.register(TimetableEntry)
class TimetableEntryAdmin(admin.ModelAdmin):
    form = TimetableEntryForm
    list_display = ["school_class", "period", "subject", "room", "group"]
    list_filter = ["school_class__school", "school_class", "period__weekday"]
    search_fields = ["subject", "school_class__name"]


# --- pool members -------------------------------------------------------------------------------


class WorkingTimeInline(admin.TabularInline):
    model = WorkingTime
    extra = 0


class AssistantForm(forms.ModelForm):
    class Meta:
        model = Assistant
        fields = ["provider", "user", "first_name", "last_name", "profession", "skills",
                  "contract_minutes_per_week", "schools"]

    def clean(self):
        data = super().clean()
        if data.get("provider") is not None:
            services.assistant_check(provider=data["provider"],
                                     schools=list(data.get("schools") or []),
                                     user=data.get("user"))
        return data


@admin.register(Assistant)
class AssistantAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = AssistantForm
    service_delete = services.assistant_delete
    service_argument = "assistant"
    list_display = ["last_name", "first_name", "profession", "contract_minutes_per_week",
                    "provider", "archived_at"]
    list_filter = ["provider", "schools", "profession", "skills", "archived_at"]
    search_fields = ["first_name", "last_name", "user__username"]
    filter_horizontal = ["skills", "schools"]
    readonly_fields = ["archived_at"]
    inlines = [WorkingTimeInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {f: data[f] for f in form.changed_data
                      if f in services.ASSISTANT_FIELDS | services.ASSISTANT_M2M}
            services.assistant_update(actor=request.user,
                                      assistant=Assistant.objects.get(pk=obj.pk), **fields)
            obj.refresh_from_db()
        else:
            created = services.assistant_create(
                actor=request.user, provider=data["provider"], first_name=data["first_name"],
                last_name=data["last_name"],
                contract_minutes_per_week=data["contract_minutes_per_week"],
                schools=list(data["schools"]), profession=data["profession"],
                skills=list(data.get("skills") or []), user=data.get("user"))
            _adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        # The service already set the many-to-many fields (and audited them).
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        _audit_formsets(request, form.instance, formsets)


# --- children -----------------------------------------------------------------------------------


class NeedProfileEntryForm(forms.ModelForm):
    class Meta:
        model = NeedProfileEntry
        fields = ["period", "need", "room", "skills"]

    def clean(self):
        data = super().clean()
        child = self.instance.child if self.instance.child_id else None
        if child is not None and data.get("period") is not None and not self.cleaned_data.get(
                "DELETE"):
            services.need_profile_check(child=child, entries=[
                {"period": data["period"], "need": data.get("need", 0),
                 "room": data.get("room")}])
        return data


class NeedProfileInline(admin.TabularInline):
    model = NeedProfileEntry
    form = NeedProfileEntryForm
    extra = 0
    autocomplete_fields = ["period", "room"]


class ApprovalInline(admin.TabularInline):
    """Read-only here: approvals are edited on their own page, where the overlap rule and the
    audit row apply."""

    model = Approval
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["file_number", "funding_body", "minutes_per_week", "max_ratio", "valid_from",
              "valid_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = ["school", "school_class", "first_name", "last_name", "display_code",
                  "date_of_birth", "course_groups", "required_skills", "notes",
                  "primary_assistant", "fixed_assistants", "max_assistants"]

    def clean(self):
        data = super().clean()
        school = data.get("school") or (self.instance.school if self.instance.school_id
                                        else None)
        if school is not None and data.get("school_class") is not None:
            services.child_check(
                school=school, school_class=data["school_class"],
                primary_assistant=data.get("primary_assistant"),
                fixed_assistants=list(data.get("fixed_assistants") or []),
                required_skills=list(data.get("required_skills") or []),
                course_groups=data.get("course_groups") or [])
        return data


@admin.register(Child)
class ChildAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = ChildForm
    service_delete = services.child_delete
    service_argument = "child"
    list_display = ["display_code", "school", "school_class", "primary_assistant",
                    "max_assistants", "archived_at"]
    list_filter = ["school", "school_class", "required_skills", "archived_at"]
    search_fields = ["display_code", "first_name", "last_name"]
    filter_horizontal = ["required_skills", "fixed_assistants"]
    readonly_fields = ["archived_at"]
    inlines = [NeedProfileInline, ApprovalInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving a child to another school would orphan its need profile and approvals.
        return [*self.readonly_fields, "school"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {f: data[f] for f in form.changed_data
                      if f in services.CHILD_FIELDS | services.CHILD_M2M}
            services.child_update(actor=request.user, child=Child.objects.get(pk=obj.pk),
                                  **fields)
            obj.refresh_from_db()
        else:
            created = services.child_create(
                actor=request.user, school=data["school"], school_class=data["school_class"],
                first_name=data["first_name"], last_name=data["last_name"],
                display_code=data["display_code"], date_of_birth=data.get("date_of_birth"),
                notes=data.get("notes", ""),
                required_skills=list(data.get("required_skills") or []),
                primary_assistant=data.get("primary_assistant"),
                fixed_assistants=list(data.get("fixed_assistants") or []),
                max_assistants=data.get("max_assistants"),
                course_groups=data.get("course_groups") or [])
            _adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        _audit_formsets(request, form.instance, formsets, child=form.instance)


class ApprovalForm(forms.ModelForm):
    class Meta:
        model = Approval
        fields = ["child", "funding_body", "file_number", "minutes_per_week", "valid_from",
                  "valid_to", "max_ratio"]

    def clean(self):
        data = super().clean()
        if data.get("child") is not None:
            services.approval_check(child=data["child"], valid_from=data.get("valid_from"),
                                    valid_to=data.get("valid_to"),
                                    exclude_pk=self.instance.pk)
        return data


@admin.register(Approval)
class ApprovalAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = ApprovalForm
    service_delete = services.approval_delete
    service_argument = "approval"
    list_display = ["child", "file_number", "funding_body", "minutes_per_week", "max_ratio",
                    "valid_from", "valid_to"]
    list_filter = ["funding_body", "max_ratio", "child__school"]
    search_fields = ["file_number", "child__display_code"]
    autocomplete_fields = ["child"]
    date_hierarchy = "valid_from"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.approval_update(
                actor=request.user, approval=Approval.objects.get(pk=obj.pk),
                **{f: data[f] for f in form.changed_data if f in services.APPROVAL_FIELDS})
        else:
            _adopt(obj, services.approval_create(
                actor=request.user, child=data["child"], funding_body=data["funding_body"],
                file_number=data["file_number"], minutes_per_week=data["minutes_per_week"],
                valid_from=data["valid_from"], valid_to=data["valid_to"],
                max_ratio=data["max_ratio"]))


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["assistant", "child", "start", "end", "reason", "reason_text"]

    def clean(self):
        data = super().clean()
        services.absence_check(assistant=data.get("assistant"), child=data.get("child"),
                               start=data.get("start"), end=data.get("end"),
                               exclude_pk=self.instance.pk)
        return data


@admin.register(Absence)
class AbsenceAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = AbsenceForm
    service_delete = services.absence_delete
    service_argument = "absence"
    list_display = ["__str__", "reason", "start", "end", "created_by", "created_at"]
    list_filter = ["reason", "assistant__schools", "child__school"]
    search_fields = ["assistant__last_name", "child__display_code"]
    autocomplete_fields = ["assistant", "child"]
    date_hierarchy = "start"

    def get_readonly_fields(self, request, obj=None):
        # Whose absence it is does not change; enter a new one for another person.
        return ["assistant", "child"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.absence_update(
                actor=request.user, absence=Absence.objects.get(pk=obj.pk),
                **{f: data[f] for f in form.changed_data if f in services.ABSENCE_FIELDS})
        else:
            _adopt(obj, services.absence_create(
                actor=request.user, assistant=data.get("assistant"), child=data.get("child"),
                start=data["start"], end=data["end"], reason=data["reason"],
                reason_text=data.get("reason_text", "")))


@admin.register(ParentLink)
class ParentLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "child"]
    search_fields = ["user__username", "child__display_code"]
    autocomplete_fields = ["child"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            _adopt(obj, services.parent_link_create(actor=request.user, user=obj.user,
                                                    child=obj.child))
