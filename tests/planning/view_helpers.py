"""Shared steps of the planning page tests: logged-in clients and a plan published through
the real services, made by the planner's greedy pass (fast; the solver has its own tests)."""

import datetime as dt

from django.test import Client

from poolplan.accounts.models import User
from poolplan.planner import load_instance
from poolplan.planner.check import check_assignments
from poolplan.planner.explain import explain
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.io import plan_document
from poolplan.planning import services
from poolplan.planning.models import Plan
from poolplan.roster.models import School
from tests.planning.helpers import comprehensive, next_school_day, week_of  # noqa: F401


def client_for(username: str | None) -> Client:
    # The site default is German; the tests read the English source strings.
    client = Client(headers={"Accept-Language": "en"})
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def draft_greedy(*, school: School, week: str, actor: User | None = None) -> Plan:
    instance_doc = services.instance_build(school=school, week=week)
    instance = load_instance(instance_doc)
    rows = greedy_plan(instance)
    result = check_assignments(instance, rows)
    assert not result.violations, result.violations
    document = plan_document(instance, rows, status="feasible",
                             objective=result.objective.as_dict(),
                             explanations=explain(instance, rows), solver={"method": "greedy"})
    return services.plan_create(actor=actor, school=school, week=week, instance=instance_doc,
                                document=document)


def publish_greedy(*, school: School, week: str, actor: User | None = None) -> Plan:
    return services.plan_publish(actor=actor, plan=draft_greedy(school=school, week=week,
                                                                actor=actor))


def sick_day() -> dt.date:
    return next_school_day()


def assert_login_redirect(response) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/login/"), response["Location"]
