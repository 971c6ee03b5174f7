"""Property tests: whatever the bytes, the parsers answer with rows or problems, never with an
unhandled exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poolplan.imports.parsing.people import parse_people
from poolplan.imports.parsing.untis import parse_untis, timetable_by_class

FIELD = st.one_of(st.text(max_size=12), st.integers(-5, 30).map(str), st.just(""),
                  st.sampled_from(['"', '""', ";", ",", "\t", "\r", "\n", "Mül", "\x00"]))
ROW = st.lists(FIELD, min_size=0, max_size=12)
DELIMITER = st.sampled_from([";", ",", "\t"])


@st.composite
def delimited_files(draw):
    delimiter = draw(DELIMITER)
    rows = draw(st.lists(ROW, max_size=15))
    text = "\r\n".join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-8-sig"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(delimited_files(), st.binary(max_size=400)),
       name=st.sampled_from(["GPU001.TXT", "GPU003.TXT", "GPU005.TXT", "x.txt", "u.xml"]))
def test_untis_parsing_never_raises(data, name):
    result = parse_untis([(name, data)])
    timetable_by_class(result.lessons)
    for problem in result.problems:
        assert str(problem)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.sampled_from([
    "class;display_code;first_name;last_name;date_of_birth;course_groups;required_skills",
    "display_code;weekday;period;need;room;skills",
    "first_name;last_name;profession;contract_minutes_per_week;skills;monday;tuesday",
    "display_code;funding_body;file_number;minutes_per_week;valid_from;valid_to;ratio",
    "",
]), body=delimited_files())
def test_people_parsing_never_raises(header, body):
    data = header.encode() + b"\r\n" + body
    result = parse_people([("people.csv", data)])
    for problem in result.problems:
        assert str(problem)


@settings(max_examples=50)
@given(data=st.binary(max_size=300))
def test_broken_workbooks_never_raise(data):
    result = parse_people([("people.xlsx", b"PK\x03\x04" + data)])
    assert result.problems
