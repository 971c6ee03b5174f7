"""The coordinator imports an Untis timetable in the browser: a file with a problem is
refused with the line and column named, the corrected file is previewed, confirmed, and the
class timetable appears. Every page is checked with axe and photographed at phone and desktop
width."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COMPREHENSIVE = "Gesamtschule Nord"


def gpu001(rows) -> bytes:
    # Windows-1252 with CRLF and quoted text, as Untis on Windows writes it.
    lines = [f'{n};"{c}";"{t}";"{s}";"{r}";{d};{p};;' for n, c, t, s, r, d, p in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def lesson_labels() -> list[str]:
    from poolplan.roster.models import Period, PeriodKind

    return list(Period.objects.filter(school__name=COMPREHENSIVE, weekday=1,
                                      kind=PeriodKind.LESSON)
                .order_by("start").values_list("label", flat=True))


def look(pages: dict[str, Page], name: str, check_a11y, screenshot, path: str | None = None):
    for width, page in pages.items():
        if path is not None:
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response.status)
        check_a11y(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
        screenshot(page, f"import-{name}-{width}")


def upload(page: Page, name: str, data: bytes) -> None:
    page.set_input_files("#timetable-files", files=[
        {"name": name, "mimeType": "text/plain", "buffer": data}])
    page.locator("form:has(#timetable-files) button[type=submit]").click()
    page.wait_for_load_state()


def test_it_imports_a_timetable_from_the_browser(demo_data, page, phone_page, login,
                                                 check_a11y, screenshot):
    from poolplan.roster.models import School

    school = School.objects.get(name=COMPREHENSIVE)
    first, second = lesson_labels()[:2]
    pages = {"desktop": page, "phone": phone_page}
    for p in pages.values():
        login(p, "coordinator")
    page.locator(f"section[data-school='{COMPREHENSIVE}'] a.import-link").click()
    start = f"/imports/{school.pk}/"
    assert page.url.endswith(start)
    look(pages, "start", check_a11y, screenshot, start)

    bad = gpu001([(1, "10z", "Mül", "D", "Raum Ü1", 1, first),
                  (2, "10z", "Kög", "M", "", 1, 99)])
    upload(page, "GPU001.TXT", bad)
    problems = page.locator(".import-problems")
    expect(problems).to_contain_text("GPU001.TXT")
    expect(problems).to_contain_text("99")
    expect(page.locator("form[action$='/confirm/']")).to_have_count(0)
    look({"desktop": page}, "problems", check_a11y, screenshot)
    look({"phone": phone_page}, "problems", check_a11y, screenshot, page.url)

    page.goto(start)
    good = gpu001([(1, "10z", "Mül", "D", "Raum Ü1", 1, first),
                   (1, "10z", "Mül", "D", "Raum Ü1", 1, second),
                   (2, "10z", "Kög", "ev", "", 2, first),
                   (3, "10z", "Weiß", "Eth", "Raum Ü1", 2, first)])
    upload(page, "GPU001.TXT", good)
    expect(page.locator(".import-problems")).to_have_count(0)
    expect(page.locator("table.import-changes").first).to_contain_text("10z")
    look({"desktop": page}, "preview", check_a11y, screenshot)
    look({"phone": phone_page}, "preview", check_a11y, screenshot, page.url)

    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("table.import-changes")).to_contain_text("10z")
    expect(page.locator(".message--success")).to_have_count(1)
    look({"desktop": page}, "result", check_a11y, screenshot)
    look({"phone": phone_page}, "result", check_a11y, screenshot, page.url)

    page.goto(start)
    page.get_by_role("link", name="10z").click()
    page.wait_for_load_state()
    timetable = page.locator("table.class-timetable")
    expect(timetable).to_contain_text("Raum Ü1")
    expect(timetable).to_contain_text("Eth")
    expect(timetable).to_contain_text("ev")
    look({"desktop": page}, "class-timetable", check_a11y, screenshot)
    look({"phone": phone_page}, "class-timetable", check_a11y, screenshot, page.url)
