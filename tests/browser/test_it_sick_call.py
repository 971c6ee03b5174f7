"""Issue 4's morning, in the browser: the coordinator solves and publishes the comprehensive
school's week, enters a sick call for the nursing assistant (assistant2) for the next school
day, watches the planner's progress on the proposal page (the proposal is a background job),
reads the proposal (who moves, who loses minutes and why), accepts it; assistant2's day and the
teacher's class view show the change. Every page is axe-checked and photographed at desktop
and phone width.

Date-independent: the sick day is tomorrow, or the next Monday from Friday on, and the week
planned is that day's week.
"""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args() -> dict:
    return {"locale": "en-GB", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def fast_planner(settings):
    # The live server is a thread of this process without a task worker: the week's solve
    # runs as its task is queued (ImmediateBackend), with short limits; the proposal's job
    # is kept queued (DummyBackend) and run by the test, to see the progress page.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PLANNER_TIME_LIMIT = 3
    settings.PLANNER_PROPOSAL_TIME_LIMIT = 3


def next_school_day() -> dt.date:
    from django.utils import timezone

    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def look(page: Page, name: str, check_a11y, screenshot) -> None:
    """axe, then a desktop and a phone-width screenshot of the page as it is."""
    check_a11y(page)
    screenshot(page, f"sick-call-{name}-desktop")
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    check_a11y(page)
    screenshot(page, f"sick-call-{name}-phone")
    page.set_viewport_size(size)


def test_it_replans_the_day_after_a_sick_call(demo_data, fast_planner, settings, browser,
                                              live_server, page, login, check_a11y,
                                              screenshot):
    from django.utils import timezone

    from poolplan.planning import services
    from poolplan.planning.models import Assignment, Plan, PlanStatus, SolveJob
    from poolplan.planning.weeks import iso_week_label
    from poolplan.roster.demo_data import COMPREHENSIVE
    from poolplan.roster.models import Assistant, School

    school = School.objects.get(name=COMPREHENSIVE)
    nurse = Assistant.objects.get(user__username="assistant2")
    day, week = next_school_day(), iso_week_label(next_school_day())

    # The week's solve runs as it is queued: allow for a busy machine.
    page.set_default_timeout(60_000)
    # 1. Solve and publish the week.
    login(page, "coordinator")
    page.goto(f"/plans/{school.pk}/{week}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(week)
    page.get_by_role("button", name="Solve the week").click()
    expect(page.locator(".job-status")).to_have_text("Done", timeout=30_000)
    publish = page.get_by_role("button", name="Publish version")
    expect(publish).to_be_visible()
    expect(page.locator(".minute-bar").first).to_contain_text("min planned")
    look(page, "board-draft", check_a11y, screenshot)
    publish.click()
    expect(page.locator(".messages")).to_contain_text("is published")
    base = Plan.objects.get(school=school, week=week, status=PlanStatus.PUBLISHED)
    nurse_rows = list(base.assignments.filter(assistant=nurse, date=day)
                      .select_related("child", "period"))
    assert nurse_rows, "the nurse should have work on the sick day in the published plan"
    look(page, "board-published", check_a11y, screenshot)

    # 2. The sick call, entered from the board.
    page.get_by_role("link", name="Enter a sick call").click()
    page.get_by_label("Pool member").select_option(label=nurse.full_name)
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_label("Until (last day)").fill(day.isoformat())
    page.get_by_label("Reason").select_option("illness")
    look(page, "form", check_a11y, screenshot)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    page.get_by_role("button", name="Enter and see the proposal").click()

    # 3. The proposal is made in the background: the page shows the planner's progress and
    # polls. Here the worker is "busy" (the dummy backend keeps the job queued) until the
    # test plays the worker: it marks the job running, then runs it.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Replanned day", timeout=30_000)
    progress = page.locator("#proposal-progress")
    expect(progress).to_contain_text("The planner is replanning the day")
    expect(progress.locator(".job-status")).to_have_text("Queued")
    expect(progress.get_by_role("link", name="Check again")).to_be_visible()
    job = SolveJob.objects.get(school=school, kind="proposal", day=day)
    SolveJob.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now() - dt.timedelta(seconds=1),
        progress="Solving (at most 3 s).")
    expect(progress.locator(".job-status")).to_have_text("Running", timeout=10_000)
    expect(progress.locator("progress")).to_be_visible()
    look(page, "proposal-progress", check_a11y, screenshot)
    SolveJob.objects.filter(pk=job.pk).update(status="queued")
    # The page polls (it went from Queued to Running above by itself). While the job runs in
    # this thread, it is left: the test database is in-memory SQLite with a shared cache,
    # where a poll reading planning_plan while the job writes it fails the job with "database
    # table is locked" (seen once in CI on a loaded machine); a real worker has its own
    # connection to a database file or PostgreSQL.
    proposal_url = page.url
    page.goto("about:blank")
    services.solve_job_run(job_id=job.pk)
    page.goto(proposal_url)
    # ... and the page shows the proposal: who moves where, which children lose how many
    # minutes and the main reason, the planner's full text behind a disclosure.
    changes = page.locator("ul.changes li")
    expect(changes.first).to_be_visible(timeout=15_000)
    assert nurse.full_name in " ".join(changes.all_inner_texts())
    losses = page.locator("section[aria-labelledby=losses-heading]")
    expect(losses).to_be_visible()
    loss_lines = page.locator("ul.losses .loss__head").all_inner_texts()
    assert all(" min this week" in line for line in loss_lines)
    assert all(len(line) < 300 for line in loss_lines), loss_lines
    if loss_lines:
        detail = page.locator("ul.losses details").first
        expect(detail.locator("ul")).to_be_hidden()
        detail.locator("summary").click()
        expect(detail.locator("ul")).to_be_visible()
    look(page, "proposal", check_a11y, screenshot)
    page.get_by_role("button", name="Accept and publish").click()
    expect(page.locator(".messages")).to_contain_text("is published")

    new = Plan.objects.get(school=school, week=week, status=PlanStatus.PUBLISHED)
    assert new.version > base.version
    assert not new.assignments.filter(assistant=nurse, date=day).exists()

    # 4. assistant2's day (phone): absent, nothing planned; it was full before.
    def phone_page():
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="en-GB",
                                      timezone_id="Europe/Berlin")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    contexts = []
    nurse_page = phone_page()
    login(nurse_page, "assistant2")
    nurse_page.goto(f"/me/day/?date={day.isoformat()}")
    expect(nurse_page.get_by_text("You are registered as absent")).to_be_visible()
    expect(nurse_page.get_by_text("Nothing planned for you")).to_be_visible()
    look(nurse_page, "my-day-absent", check_a11y, screenshot)

    # 5. The teacher's class view shows who comes instead.
    teacher_page = phone_page()
    login(teacher_page, "teacher")
    changed = [r for r in nurse_rows if r.child.school_class.name in ("6a", "6b")]
    school_class = (changed[0].child.school_class if changed
                    else school.classes.get(name="6a"))
    teacher_page.goto(f"/classes/{school_class.pk}/plan/?week={week}")
    day_section = teacher_page.locator("section.section").nth(day.weekday())
    expect(day_section.get_by_role("heading")).to_contain_text(day.strftime("%A"))
    day_text = day_section.inner_text()
    assert nurse.full_name not in day_text
    # The page shows one class; the nurse may have had children of both (then only the
    # shown class's children can be checked here).
    for row in (r for r in changed if r.child.school_class_id == school_class.pk):
        now = Assignment.objects.filter(plan=new, slot=row.slot, child=row.child).first()
        if now is not None:
            assert now.assistant.full_name in day_text
    look(teacher_page, "class-view", check_a11y, screenshot)
    for context in contexts:
        context.close()
