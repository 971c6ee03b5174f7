"""Demo data: one provider with three schools, their weeks, children, pool members and logins.

The primary and the comprehensive school are built from the planner's example instances
(`demo-primary-school.json`, `demo-comprehensive-school.json`, copies of
`shared/examples/`): slots become the bell schedule, locations become rooms and a timetable
from which every need's room follows, `needs` the need profiles, `approved_minutes` and
`max_ratio` the approvals, `unavailable` the working times. So an instance built from the demo
database later describes the same week as the examples.

Deliberate differences from the example files, because the product's demo story asks for them
(none makes the week harder to plan):
- comprehensive school: c1 (epilepsy, emergency medication) has the two nursing assistants a1
  and a2 as fixed persons — the same people its nursing skill already allows; c7 tolerates at
  most 3 assistants (the example says 2), so two young people have max_assistants 3;
- primary school: the assistants carry a focus skill no child requires (a1 break supervision,
  a2 motor tasks).

Idempotent: every object is looked up by its natural key and created (through the services,
which validate and write the audit rows) only when missing; existing rows are left alone.

Approvals are made for the school year containing the day the demo is loaded (1 August to 31
July, see `school_year`), so the demo's approvals are current whenever it is loaded. A child
counts as approved when any approval of it overlaps that school year; so a second run in the
same school year changes nothing, and a run in a later school year adds the next year's
approval (same file number: a follow-up approval of the same case) and leaves the earlier
years' approvals alone as history.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from poolplan.accounts.models import Role, User
from poolplan.roster import services
from poolplan.roster.models import (
    WEEKDAY_CODES,
    Approval,
    Assistant,
    Child,
    FundingBody,
    FundingModel,
    ParentLink,
    PeriodKind,
    Profession,
    Provider,
    School,
    Skill,
)

DEMO_PASSWORD = "demo"
HERE = Path(__file__).resolve().parent
DAY_CODES = {code: day for day, code in WEEKDAY_CODES.items()}


def school_year(day: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The school year containing `day` (default: today): 1 August to 31 July."""
    day = day or timezone.localdate()
    start_year = day.year if day.month >= 8 else day.year - 1
    return datetime.date(start_year, 8, 1), datetime.date(start_year + 1, 7, 31)

PROVIDER = "Schulbegleitung Musterstadt gGmbH"
YOUTH_OFFICE = "Jugendamt Musterstadt"
WELFARE_OFFICE = "Sozialamt Musterstadt"
PRIMARY = "Grundschule am Lindenplatz"
COMPREHENSIVE = "Gesamtschule Nord"
SPECIAL = "Förderzentrum am Stadtpark"

# Codes as the example instances use them; names are translated into the site language.
SKILLS = [
    ("nursing", gettext_noop("Physical care")),
    ("behaviour", gettext_noop("Challenging behaviour")),
    ("learning", gettext_noop("Learning support")),
    ("nonverbal", gettext_noop("Nonverbal communication")),
    ("motor", gettext_noop("Motor tasks")),
    ("breaks", gettext_noop("Break supervision")),
]


