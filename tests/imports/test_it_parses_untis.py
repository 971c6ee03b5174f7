"""The Untis parsers on every variation of real exports (no database)."""

import pytest

from poolplan.imports.parsing.common import decode_text, sniff_delimiter
from poolplan.imports.parsing.untis import (
    file_kind,
    parse_untis,
    period_times,
    timetable_by_class,
)
from tests.imports.conftest import LESSONS, gpu_bytes


def lessons_of(data: bytes, name="GPU001.TXT"):
    result = parse_untis([(name, data)])
    assert result.problems == [], [str(p) for p in result.problems]
    return result


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("quote", [True, False])
@pytest.mark.parametrize("crlf", [True, False])
def test_it_reads_every_delimiter_quoting_and_line_end(delimiter, quote, crlf):
    data = gpu_bytes(LESSONS, delimiter=delimiter, quote=quote, crlf=crlf)
    result = lessons_of(data)
    assert len(result.lessons) == len(LESSONS)
    first = result.lessons[0]
    assert (first.lesson_id, first.class_name, first.teacher, first.subject, first.room,
            first.weekday, first.period) == ("1", "5a", "Mül", "D", "R101", 1, 1)


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False),
                                          ("latin-1", False)])
def test_it_reads_umlauts_in_every_encoding(encoding, bom):
    result = lessons_of(gpu_bytes(LESSONS, encoding=encoding, bom=bom))
    teachers = {lesson.teacher for lesson in result.lessons}
    assert {"Mül", "Kög", "Brä", "Öz", "Weiß"} <= teachers
    assert not result.lessons[0].lesson_id.startswith("\ufeff")


def test_it_detects_encodings_and_delimiters():
    assert decode_text("Mül".encode("cp1252")) == ("Mül", "cp1252")
    assert decode_text(b"\xef\xbb\xbfM\xc3\xbcl") == ("Mül", "utf-8-sig")
    assert sniff_delimiter('1;"a, b";"x"\n2;"c";"y"\n') == ";"
    assert sniff_delimiter("1,a,b\n2,c,d\n") == ","
    assert sniff_delimiter("1\ta\tb\n") == "\t"


def test_it_ignores_unknown_extra_columns_and_missing_trailing_field():
    rows = [(*row, "X", "12", "") for row in LESSONS]
    assert len(lessons_of(gpu_bytes(rows)).lessons) == len(LESSONS)
    rows = [row[:7] for row in LESSONS]
    assert len(lessons_of(gpu_bytes(rows, trailing=False)).lessons) == len(LESSONS)


def test_it_keeps_an_empty_room_empty():
    result = lessons_of(gpu_bytes(LESSONS))
    assert [lesson.room for lesson in result.lessons if lesson.subject == "Ku"] == [""]


def test_it_expands_a_length_into_consecutive_periods():
    result = lessons_of(gpu_bytes([(9, "5a", "X", "Sp", "Halle", 2, 3, 2)]))
    assert [(lesson.weekday, lesson.period) for lesson in result.lessons] == [(2, 3), (2, 4)]


def test_it_merges_coupled_classes_and_names_parallel_groups():
    timetable = timetable_by_class(lessons_of(gpu_bytes(LESSONS)).lessons)
    sport_5a = [e for e in timetable["5a"] if e.subject == "Sp"]
    sport_5b = [e for e in timetable["5b"] if e.subject == "Sp"]
    assert len(sport_5a) == len(sport_5b) == 1 and sport_5a[0].group == ""
    thursday_2 = sorted((e.subject, e.group, e.room) for e in timetable["5a"]
                        if (e.weekday, e.period) == (4, 2))
    assert thursday_2 == [("Eth", "Eth", "R102"), ("ev", "ev", "R101")]


def test_it_merges_team_teaching_and_names_same_subject_groups_by_room():
    rows = [(7, "6a", "A", "E", "R1", 1, 1, ""), (7, "6a", "B", "E", "R1", 1, 1, ""),
            (8, "6a", "C", "F", "R2", 1, 2, ""), (8, "6a", "D", "F", "R3", 1, 2, "")]
    timetable = timetable_by_class(lessons_of(gpu_bytes(rows)).lessons)["6a"]
    assert [(e.period, e.group) for e in timetable] == [(1, ""), (2, "F R2"), (2, "F R3")]


def test_it_says_where_a_row_is_wrong():
    rows = [*LESSONS, (6, "5a", "X", "D", "R1", 9, 1, ""), (7, "5a", "X", "D", "R1", 1, "x", ""),
            (8, "5a")]
    result = parse_untis([("GPU001.TXT", gpu_bytes(rows))])
    texts = [str(p) for p in result.problems]
    assert texts[0].startswith("GPU001.TXT, line 9, column 6 (weekday): the weekday must be")
    assert texts[1].startswith("GPU001.TXT, line 10, column 7 (period): the period must be")
    assert texts[2].startswith("GPU001.TXT, line 11: expected at least 7 fields")


def test_it_skips_a_header_line_and_rows_without_class():
    rows = [("Unt-Nr", "Klasse", "Lehrer", "Fach", "Raum", "Tag", "Stunde", ""),
            (1, "5a", "A", "D", "R1", 1, 1, ""), (2, "", "A", "Aufs", "Hof", 1, 2, "")]
    result = lessons_of(gpu_bytes(rows))
    assert len(result.lessons) == 1 and len(result.skipped) == 1


