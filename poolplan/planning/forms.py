"""Forms of the planning pages. They only parse input; the rules live in `planning/services.py`
(hard rules of a plan) and `roster/services.py` (absences)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poolplan.planning.models import Plan
from poolplan.roster.models import AbsenceReason, Assistant, Child, Period
from poolplan.roster.services import period_label_text


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AssignmentForm(forms.Form):
    """Who supports one child in one slot of one plan version, as of its edit_version."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    slot = forms.CharField(widget=forms.HiddenInput, max_length=20)
    child = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assistant = forms.TypedChoiceField(label=_("Supported by"), required=False, coerce=int,
                                       empty_value=None)
    pinned = forms.BooleanField(label=_("Pin (the solver keeps it)"), required=False)

    def __init__(self, data, *, plan: Plan):
        self.plan = plan
        data = data.copy()
        for key, value in (("version", plan.version), ("edit_version", plan.edit_version)):
            data.setdefault(key, value)
        super().__init__(data)
        unavailable = {a["id"]: set(a["unavailable"]) for a in plan.instance["assistants"]}
        slot = data.get("slot", "")
        assistants = Assistant.objects.filter(
            pk__in=[int(a["id"]) for a in plan.instance["assistants"]]).order_by(
            "first_name", "last_name")
        choices = [("", _("nobody"))]
        for assistant in assistants:
            label = assistant.full_name
            if slot in unavailable.get(str(assistant.pk), set()):
                label = _("%(name)s (not available)") % {"name": label}
            choices.append((assistant.pk, label))
        self.fields["assistant"].choices = choices
        current = plan.assignments.filter(slot=slot, child_id=_int(data.get("child"))).first()
        self.current = current
        if "assistant" not in data and current is not None:
            self.data["assistant"] = str(current.assistant_id)
            self.data["pinned"] = "on" if current.pinned else ""

    def is_valid_target(self) -> bool:
        child = _int(self.data.get("child"))
        slot = self.data.get("slot", "")
        return any(c["id"] == str(child) and c["needs"].get(slot, 0) >= 1
                   for c in self.plan.instance["children"])

    def target_context(self) -> dict:
        child = Child.objects.filter(pk=_int(self.data.get("child"))).first()
        slot = self.data.get("slot", "")
        day, _sep, label = slot.partition("-")
        period = Period.objects.filter(school=self.plan.school).filter(
            label=label).filter(weekday={"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5}.get(
                day, 0)).first()
        return {"child": child, "slot": slot,
                "where": period_label_text(period) if period else slot}

    def clean_child(self):
        child = Child.objects.filter(pk=self.cleaned_data["child"], school=self.plan.school).first()
        if child is None:
            raise forms.ValidationError(_("That child is not at this school."))
        return child

    def clean_assistant(self):
        pk = self.cleaned_data["assistant"]
        return None if pk is None else Assistant.objects.get(pk=pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _AbsenceDates(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until (last day)"), widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=AbsenceReason.choices,
                               initial=AbsenceReason.ILLNESS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["end"].initial = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The absence must end on or after its first day; check "
                                    "the dates."))
        if start and end and (end - start) > datetime.timedelta(days=366):
            self.add_error("end", _("Enter absences of at most a year at a time."))
        return data


class AbsenceForm(_AbsenceDates):
    """A coordinator enters a pool member's absence (sick call)."""

    assistant = forms.ModelChoiceField(label=_("Pool member"), queryset=Assistant.objects.none())
    reason_text = forms.CharField(label=_("Note (coordinators only)"), required=False,
                                  max_length=300)
    field_order = ["assistant", "start", "end", "reason", "reason_text"]

    def __init__(self, *args, assistants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant"].queryset = assistants.order_by("first_name", "last_name")


class SelfAbsenceForm(_AbsenceDates):
    """A pool member reports their own absence: the category only, no free text."""