class DemoRefused(Exception):
    """Demo logins share the password "demo": they must never reach a production database."""


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, what they see) for every demo login; the password is always "demo".
    `coordinator` coordinates the comprehensive school only (its 15 young people), so what
    that login sees is unambiguous; coordinator2 and coordinator3 run the other two pools."""
    logins = [
        ("coordinator", Role.COORDINATOR,
         _("coordinator of %(school)s: its 15 young people and 7 pool members")
         % {"school": COMPREHENSIVE}),
        ("coordinator2", Role.COORDINATOR,
         _("coordinator of %(school)s: 6 children, 3 assistants") % {"school": PRIMARY}),
        ("coordinator3", Role.COORDINATOR,
         _("coordinator of %(school)s (school budget): 8 children, 5 pool members")
         % {"school": SPECIAL}),
    ]
    for number, (school, ident, first, last) in enumerate(_assistant_logins(), start=1):
        logins.append((f"assistant{number}", Role.ASSISTANT,
                       _("pool member %(name)s (%(ident)s) at %(school)s")
                       % {"name": f"{first} {last}", "ident": ident, "school": school}))
    logins += [
        ("teacher", Role.TEACHER,
         _("teacher of classes 6a and 6b at %(school)s") % {"school": COMPREHENSIVE}),
        ("parent", Role.PARENT,
         _("parent of Luchs 4 (class 6a) at %(school)s") % {"school": COMPREHENSIVE}),
        ("provider", Role.PROVIDER,
         _("provider manager of %(provider)s: all three schools") % {"provider": PROVIDER}),
        ("reviewer", Role.REVIEWER,
         _("reviewer at %(office)s: proofs of the children it funds")
         % {"office": YOUTH_OFFICE}),
    ]
    return [(username, str(role), description) for username, role, description in logins]


# --- the schools --------------------------------------------------------------------------------


@dataclass
class ChildSpec:
    ident: str  # id in the example instance (c1, ...), or d1... for the special school
    first_name: str
    last_name: str
    display_code: str
    class_name: str
    date_of_birth: datetime.date
    notes: str
    funding_body: str | None = None
    file_number: str = ""
    # Set only where the demo deliberately differs from the example instance; otherwise the
    # instance's `fixed` and `max_assistants` apply.
    fixed: list[str] | None = None
    max_assistants: int | None = None
    course_groups: list[str] = field(default_factory=list)


@dataclass
class AssistantSpec:
    ident: str
    first_name: str
    last_name: str
    extra_skills: list[str] = field(default_factory=list)
    profession: str = Profession.ASSISTANT


@dataclass
class SchoolSpec:
    name: str
    instance: dict
    classes: list[tuple[str, int, str]]  # (name, grade, home room)
    children: list[ChildSpec]
    assistants: list[AssistantSpec]
    floors: dict[str, str]
    home_subjects: list[str]
    special_rooms: dict[str, list[str]]  # room -> subjects taught there
    # (class, slot) -> [(group, subject, room)]: course splits such as religion/ethics.
    splits: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    funding_model: str = FundingModel.INDIVIDUAL
    budget_minutes_per_week: int | None = None
    # (child ident, slot) -> room name: a need entry's own room (therapy, quiet room).
    need_rooms: dict[tuple[str, str], str] = field(default_factory=dict)
    # (child ident, slot) -> skill codes needed only in that period.
    need_skills: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


PRIMARY_HOME = [gettext_noop("German"), gettext_noop("Mathematics"),
                gettext_noop("General studies"), gettext_noop("German"),
                gettext_noop("English"), gettext_noop("Mathematics"), gettext_noop("Art"),
                gettext_noop("Music"), gettext_noop("Religion")]
SECONDARY_HOME = [gettext_noop("German"), gettext_noop("Mathematics"), gettext_noop("English"),
                  gettext_noop("History"), gettext_noop("German"), gettext_noop("Mathematics"),
                  gettext_noop("Geography"), gettext_noop("English"), gettext_noop("Art"),
                  gettext_noop("Music"), gettext_noop("Politics"), gettext_noop("French")]
PE = gettext_noop("Physical education")


def primary_school() -> SchoolSpec:
    y, w = YOUTH_OFFICE, WELFARE_OFFICE
    return SchoolSpec(
        name=PRIMARY,
        instance=_load("demo-primary-school.json"),
        classes=[("2a", 2, "R5a"), ("3a", 3, "R5b")],
        floors={"R5a": "1", "R5b": "1", "lab2": "1"},
        home_subjects=PRIMARY_HOME,
        special_rooms={"gym": [PE], "lab2": [gettext_noop("General studies")]},
        assistants=[
            AssistantSpec("a1", "Sandra", "Roth", extra_skills=["breaks"]),
            AssistantSpec("a2", "Markus", "Peters", extra_skills=["motor"]),
            AssistantSpec("a3", "Nadine", "Scholz"),
        ],
        children=[
            ChildSpec("c1", "Mila", "Krüger", "Igel 2", "2a", _d("2018-09-12"),
                      gettext_noop("Spina bifida; walks with a walker. Help with toileting "
                                   "and changing for PE."), w, "50.3-2026-0117"),
            ChildSpec("c2", "Luis", "Schmid", "Biber 5", "3a", _d("2017-10-02"),
                      gettext_noop("Muscular weakness. Help with carrying, dressing and "
                                   "toileting."), w, "50.3-2026-0152"),
            ChildSpec("c3", "Ida", "Hahn", "Eule 3", "2a", _d("2019-01-20"),
                      gettext_noop("Nonverbal autism; communicates with a talker app on the "
                                   "tablet. Only familiar adults."), y, "51.2-2026-0348"),
            ChildSpec("c4", "Theo", "Vogel", "Dachs 8", "3a", _d("2017-12-08"),
                      gettext_noop("Challenging behaviour at transitions and in the gym; "
                                   "calm-down corner agreed with the class teacher."),
                      y, "51.2-2026-0391"),
            ChildSpec("c5", "Lina", "Jung", "Reh 4", "2a", _d("2018-11-30"),
                      gettext_noop("Attachment disorder; accepts two familiar adults. Intensive "
                                   "phase in the first lesson."), y, "51.2-2026-0402"),
            ChildSpec("c6", "Anton", "Frank", "Hase 6", "3a", _d("2018-03-14"),
                      gettext_noop("Learning difficulties, slow pace; needs step-by-step "
                                   "instructions."), y, "51.2-2026-0415"),
        ],
    )


def comprehensive_school() -> SchoolSpec:
    y, w = YOUTH_OFFICE, WELFARE_OFFICE
    return SchoolSpec(
        name=COMPREHENSIVE,
        instance=_load("demo-comprehensive-school.json"),
        # Room names are the building's numbering; they need not match the class names.
        classes=[("5a", 5, "R5a"), ("5b", 5, "R5b"), ("6a", 6, "R6a"), ("6b", 6, "R6b"),
                 ("7a", 7, "R7a"), ("7b", 7, "R7b"), ("8a", 8, "R8a"), ("9a", 9, "R8b"),
                 ("10a", 10, "R9a")],
        floors={"R5a": "1", "R5b": "1", "R6a": "1", "R6b": "1", "R7a": "2", "R7b": "2",
                "R8a": "2", "R8b": "3", "R9a": "3", "R10": "3", "lab1": "2", "lab2": "2"},
        home_subjects=SECONDARY_HOME,
        special_rooms={"gym": [PE],
                       "lab1": [gettext_noop("Biology"), gettext_noop("Chemistry")],
                       "lab2": [gettext_noop("Physics"), gettext_noop("Computer science")]},
        # Religion and ethics are taught in parallel groups on Friday's last lesson in 8a.
        splits={("8a", "fri-6"): [("religion", gettext_noop("Religion"), "R8a"),
                                  ("ethics", gettext_noop("Ethics"), "R10")]},
        assistants=[
            AssistantSpec("a1", "Katrin", "Hartmann"),
            AssistantSpec("a2", "Thomas", "Lange"),
            AssistantSpec("a3", "Ayşe", "Yılmaz"),
            AssistantSpec("a4", "Michael", "Krause"),
            AssistantSpec("a5", "Julia", "Meyer"),
            AssistantSpec("a6", "Stefan", "Schmitt"),
            AssistantSpec("a7", "Anna", "Lehmann"),
        ],
        children=[
            ChildSpec("c1", "Lena", "Schneider", "Fuchs 7", "6b", _d("2014-11-03"),
                      gettext_noop("Epilepsy; emergency medication per care plan, given only by "
                                   "trained staff. Wheelchair for longer distances."),
                      w, "50.3-2026-0088", fixed=["a1", "a2"]),
            ChildSpec("c2", "Jonas", "Weber", "Wolf 2", "9a", _d("2011-09-14"),
                      gettext_noop("ADHD. Short tasks with clear steps; a movement break every "
                                   "20 minutes helps."), y, "51.2-2026-0211"),
            ChildSpec("c3", "Mia", "Fischer", "Eule 5", "5b", _d("2015-08-22"),
                      gettext_noop("Autism. Announce room and plan changes early; ear defenders "
                                   "in the school bag."), y, "51.2-2026-0225"),
            ChildSpec("c4", "Leon", "Wagner", "Otter 1", "5a", _d("2015-12-01"),
                      gettext_noop("Support focus learning; works with picture cards, reads at "
                                   "grade 2 level."), y, "51.2-2026-0231"),
            ChildSpec("c5", "Hannah", "Becker", "Falke 9", "10a", _d("2010-10-19"),
                      gettext_noop("Anxiety disorder. Seat near the door; may take a short "
                                   "break outside with the support person."),
                      y, "51.2-2026-0240"),
            ChildSpec("c6", "Elias", "Hoffmann", "Dachs 3", "8a", _d("2012-08-30"),
                      gettext_noop("Support focus social-emotional development. Clear rules, "
                                   "early praise."), y, "51.2-2026-0256",
                      course_groups=["religion"]),
            ChildSpec("c7", "Emma", "Schulz", "Specht 6", "7b", _d("2013-09-05"),
                      gettext_noop("Challenging behaviour in unstructured situations; "
                                   "de-escalation plan in the file. Accepts few new people."),
                      y, "51.2-2026-0262", max_assistants=3),
            ChildSpec("c8", "Noah", "Koch", "Biber 4", "7a", _d("2014-02-17"),
                      gettext_noop("Cerebral palsy. Help with changing rooms, toileting and "
                                   "writing tasks (laptop)."), w, "50.3-2026-0093"),
            ChildSpec("c9", "Sophie", "Richter", "Möwe 8", "8a", _d("2013-04-11"),
                      gettext_noop("Autism. Visual timetable for the day; retreats to the quiet "
                                   "corner when overwhelmed."), y, "51.2-2026-0277",
                      course_groups=["religion"]),
            ChildSpec("c10", "Paul", "Klein", "Bär 2", "10a", _d("2011-01-23"),
                      gettext_noop("Challenging behaviour under stress; agreed exit card. Works "
                                   "well one-to-one."), y, "51.2-2026-0283"),
            ChildSpec("c11", "Lea", "Wolff", "Luchs 4", "6a", _d("2014-10-09"),
                      gettext_noop("Dyslexia, concentration difficulties. Texts read aloud, "
                                   "extra time in tests."), y, "51.2-2026-0290"),
            ChildSpec("c12", "Ben", "Neumann", "Robbe 7", "6a", _d("2015-03-28"),
                      gettext_noop("ADHD. Structured start into each lesson; sits at the "
                                   "front."), y, "51.2-2026-0304"),
            ChildSpec("c13", "Marie", "Schwarz", "Kauz 1", "9a", _d("2011-12-02"),
                      gettext_noop("Selective mutism; answers in writing. Tolerates only a few "
                                   "familiar adults."), y, "51.2-2026-0311"),
            ChildSpec("c14", "Finn", "Zimmermann", "Elch 5", "5b", _d("2016-01-15"),
                      gettext_noop("Support focus social-emotional development. Intensive "
                                   "support at the start of the day."), y, "51.2-2026-0327"),
            ChildSpec("c15", "Clara", "Braun", "Lerche 3", "6a", _d("2014-07-21"),
                      gettext_noop("Hearing impairment; hearing aids, sits facing the teacher. "
                                   "Needs notes from the board."), y, "51.2-2026-0335"),
        ],
    )


# The special school's week, invented: per child and weekday the need in the eight slots
# 1, 2, b1, 3, 4, b2, 5, 6 ("0" none, "1" shared, "2" an adult of its own).
SPECIAL_WEEK = {
    "d1": ["21211111", "21211111", "21211100", "21211111", "21211100"],
    "d2": ["11111111", "11111100", "11111111", "11111100", "11110000"],
    "d3": ["22111111", "22111111", "22111111", "22111111", "22111100"],
    "d4": ["11011011", "11011000", "11011011", "11011000", "11011000"],
    "d5": ["11111111", "11111111", "11111100", "11111111", "11111100"],
    "d6": ["11120120", "11120120", "11120100", "11120120", "11120100"],
    "d7": ["01111111", "01111111", "01111111", "01111111", "01111100"],
    "d8": ["11011022", "11011022", "11011000", "11011022", "11011000"],
}
SLOT_ORDER = ["1", "2", "b1", "3", "4", "b2", "5", "6"]
SLOT_TIMES = {"1": ("08:00", "08:45"), "2": ("08:50", "09:35"), "b1": ("09:35", "09:55"),
              "3": ("09:55", "10:40"), "4": ("10:45", "11:30"), "b2": ("11:30", "11:50"),
              "5": ("11:50", "12:35"), "6": ("12:40", "13:25")}


def _special_instance() -> dict:
    """The special school's week in the instance format, so all three schools are built the
    same way."""
    slots = [{"id": f"{day}-{label}", "day": day, "start": SLOT_TIMES[label][0],
              "end": SLOT_TIMES[label][1], "kind": "break" if label.startswith("b") else "lesson"}
             for day in ("mon", "tue", "wed", "thu", "fri") for label in SLOT_ORDER]
    home = {"d1": "K1", "d2": "K1", "d3": "K1", "d4": "K1",
            "d5": "K2", "d6": "K2", "d7": "K2", "d8": "K2"}
    # PE in the gym, cooking (practical life skills) in the teaching kitchen.
    away = {"K1": {"tue-3": "gym", "tue-4": "gym", "thu-5": "kitchen", "thu-6": "kitchen"},
            "K2": {"mon-5": "gym", "mon-6": "gym", "wed-3": "kitchen", "wed-4": "kitchen"}}
    children = []
    for ident, days in SPECIAL_WEEK.items():
        needs, location = {}, {}
        for day, pattern in zip(("mon", "tue", "wed", "thu", "fri"), days, strict=True):
            for label, need in zip(SLOT_ORDER, pattern, strict=True):
                slot = f"{day}-{label}"
                if need != "0":
                    needs[slot] = int(need)
                    location[slot] = ("yard" if label.startswith("b")
                                      else away[home[ident]].get(slot, home[ident]))
        children.append({"id": ident, "skills": [], "needs": needs, "location": location})
    skills = {"d3": ["behaviour"], "d6": ["nonverbal"], "d8": ["motor"]}
    primary = {"d1": "s1", "d2": "s3", "d3": "s5", "d4": "s2", "d5": "s4", "d6": "s3",
               "d7": "s2", "d8": "s1"}
    for child in children:
        child["skills"] = skills.get(child["id"], [])
        child["primary"] = primary[child["id"]]
        child["fixed"] = []
    # d1's physiotherapy on Wednesday, 4th lesson, is in the therapy room, not with the class.
    children[0]["location"]["wed-4"] = "therapy"
    assistants = [
        {"id": "s1", "skills": ["nursing", "motor"], "max_minutes": 1500, "unavailable": []},
        {"id": "s2", "skills": ["breaks", "behaviour"], "max_minutes": 1500, "unavailable": []},
        # Part-time: Monday to Wednesday only.
        {"id": "s3", "skills": ["nonverbal", "breaks"], "max_minutes": 900,
         "unavailable": [s["id"] for s in slots if s["day"] in ("thu", "fri")]},
        {"id": "s4", "skills": ["learning", "nonverbal", "behaviour"], "max_minutes": 1200,
         "unavailable": []},
        {"id": "s5", "skills": ["behaviour"], "max_minutes": 1350, "unavailable": []},
    ]
    return {"format": "poolplan-instance/1", "name": "Special school (8 children, 5 staff)",
            "slots": slots, "assistants": assistants, "children": children}


def special_school() -> SchoolSpec:
    return SchoolSpec(
        name=SPECIAL,
        instance=_special_instance(),
        classes=[("U2", 2, "K1"), ("M5", 5, "K2")],
        floors={"K1": "0", "K2": "0", "therapy": "0", "kitchen": "1"},
        home_subjects=[gettext_noop("Morning circle"), gettext_noop("German"),
                       gettext_noop("Mathematics"), gettext_noop("General studies"),
                       gettext_noop("Art"), gettext_noop("Music"),
                       gettext_noop("Communication training")],
        special_rooms={"gym": [PE], "kitchen": [gettext_noop("Cooking and housekeeping")]},
        funding_model=FundingModel.SCHOOL_BUDGET,
        budget_minutes_per_week=6750,
        need_rooms={("d1", "wed-4"): "therapy"},
        # d1's tube feeding falls in the first break: only nursing-trained staff may do it.
        need_skills={("d1", f"{day}-b1"): ["nursing"]
                     for day in ("mon", "tue", "wed", "thu", "fri")},
        assistants=[
            AssistantSpec("s1", "Birgit", "Keller"),
            AssistantSpec("s2", "Daniel", "Berger"),
            AssistantSpec("s3", "Petra", "Huber"),
            AssistantSpec("s4", "Claudia", "Fuchs",
                          profession=Profession.SPECIAL_EDUCATION_TEACHER),
            AssistantSpec("s5", "Jan", "Kaiser", profession=Profession.SOCIAL_PEDAGOGUE),
        ],
        children=[
            ChildSpec("d1", "Lukas", "Seidel", "Panda 1", "U2", _d("2018-05-06"),
                      gettext_noop("Multiple disabilities; tube feeding in the first break, "
                                   "physiotherapy on Wednesdays.")),
            ChildSpec("d2", "Mara", "Brandt", "Koala 2", "U2", _d("2018-08-19"),
                      gettext_noop("Down syndrome. Short instructions with gestures; likes to "
                                   "help hand out material.")),
            ChildSpec("d3", "Tim", "Haas", "Tiger 3", "U2", _d("2017-11-27"),
                      gettext_noop("Autism with challenging behaviour in the morning; arrival "
                                   "routine with a fixed order.")),
            ChildSpec("d4", "Nele", "Graf", "Zebra 4", "U2", _d("2018-02-10"),
                      gettext_noop("Intellectual disability; needs support in group work and "
                                   "at the end of the day.")),
            ChildSpec("d5", "Jana", "Pohl", "Kranich 5", "M5", _d("2014-09-03"),
                      gettext_noop("Support focus learning; works with a weekly plan.")),
            ChildSpec("d6", "Oskar", "Kuhn", "Wal 6", "M5", _d("2015-01-22"),
                      gettext_noop("Nonverbal; communicates with symbol cards (PECS).")),
            ChildSpec("d7", "Emil", "Sauer", "Hirsch 7", "M5", _d("2014-12-14"),
                      gettext_noop("Arrives late by special transport on most days; support "
                                   "from the second lesson.")),
            ChildSpec("d8", "Frieda", "Lorenz", "Schwan 8", "M5", _d("2014-06-30"),
                      gettext_noop("Motor impairment; help with fine-motor tasks and in the "
                                   "last lessons when tired.")),
        ],
    )


def school_specs() -> list[SchoolSpec]:
    return [comprehensive_school(), primary_school(), special_school()]


def _assistant_logins() -> list[tuple[str, str, str, str]]:
    """(school, ident, first, last) in login order: assistant1..7 are the comprehensive
    school's a1..a7 (assistant2 is a nursing assistant), then the primary, then the special
    school."""
    return [(spec.name, a.ident, a.first_name, a.last_name)
            for spec in (comprehensive_school(), primary_school(), special_school())
            for a in spec.assistants]


# --- loading ------------------------------------------------------------------------------------


def _t(hhmm: str) -> datetime.time:
    return datetime.time.fromisoformat(hhmm)


def _slot_label(slot_id: str) -> str:
    return slot_id.split("-", 1)[1]


def _working_times(slots: list[dict], unavailable: set[str]) -> list[tuple]:
    """Runs of available slots per day as working times; a run that starts with the first
    slot starts at 07:30, when sick calls and the morning consultation happen."""
    times = []
    for code, weekday in DAY_CODES.items():
        day_slots = [s for s in slots if s["day"] == code]
        run: list[dict] = []
        for slot in [*day_slots, None]:
            if slot is not None and slot["id"] not in unavailable:
                run.append(slot)
                continue
            if run:
                start = (datetime.time(7, 30) if run[0] is day_slots[0]
                         else _t(run[0]["start"]))
                times.append((weekday, start, _t(run[-1]["end"])))
                run = []
    return times


class _Loader:
    def __init__(self, out, today: datetime.date | None = None):
        self.out = out
        self.created = 0
        self.school_year = school_year(today)

    def note(self, what: str) -> None:
        """Count one created object (`what` names it for a reader of the loader)."""
        self.created += 1

    def load(self) -> int:
        provider = Provider.objects.get_or_create(name=PROVIDER)[0]
        self.funding = {name: FundingBody.objects.get_or_create(name=name)[0]
                        for name in (YOUTH_OFFICE, WELFARE_OFFICE)}
        self.skills = {}
        for code, name in SKILLS:
            self.skills[code] = Skill.objects.get_or_create(code=code,
                                                            defaults={"name": _(name)})[0]
        self.schools = {}
        self.assistants = {}
        self.children = {}
        for spec in school_specs():
            self.load_school(provider, spec)
        self.load_logins(provider)
        return self.created

    def load_school(self, provider: Provider, spec: SchoolSpec) -> None:
        school = School.objects.filter(provider=provider, name=spec.name).first()
        if school is None:
            school = services.school_create(
                actor=None, provider=provider, name=spec.name, funding_model=spec.funding_model,
                budget_minutes_per_week=spec.budget_minutes_per_week)
            self.note("school")
        self.schools[spec.name] = school
        instance = spec.instance

        room_names = {loc for c in instance["children"] for loc in c["location"].values()}
        room_names |= {home for _n, _g, home in spec.classes}
        room_names |= {room for split in spec.splits.values() for _g, _s, room in split}
        rooms = {r.name: r for r in school.rooms.all()}
        for name in sorted(room_names - set(rooms)):
            rooms[name] = services.room_create(actor=None, school=school, name=name,
                                               floor=spec.floors.get(name, ""))
            self.note("room")

        periods = {p.slot_id: p for p in school.periods.all()}
        for slot in instance["slots"]:
            if slot["id"] in periods:
                continue
            kind = slot["kind"]
            periods[slot["id"]] = services.period_create(
                actor=None, school=school, weekday=DAY_CODES[slot["day"]],
                label=_slot_label(slot["id"]), start=_t(slot["start"]), end=_t(slot["end"]),
                kind=kind, default_room=rooms["yard"] if kind == PeriodKind.BREAK else None)
            self.note("period")

        classes = {c.name: c for c in school.classes.all()}
        for name, grade, _home in spec.classes:
            if name not in classes:
                classes[name] = services.class_create(actor=None, school=school, name=name,
                                                      grade=grade)
                self.note("class")
        self.load_timetable(spec, periods, rooms, classes)

        for a in spec.assistants:
            self.load_assistant(provider, school, spec, a)
        for child in spec.children:
            self.load_child(school, spec, child, classes, periods, rooms)

    def load_timetable(self, spec: SchoolSpec, periods: dict, rooms: dict,
                       classes: dict) -> None:
        """A timetable from which each child's need locations follow: where a child of the
        class needs support away from the home room (gym, lab), the class has that lesson
        there; elsewhere it is in its home room with a rotating subject."""
        by_class: dict[str, list[dict]] = {}
        idents = {c.ident: c for c in spec.children}
        for child in spec.instance["children"]:
            by_class.setdefault(idents[child["id"]].class_name, []).append(child)
        lessons = [s for s in spec.instance["slots"] if s["kind"] == "lesson"]
        for class_index, (name, _grade, home) in enumerate(spec.classes):
            if classes[name].timetable.exists():
                continue
            entries = []
            for lesson_index, slot in enumerate(lessons):
                split = spec.splits.get((name, slot["id"]))
                if split:
                    plan = list(split)
                else:
                    room = home
                    for child in by_class.get(name, []):
                        wanted = child["location"].get(slot["id"])
                        own_room = (child["id"], slot["id"]) in spec.need_rooms
                        if wanted is not None and not own_room:
                            room = wanted
                    if room in spec.special_rooms:
                        options = spec.special_rooms[room]
                        subject = options[(lesson_index + class_index) % len(options)]
                    else:
                        subjects = spec.home_subjects
                        subject = subjects[(lesson_index * 5 + class_index * 3) % len(subjects)]
                    plan = [("", subject, room)]
                entries += [{"period": periods[slot["id"]], "subject": _(subject),
                             "room": rooms[room], "group": group}
                            for group, subject, room in plan]
            services.timetable_set(actor=None, school_class=classes[name], entries=entries)
            self.note("timetable")

    def load_assistant(self, provider: Provider, school: School, spec: SchoolSpec,
                       a: AssistantSpec) -> None:
        data = next(x for x in spec.instance["assistants"] if x["id"] == a.ident)
        assistant = Assistant.objects.filter(provider=provider, first_name=a.first_name,
                                             last_name=a.last_name).first()
        if assistant is None:
            skills = [self.skills[code] for code in [*data["skills"], *a.extra_skills]]
            assistant = services.assistant_create(
                actor=None, provider=provider, first_name=a.first_name, last_name=a.last_name,
                contract_minutes_per_week=data["max_minutes"], schools=[school],
                profession=a.profession, skills=skills)
            services.assistant_set_working_times(
                actor=None, assistant=assistant,
                times=_working_times(spec.instance["slots"], set(data["unavailable"])))
            self.note("assistant")
        self.assistants[(spec.name, a.ident)] = assistant

    def load_child(self, school: School, spec: SchoolSpec, c: ChildSpec, classes: dict,
                   periods: dict, rooms: dict) -> None:
        data = next(x for x in spec.instance["children"] if x["id"] == c.ident)
        child = Child.objects.filter(school=school, display_code=c.display_code).first()
        staff = {ident: assistant for (name, ident), assistant in self.assistants.items()
                 if name == spec.name}
        if child is None:
            child = services.child_create(
                actor=None, school=school, school_class=classes[c.class_name],
                first_name=c.first_name, last_name=c.last_name, display_code=c.display_code,
                date_of_birth=c.date_of_birth, notes=_(c.notes),
                required_skills=[self.skills[code] for code in data["skills"]],
                primary_assistant=staff.get(data.get("primary") or ""),
                fixed_assistants=[staff[ident] for ident in (
                    c.fixed if c.fixed is not None else data.get("fixed", []))],
                max_assistants=(c.max_assistants if c.max_assistants is not None
                                else data.get("max_assistants")),
                course_groups=c.course_groups)
            self.note("child")
        self.children[(spec.name, c.ident)] = child
        if not child.need_profile.exists():
            entries = [
                {"period": periods[slot], "need": need,
                 "room": rooms[spec.need_rooms[(c.ident, slot)]]
                 if (c.ident, slot) in spec.need_rooms else None,
                 "skills": [self.skills[code]
                            for code in spec.need_skills.get((c.ident, slot), [])]}
                for slot, need in data["needs"].items() if need >= 1
            ]
            services.need_profile_set(actor=None, child=child, entries=entries)
            self.note("need profile")
        first, last = self.school_year
        if c.funding_body and not Approval.objects.filter(
                child=child, valid_from__lte=last, valid_to__gte=first).exists():
            services.approval_create(
                actor=None, child=child, funding_body=self.funding[c.funding_body],
                file_number=c.file_number, minutes_per_week=data["approved_minutes"],
                valid_from=first, valid_to=last, max_ratio=data["max_ratio"])
            self.note("approval")

    def load_logins(self, provider: Provider) -> None:
        # Hashed once: 22 logins with the real PBKDF2 cost would take ~20 s.
        self.password_hash = make_password(DEMO_PASSWORD)
        comprehensive = self.schools[COMPREHENSIVE]

        def user(username: str, role: str, first: str, last: str, **kwargs) -> User:
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                return existing
            self.note("login")
            return services.user_create(actor=None, username=username, password=DEMO_PASSWORD,
                                        password_hash=self.password_hash,
                                        role=role, first_name=first, last_name=last,
                                        email=f"{username}@demo.poolplan.invalid", **kwargs)

        user("coordinator", Role.COORDINATOR, "Sabine", "Krüger", provider=provider,
             schools=[comprehensive])
        user("coordinator2", Role.COORDINATOR, "Heike", "Albrecht", provider=provider,
             schools=[self.schools[PRIMARY]])
        user("coordinator3", Role.COORDINATOR, "Martin", "Vogt", provider=provider,
             schools=[self.schools[SPECIAL]])
        for number, (school, ident, first, last) in enumerate(_assistant_logins(), start=1):
            login = user(f"assistant{number}", Role.ASSISTANT, first, last, provider=provider,
                         schools=[self.schools[school]])
            assistant = self.assistants[(school, ident)]
            if assistant.user_id is None and not hasattr(login, "assistant"):
                services.assistant_update(actor=None, assistant=assistant, user=login)
        user("teacher", Role.TEACHER, "Frank", "Winter", provider=provider,
             schools=[comprehensive],
             classes=list(comprehensive.classes.filter(name__in=["6a", "6b"])))
        parent = user("parent", Role.PARENT, "Susanne", "Wolff")
        child = self.children[(COMPREHENSIVE, "c11")]
        if not ParentLink.objects.filter(user=parent, child=child).exists():
            services.parent_link_create(actor=None, user=parent, child=child)
            self.note("parent link")
        user("provider", Role.PROVIDER, "Ralf", "Engel", provider=provider)
        user("reviewer", Role.REVIEWER, "Petra", "Sommer",
             funding_body=self.funding[YOUTH_OFFICE])


def demo_load(*, out=None, today: datetime.date | None = None) -> int:
    """Create whatever of the demo is missing; return how many objects were created (0 on a
    second run in the same school year). Approvals are made for the school year containing
    `today` (default: today's date). Refuses unless settings.DEMO_MODE is on."""
    if not settings.DEMO_MODE:
        raise DemoRefused(_(
            "Demo data is only loaded in demo mode, because its logins share the password "
            "\"demo\". Set POOLPLAN_DEMO=true (never on a production system) and run it again."))
    # One transaction: a failure leaves no half demo behind, and SQLite commits once.
    with transaction.atomic():
        return _Loader(out, today).load()

