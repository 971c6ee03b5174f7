"""The quick-entry form. It only parses input; the rules live in `logbook/services.py`."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from poolplan.logbook.models import Presence, SupportKind
from poolplan.roster.models import Assistant, Child


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.full_name} ({obj.display_code})"


class ChildrenField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.display_code} – {obj.first_name}"


class LogEntryForm(forms.Form):
    # Generated when the form is shown and sent back with it: a double tap or a re-send of the
    # same form carries the same key and cannot log the session twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    child = ChildChoiceField(label=_("Child"), queryset=Child.objects.none())
    assistant = forms.ModelChoiceField(label=_("Assistant"), queryset=Assistant.objects.none(),
                                       required=False)
    # <input type=date> takes ISO dates only, whatever the page's language.
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"},
                                                                   format="%Y-%m-%d"))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                      format="%H:%M"))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                     format="%H:%M"))
    presence = forms.ChoiceField(label=_("Presence"), choices=Presence.choices,
                                 initial=Presence.PRESENT)
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    minutes_away = forms.IntegerField(label=_("Minutes away from the child"), min_value=0,
                                      max_value=600, initial=0)
    group = ChildrenField(label=_("Other children supported at the same time"),
                          queryset=Child.objects.none(), required=False,
                          widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (facts, not judgements)"), max_length=500,
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))
    incident = forms.BooleanField(label=_("Incident: raise it in the morning meeting"),
                                  required=False)

    def __init__(self, *args, children, assistants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["group"].queryset = children
        self.fields["idempotency_key"].initial = str(uuid.uuid4())
        if assistants is None:
            del self.fields["assistant"]
        else:
            self.fields["assistant"].queryset = assistants
            self.fields["assistant"].help_text = _("Empty: yourself.")


class LogEntryChangeForm(LogEntryForm):
    """Changing a logged session. Modes:

    - "edit": in place, before the month is signed (the author or the coordinator);
    - "correct": a new entry with a reason that supersedes the old one (the coordinator; after
      signing the only way to change what the proof shows);
    - "note": after signing, the author may still fix the note and the incident flag.
    """

    KEY_FIELDS = ("date", "start", "end", "presence", "kind", "minutes_away", "group")

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label=_("Reason for the correction (shown on the proof)"),
                             max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, children, mode: str, **kwargs):
        super().__init__(*args, children=children, assistants=None, **kwargs)
        del self.fields["child"]
        if mode == "correct":
            self.fields["reason"].required = True
            self.order_fields(["reason"])
        else:
            del self.fields["reason"]
            del self.fields["idempotency_key"]
        if mode == "note":
            for name in self.KEY_FIELDS:
                del self.fields[name]


class StrategyForm(forms.Form):
    child = ChildChoiceField(label=_("Child"), queryset=Child.objects.none())
    text = forms.CharField(label=_("What works (a routine, a phrase, a place)"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
