"""Selectors of the evaluation dashboard: the monthly and the six-month pilot review of a
school's pool (reads only; for the pool's coordinators and the provider's management, who sees
display codes, not names).

Figures, per month of the period and per child:

- coverage of approved minutes: credited minutes / approved minutes (`selectors.child_ledgers`;
  school-budget pools: delivered staff minutes / budget, `selectors.pool_ledger`);
- make-up debt at the end of each month;
- absences covered: school days on which a child's primary reference person was absent (and the
  child was not); covered when another pool member supported the child that day — what the
  pool model promises;
- card response times: red cards raised; median and 90th percentile from "waiting since" to
  "I'm going" and to "done" (`board.models.CardEvent`);
- distinct assistants per child and the share of its delivered minutes given by its primary
  reference person.

A fixed number of queries however many children and months (tests cap them).
"""

import csv
import datetime
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from poolplan.accounts.models import User
from poolplan.board.models import CardColour, CardEvent, CardEventKind
from poolplan.logbook.models import Presence
from poolplan.logbook.selectors import (
    child_ledgers,
    month_bounds,
    pool_ledger,
    staff_minutes,
)
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Absence, Child, FundingModel, Period, School

PERIODS = (1, 6)


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    approved: int
    credited: int
    debt_end: int
    budget: int | None
    staff: int
    red_cards: int
    acknowledge_median: float | None  # minutes
    acknowledge_p90: float | None
    done_median: float | None

    @property
    def coverage(self) -> float | None:
        return _share(self.credited, self.approved)

    @property
    def budget_use(self) -> float | None:
        return _share(self.staff, self.budget or 0)


@dataclass(frozen=True)
class ChildFigures:
    child: Child
    approved: int
    credited: int
    debt: int
    delivered: int
    assistants: int
    primary_minutes: int
    absence_days: int
    absence_days_covered: int

    @property
    def coverage(self) -> float | None:
        return _share(self.credited, self.approved)

    @property
    def primary_share(self) -> float | None:
        return _share(self.primary_minutes, self.delivered)


@dataclass(frozen=True)
class Evaluation:
    school: School
    first: datetime.date
    last: datetime.date
    months: list[MonthFigures]
    children: list[ChildFigures]
    show_names: bool

    @property
    def is_budget(self) -> bool:
        return self.school.funding_model == FundingModel.SCHOOL_BUDGET

    @property
    def approved(self) -> int:
        return sum(m.approved for m in self.months)

    @property
    def credited(self) -> int:
        return sum(m.credited for m in self.months)

    @property
    def coverage(self) -> float | None:
        return _share(self.credited, self.approved)

    @property
    def debt_end(self) -> int:
        return self.months[-1].debt_end if self.months else 0

    @property
    def budget_use(self) -> float | None:
        return _share(sum(m.staff for m in self.months), sum(m.budget or 0 for m in self.months))

    @property
    def absence_days(self) -> int:
        return sum(c.absence_days for c in self.children)

    @property
    def absence_days_covered(self) -> int:
        return sum(c.absence_days_covered for c in self.children)

    @property
    def absences_covered(self) -> float | None:
        return _share(self.absence_days_covered, self.absence_days)

    @property
    def red_cards(self) -> int:
        return sum(m.red_cards for m in self.months)

    @property
    def mean_assistants(self) -> float | None:
        served = [c.assistants for c in self.children if c.assistants]
        return round(sum(served) / len(served), 1) if served else None

    @property
    def primary_share(self) -> float | None:
        return _share(sum(c.primary_minutes for c in self.children),
                      sum(c.delivered for c in self.children))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _minutes(seconds: list[float]) -> tuple[float | None, float | None]:
    if not seconds:
        return None, None
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return round(statistics.median(ordered) / 60, 1), round(p90 / 60, 1)


