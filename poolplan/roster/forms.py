"""Forms of the roster pages. They only parse input; the rules live in `roster/services.py`."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from poolplan.roster.models import Child, NeedProfileEntry, Period, Room


def need_profile_stamp(entries: dict[int, NeedProfileEntry]) -> str:
    """A fingerprint of the saved grid. The edit form carries the one it was built from, so a
    save over someone else's newer grid is detected instead of silently overwriting it."""
    state = sorted((period_id, e.need, e.room_id or 0) for period_id, e in entries.items())
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


class NeedProfileForm(forms.Form):
    """One need select and one room select per period of the child's school week."""

    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, child: Child, periods: list[Period], rooms: list[Room],
                 entries: dict[int, NeedProfileEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.periods = periods
        self.saved_entries = entries
        self.fields["stamp"].initial = need_profile_stamp(entries)
        need_choices = [(value, f"{value} – {label}")
                        for value, label in NeedProfileEntry.Need.choices]
        room_choices = [("", _("as in the timetable"))] + [(room.pk, room.name) for room in rooms]
        self.rooms = {room.pk: room for room in rooms}
        for period in periods:
            entry = entries.get(period.pk)
            self.fields[f"need_{period.pk}"] = forms.TypedChoiceField(
                label=_("Need"), choices=need_choices, coerce=int,
                initial=entry.need if entry else 0,
            )
            self.fields[f"room_{period.pk}"] = forms.TypedChoiceField(
                label=_("Room"), choices=room_choices, coerce=int, empty_value=None,
                required=False, initial=entry.room_id if entry else "",
            )

    def entries(self) -> list[dict]:
        """The grid as `need_profile_set` takes it. Skills recorded per period are kept."""
        result = []
        for period in self.periods:
            saved = self.saved_entries.get(period.pk)
            room_id = self.cleaned_data.get(f"room_{period.pk}")
            result.append({
                "period": period,
                "need": self.cleaned_data[f"need_{period.pk}"],
                "room": self.rooms.get(room_id) if room_id else None,
                "skills": list(saved.skills.all()) if saved else [],
            })
        return result
