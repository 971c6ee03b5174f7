"""The simulation's parameters as people give them (per cent, EUR), turned into the run's
parameters (shares). The model's meaning and sources: docs/simulation.md."""

from django import forms
from django.utils.translation import gettext_lazy as _

from poolplan.planning.services import week_normalize
from poolplan.planning.weeks import WeekError
from poolplan.simulation import Parameters

DEFAULTS = Parameters()


def _plain(number: float) -> float | int:
    """15 rather than 15.0 or 7.000000000000001 in the form."""
    number = round(number, 2)
    return int(number) if number == int(number) else number


def _percent(label, initial, *, low=0.0, high=50.0, help_text=""):
    return forms.FloatField(label=label, initial=_plain(initial), min_value=low, max_value=high,
                            help_text=help_text, widget=forms.NumberInput(attrs={"step": "0.5"}))


class AnalysisForm(forms.Form):
    week = forms.CharField(
        label=_("Week the year repeats"), max_length=10,
        help_text=_("Its timetable, needs, approvals and pool, e.g. 2026-W48."))
    runs = forms.IntegerField(
        label=_("School years simulated"), initial=500, min_value=20, max_value=2000,
        help_text=_("More years give narrower intervals and take longer."))
    days = forms.IntegerField(label=_("School days a year"), initial=DEFAULTS.days, min_value=5,
                              max_value=250)
    absence = _percent(_("Assistants off sick, per cent of days"), 100 * DEFAULTS.absence,
                       help_text=_("In spells of several days, plus planned leave."))
    child_absence = _percent(_("Children absent, per cent of days"), 100 * DEFAULTS.child_absence)
    extra = forms.IntegerField(
        label=_("Extra assistants of “pool + k”"), required=False, min_value=0, max_value=40,
        help_text=_("Empty: as many as give the pool the staff hours of one-to-one."))
    hourly_rate = forms.FloatField(label=_("Employer's cost per hour (EUR)"),
                                   initial=_plain(DEFAULTS.hourly_rate), min_value=0,
                                   max_value=500)
    target = _percent(_("Sizing target: per cent of weeks with every approval met"), 95, low=50,
                      high=99.9)
    seed = forms.IntegerField(
        label=_("Random seed"), initial=1, min_value=0, max_value=2**31 - 1,
        help_text=_("The same seed and parameters give the same figures."))

    def clean_week(self) -> str:
        try:
            return week_normalize(self.cleaned_data["week"])
        except WeekError as error:
            raise forms.ValidationError(str(error)) from None

    def parameters(self) -> dict:
        """The run's parameters (shares as fractions), for `analysis_run_create`."""
        data = self.cleaned_data
        return {
            "runs": data["runs"], "days": data["days"],
            "absence": round(data["absence"] / 100, 4),
            "child_absence": round(data["child_absence"] / 100, 4),
            "extra": data["extra"], "hourly_rate": data["hourly_rate"],
            "target": round(data["target"] / 100, 4), "seed": data["seed"],
        }
