"""Query parameters an endpoint does not take are refused (422), not silently ignored."""

from tests.api.conftest import assert_error


def test_it_refuses_an_unknown_query_parameter(api, world):
    # A typo such as `?include_archive=true` must not quietly give the default answer.
    response = api("coordinator").get(
        f"/schools/{world.school.pk}/children", include_archive="true", zzz="1"
    )
    body = assert_error(response, 422)
    assert set(body["details"]) == {"query.include_archive", "query.zzz"}
    assert "include_archived" in body["details"]["query.zzz"][0]


def test_it_still_takes_the_declared_ones(api, world):
    response = api("coordinator").get(
        f"/schools/{world.school.pk}/children", include_archived="true"
    )
    assert response.status_code == 200, response.content


def test_it_refuses_any_query_where_none_is_declared(api, world):
    body = assert_error(api("coordinator").get(f"/schools/{world.school.pk}", x="1"), 422)
    assert body["details"] == {"query.x": ["Unknown query parameter; this takes: none."]}


def test_it_checks_the_credentials_first(api, world):
    # Like any invalid parameter, an unknown one is answered before the view's role check
    # (a parent would hear this 422 too; the names are in the OpenAPI document anyway), but
    # never before authentication.
    assert_error(api().get(f"/schools/{world.school.pk}/children", zzz="1"), 401)
