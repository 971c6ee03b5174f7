"""/analysis/: where "Needs analysis" in the header leads."""

import pytest

from tests.factories import make_user

from .conftest import client_for


def test_a_coordinator_of_one_school_goes_straight_to_it(world):
    response = client_for(world.user("coordinator")).get("/analysis/")
    assert response.status_code == 302
    assert response["Location"] == f"/analysis/{world.school.pk}/"


def test_a_provider_manager_chooses_among_the_providers_schools(world):
    html = client_for(world.user("provider")).get("/analysis/").content.decode()
    assert "School A" in html and "School A2" in html and "School B" not in html
    assert 'aria-current="page"' in html  # the header's link


def test_a_coordinator_without_a_school_is_told_so(world):
    from poolplan.accounts.models import Role

    lonely = make_user("lonely", Role.COORDINATOR, provider=world.provider)
    html = client_for(lonely).get("/analysis/").content.decode()
    assert "There is no school whose pool you may analyse yet." in html


@pytest.mark.parametrize("who", ["assistant", "teacher", "parent", "reviewer"])
def test_other_roles_have_no_analysis(world, who):
    assert client_for(world.user(who)).get("/analysis/").status_code == 404


def test_the_header_links_to_it_for_coordinators_and_providers_only(world):
    for who, shown in (("coordinator", True), ("provider", True), ("teacher", False),
                       ("assistant", False)):
        html = client_for(world.user(who)).get("/").content.decode()
        assert ('href="/analysis/"' in html) is shown, who