@pytest.mark.parametrize("data,expected", [
    (b"", "the file is empty"),
    (b"   \r\n", "the file is empty"),
    (bytes(range(256)) * 20, "this is not a text file"),
    (b"PK\x03\x04garbage", "this is not a text file"),
])
def test_it_refuses_empty_and_binary_files(data, expected):
    result = parse_untis([("GPU001.TXT", data)])
    assert result.lessons == []
    assert expected in str(result.problems[0])


def test_it_tells_files_apart():
    assert file_kind("gpu003.txt", b"") == "gpu003"
    assert file_kind("Export/GPU005.TXT", b"") == "gpu005"
    assert file_kind("plan.xml", b"") == "xml"
    assert file_kind("export.txt", b"<?xml version='1.0'?><document/>") == "xml"
    result = parse_untis([("stundenplan.txt", gpu_bytes(LESSONS))])
    assert len(result.lessons) == len(LESSONS)
    result = parse_untis([("liste.txt", b'"5a";"Klasse 5a"\n"5b";"Klasse 5b"\n')])
    assert "not recognised as an Untis export" in str(result.problems[0])


def test_it_reads_classes_and_rooms_files():
    result = parse_untis([
        ("GPU003.TXT", gpu_bytes([("5a", "Klasse 5a", "", ""), ("5c", "Klasse 5c", "", "")])),
        ("GPU005.TXT", gpu_bytes([("R101", "Raum 101", "", 30), ("Aula", "Aula", "", "")],
                                 encoding="cp1252")),
    ])
    assert result.problems == []
    assert [c.name for c in result.classes] == ["5a", "5c"]
    assert [r.name for r in result.rooms] == ["R101", "Aula"]


UNTIS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<document xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <general><schoolname>Grundschule Am Deich</schoolname></general>
  <timeperiods>
    <timeperiod id="TP_MO-1"><day>1</day><period>1</period><starttime>0800</starttime>
      <endtime>0845</endtime></timeperiod>
  </timeperiods>
  <rooms><room id="RM_R101"><longname>Raum 101</longname></room></rooms>
  <classes><class id="CL_5a"><longname>Klasse 5a</longname></class>
    <class id="CL_5b"/></classes>
  <lessons>
    <lesson id="LS_10001">
      <lesson_subject id="SU_D"/>
      <lesson_teacher id="TR_MÜL"/>
      <lesson_classes id="CL_5a CL_5b"/>
      <times>
        <time><assigned_day>1</assigned_day><assigned_period>1</assigned_period>
          <assigned_starttime>0800</assigned_starttime><assigned_endtime>0845</assigned_endtime>
          <assigned_room id="RM_R101"/></time>
        <time><assigned_day>2</assigned_day><assigned_period>3</assigned_period></time>
      </times>
    </lesson>
  </lessons>
</document>
"""


def test_it_reads_the_untis_xml_export():
    result = lessons_of(UNTIS_XML.encode(), name="untis.xml")
    assert [c.name for c in result.classes] == ["5a", "5b"]
    assert [r.name for r in result.rooms] == ["R101"]
    assert sorted((lesson.class_name, lesson.weekday, lesson.period, lesson.room)
                  for lesson in result.lessons) == [
        ("5a", 1, 1, "R101"), ("5a", 2, 3, ""), ("5b", 1, 1, "R101"), ("5b", 2, 3, "")]


def test_it_reads_the_period_times_of_the_xml_export():
    """<timeperiods> first; a lesson's <time> adds periods the time grid does not list."""
    result = lessons_of(UNTIS_XML.encode(), name="untis.xml")
    times, problems = period_times(result.times)
    assert problems == []
    assert [(t.weekday, t.period, f"{t.start:%H:%M}", f"{t.end:%H:%M}", t.line)
            for t in times] == [(1, 1, "08:00", "08:45", 5)]
    lesson_times = UNTIS_XML.replace("<timeperiods>", "<timeperiods><!--").replace(
        "</timeperiods>", "--></timeperiods>").replace(
        "<assigned_period>3</assigned_period>",
        "<assigned_period>3</assigned_period><assigned_starttime>955</assigned_starttime>"
        "<assigned_endtime>10:40</assigned_endtime>")
    times, problems = period_times(lessons_of(lesson_times.encode(), name="u.xml").times)
    assert [(t.weekday, t.period, f"{t.start:%H:%M}", f"{t.end:%H:%M}") for t in times] == [
        (1, 1, "08:00", "08:45"), (2, 3, "09:55", "10:40")]


@pytest.mark.parametrize("change,expected", [
    (("<endtime>0845</endtime>", "<endtime>0745</endtime>"),
     "untis.xml, line 5: period 1 on Monday has the times \"0800\" to \"0745\""),
    (("<starttime>0800</starttime>", "<starttime>8 Uhr</starttime>"),
     "untis.xml, line 5: period 1 on Monday has the times \"8 Uhr\" to \"0845\""),
    (("<assigned_endtime>0845</assigned_endtime>", "<assigned_endtime>0850</assigned_endtime>"),
     "untis.xml, line 17: period 1 on Monday is timed 08:00-08:50 here but 08:00-08:45 in "
     "line 5"),
])
def test_it_explains_bad_period_times(change, expected):
    result = parse_untis([("untis.xml", UNTIS_XML.replace(*change).encode())])
    _times, problems = period_times(result.times)
    texts = [str(p) for p in result.problems + problems]
    assert any(t.startswith(expected) for t in texts), texts


@pytest.mark.parametrize("data,expected", [
    (b"<document><lessons>", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><document/>', "document type"),
    (b"<?xml version='1.0'?><timetable/>", "no <document> element"),
])
def test_it_refuses_broken_xml(data, expected):
    result = parse_untis([("untis.xml", data)])
    assert expected in str(result.problems[0])