def period_months(end_month: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the `months` months ending with `end_month`'s, oldest first."""
    firsts = [end_month.replace(day=1)]
    while len(firsts) < months:
        firsts.insert(0, (firsts[0] - datetime.timedelta(days=1)).replace(day=1))
    return firsts


def evaluation(*, user: User, school: School, end_month: datetime.date, months: int = 1,
               today: datetime.date | None = None) -> Evaluation:
    """The pool's figures for the `months` months ending with `end_month`. The caller has
    checked access (`selectors.pool_school_get`: coordinators and the provider)."""
    today = today or timezone.localdate()
    firsts = period_months(end_month, months)
    first, last = firsts[0], month_bounds(firsts[-1])[1]
    children = list(roster_selectors.child_list(user=user, school=school)
                    .select_related("primary_assistant").order_by("display_code"))
    ledgers = child_ledgers(user=user, children=children, start=first, end=last, today=today)
    cards = _card_figures(school, first, last)
    by_month: dict[datetime.date, dict] = {m: defaultdict(int) for m in firsts}
    for ledger in ledgers.values():
        for week in ledger.weeks:
            figures = by_month[week.start.replace(day=1)]
            figures["approved"] += week.approved
            figures["credited"] += week.credited
        for month in firsts:
            weeks = [w for w in ledger.weeks if w.start.replace(day=1) == month]
            if weeks:
                by_month[month]["debt"] += weeks[-1].debt_after
    pools = ({m: pool_ledger(school=school, month=m).total for m in firsts}
             if school.funding_model == FundingModel.SCHOOL_BUDGET else {})
    staff = defaultdict(int)
    if not pools:
        # Individual approvals: staff minutes from the same entries the ledgers loaded.
        for month in firsts:
            staff[month] = staff_minutes([s.entry for ledger in ledgers.values()
                                          for s in ledger.sessions
                                          if s.entry.date.replace(day=1) == month])
    month_rows = []
    for month in firsts:
        figures = by_month[month]
        red, acknowledge, done = cards.get(month, (0, [], []))
        ack_median, ack_p90 = _minutes(acknowledge)
        done_median, _p90 = _minutes(done)
        month_rows.append(MonthFigures(
            month=month, approved=figures["approved"], credited=figures["credited"],
            debt_end=figures["debt"],
            budget=pools[month].budget if pools else None,
            staff=pools[month].staff if pools else staff[month],
            red_cards=red, acknowledge_median=ack_median, acknowledge_p90=ack_p90,
            done_median=done_median))

    absences = _primary_absence_days(school, children, first, min(last, today - datetime.
                                                                    timedelta(days=1)))
    child_rows = []
    for child in children:
        ledger = ledgers[child.pk]
        present = [s for s in ledger.sessions
                   if s.entry.presence == Presence.PRESENT and s.delivered]
        affected = absences.get(child.pk, set())
        supported = {s.entry.date for s in present
                     if s.entry.assistant_id != child.primary_assistant_id}
        child_rows.append(ChildFigures(
            child=child, approved=ledger.total.approved, credited=ledger.total.credited,
            debt=ledger.total.debt_after, delivered=sum(s.delivered for s in present),
            assistants=len({s.entry.assistant_id for s in present}),
            primary_minutes=sum(s.delivered for s in present
                                if s.entry.assistant_id == child.primary_assistant_id),
            absence_days=len(affected), absence_days_covered=len(affected & supported)))
    return Evaluation(school=school, first=first, last=last, months=month_rows,
                      children=child_rows,
                      show_names=roster_selectors.role_access(user=user).name)


def _card_figures(school: School, first: datetime.date, last: datetime.date) -> dict:
    """month -> (red cards raised, seconds to "I'm going", seconds to "done")."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=zone)
    result: dict[datetime.date, tuple] = defaultdict(lambda: (0, [], []))
    for event in CardEvent.objects.filter(school=school, at__gte=start, at__lt=end).only(
            "kind", "colour", "previous_colour", "at", "raised_at", "acknowledged_at"):
        month = timezone.localtime(event.at).date().replace(day=1)
        red, acknowledge, done = result[month]
        if event.kind == CardEventKind.SET and event.colour == CardColour.RED:
            red += 1
        elif event.kind == CardEventKind.ACKNOWLEDGE and event.seconds_to_acknowledge is not None:
            acknowledge.append(event.seconds_to_acknowledge)
        elif event.kind == CardEventKind.DONE and event.seconds_to_done is not None:
            done.append(event.seconds_to_done)
        result[month] = (red, acknowledge, done)
    return result


def _primary_absence_days(school: School, children: list[Child], first: datetime.date,
                          last: datetime.date) -> dict[int, set[datetime.date]]:
    """child id -> past school days on which its primary reference person was absent and the
    child was not."""
    primaries = defaultdict(list)
    for child in children:
        if child.primary_assistant_id:
            primaries[child.primary_assistant_id].append(child.pk)
    if not primaries or last < first:
        return {}
    weekdays = set(Period.objects.filter(school=school).values_list("weekday", flat=True))
    staff_days: dict[int, set] = defaultdict(set)
    child_days: dict[int, set] = defaultdict(set)
    for absence in Absence.objects.filter(
            start__lte=last, end__gte=first, assistant__in=list(primaries)) | \
            Absence.objects.filter(start__lte=last, end__gte=first,
                                   child__in=[c.pk for c in children]):
        day = max(absence.start, first)
        while day <= min(absence.end, last):
            if day.isoweekday() in weekdays:
                if absence.assistant_id:
                    staff_days[absence.assistant_id].add(day)
                else:
                    child_days[absence.child_id].add(day)
            day += datetime.timedelta(days=1)
    return {child_id: days - child_days[child_id]
            for assistant_id, days in staff_days.items()
            for child_id in primaries[assistant_id]}


CSV_COLUMNS = ["child", "approved", "credited", "coverage_percent", "make_up_debt",
               "delivered", "distinct_assistants", "primary_share_percent",
               "primary_absent_days", "primary_absent_days_covered"]
MONTH_CSV_COLUMNS = ["month", "approved", "credited", "coverage_percent", "make_up_debt_end",
                     "budget", "staff_minutes", "red_cards", "minutes_to_going_median",
                     "minutes_to_going_p90", "minutes_to_done_median"]


def evaluation_csv(result: Evaluation) -> bytes:
    """UTF-8 with BOM, semicolons (German Excel): one row per child, an empty row, then one row
    per month. Children by display code (the provider sees no names)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def number(value):
        return "" if value is None else value

    writer.writerow(CSV_COLUMNS)
    for row in result.children:
        writer.writerow([row.child.display_code, row.approved, row.credited,
                         number(row.coverage), row.debt, row.delivered, row.assistants,
                         number(row.primary_share), row.absence_days,
                         row.absence_days_covered])
    writer.writerow([])
    writer.writerow(MONTH_CSV_COLUMNS)
    for month in result.months:
        writer.writerow([f"{month.month:%Y-%m}", month.approved, month.credited,
                         number(month.coverage), month.debt_end, number(month.budget),
                         month.staff, month.red_cards, number(month.acknowledge_median),
                         number(month.acknowledge_p90), number(month.done_median)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
