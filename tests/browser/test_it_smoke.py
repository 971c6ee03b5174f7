"""Smoke test of the browser set-up: Debian's chromium, the live server, static files, axe."""

import pytest

pytestmark = pytest.mark.browser


def test_it_serves_the_admin_login_page_accessibly(page, check_a11y, screenshot):
    response = page.goto("/admin/login/")
    assert response is not None and response.status == 200
    assert page.locator("input[name=username]").is_visible()
    # The stylesheet arrives: the live server serves static files like `make run` does.
    css = page.evaluate("document.styleSheets.length")
    assert css > 0
    check_a11y(page)
    assert screenshot(page, "admin-login-desktop").stat().st_size > 0


def test_it_renders_on_a_phone(phone_page, screenshot):
    phone_page.goto("/admin/login/")
    assert phone_page.viewport_size == {"width": 390, "height": 844}
    assert phone_page.locator("input[name=password]").is_visible()
    screenshot(phone_page, "admin-login-phone")


def test_it_logs_in_and_reports_a_failed_login(page, login, django_user_model):
    django_user_model.objects.create_superuser("smoke-admin", password="a-long-smoke-password")
    with pytest.raises(AssertionError, match="Login as 'smoke-admin' failed"):
        login(page, "smoke-admin", "wrong-password")
    login(page, "smoke-admin", "a-long-smoke-password")  # raises if still on the login page
    assert any(cookie["name"] == "sessionid" for cookie in page.context.cookies())
