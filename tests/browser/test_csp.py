"""Everything works in Chromium under the strict Content-Security-Policy, with no violation.

Scripts and styles only from 'self' (`default-src 'self'`, which script-src and style-src
fall back to) make a browser refuse inline code quietly; the only trace is a console
message. These tests open our pages, the Django admin (signed in, on a form with inlines)
and the Swagger API docs, check each did its job, and fail on any refusal the console
reports.
"""

import pytest
from csp_policy import enforced
from playwright.sync_api import expect

from quiz.models import Question

pytestmark = pytest.mark.browser


@pytest.fixture
def csp_violations(page):
    """Console messages in which Chromium reports something the policy blocked."""
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert enforced(response.headers["content-security-policy"], "script-src") == ["'self'"], url


@pytest.mark.parametrize("path", ["/", "/check/", "/tips/", "/history/", "/emergency/"])
def test_a_page_runs_its_scripts_and_styles_without_a_csp_violation(page, app_url, csp_violations, path):
    visit(page, app_url + path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # The stylesheet applied (it is ours and external); the app's module script ran.
    assert page.evaluate("() => document.styleSheets.length") >= 1
    assert page.evaluate("() => getComputedStyle(document.body).margin") == "0px"
    assert csp_violations == []


def test_the_admin_works_signed_in_without_a_csp_violation(page, app_url, csp_violations, admin_user):
    question = Question.objects.get(key="w_emergency")

    visit(page, app_url + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()
    visit(page, f"{app_url}/admin/quiz/question/{question.pk}/change/")
    # The inline formset's "Add another" link is written by the admin's own JavaScript.
    expect(page.locator(".add-row a").first).to_be_visible()
    page.locator("#toggle-nav-sidebar").click()

    assert csp_violations == []


def test_the_api_docs_render_without_a_csp_violation(page, app_url, csp_violations):
    visit(page, app_url + "/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("BackCare API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/results/").first).to_be_visible()
    assert csp_violations == []


def test_a_page_names_no_feature_chromium_does_not_know_in_its_permissions_policy(page, app_url):
    """Chromium reports a feature its Permissions-Policy parser does not know on every page
    ("Error with Permissions-Policy header: Unrecognized feature: 'bluetooth'." in 156)."""
    reported: list[str] = []
    page.on("console", lambda message: reported.append(message.text) if "Permissions-Policy" in message.text else None)

    visit(page, app_url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    assert "camera=()" in page.evaluate("async () => (await fetch('/')).headers.get('permissions-policy')")
    assert reported == []
