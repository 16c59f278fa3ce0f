"""Installable: Chrome finds nothing missing, and the manifest has every field we promise."""

import json

import pytest
from playwright.sync_api import expect
from steps import open_app

pytestmark = pytest.mark.browser


def test_chrome_reports_no_installability_errors(persistent_context, app_url):
    page = persistent_context.pages[0] if persistent_context.pages else persistent_context.new_page()
    open_app(page, app_url + "/")
    cdp = persistent_context.new_cdp_session(page)

    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    manifest = cdp.send("Page.getAppManifest")

    assert errors == []
    assert manifest["url"] == app_url + "/manifest.json"
    assert manifest.get("errors", []) == []


def test_the_manifest_chrome_reads_has_every_field(persistent_context, app_url):
    page = persistent_context.pages[0] if persistent_context.pages else persistent_context.new_page()
    page.goto(app_url + "/")
    cdp = persistent_context.new_cdp_session(page)

    answer = cdp.send("Page.getAppManifest")
    parsed, raw = answer["manifest"], json.loads(answer["data"])

    # What Chrome resolved:
    assert parsed["id"] == app_url + "/"
    assert parsed["startUrl"] == app_url + "/"
    assert parsed["scope"] == app_url + "/"
    assert parsed["display"] == "kStandalone"
    assert parsed["themeColor"] == "rgba(31,95,139,1)"
    assert parsed["backgroundColor"] == "rgba(255,255,255,1)"
    assert [s["url"] for s in parsed["shortcuts"]] == [app_url + "/check/", app_url + "/tips/"]
    assert [shot["formFactor"] for shot in parsed["screenshots"]] == ["kNarrow"]
    # What the file says (Chrome's parsed form leaves some fields out):
    assert raw["name"] == raw["short_name"] == "BackCare"
    assert raw["description"] and raw["lang"] == "en"
    icons = {(icon["sizes"], icon["purpose"]) for icon in raw["icons"]}
    assert icons == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in raw["icons"] + [icon for shortcut in raw["shortcuts"] for icon in shortcut["icons"]]:
        assert page.request.get(app_url + icon["src"]).headers["content-type"] == "image/png"
    assert page.request.get(app_url + raw["screenshots"][0]["src"]).ok


def test_the_install_button_appears_when_the_browser_offers_installation(page, app_url):
    page.goto(app_url + "/")
    button = page.get_by_role("button", name="Install BackCare")
    expect(button).to_be_hidden()

    page.evaluate("() => window.dispatchEvent(new Event('beforeinstallprompt'))")

    expect(button).to_be_visible()


def test_ios_safari_gets_the_add_to_home_screen_hint(new_context, app_url):
    iphone = new_context(
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
        )
    )
    page = iphone.new_page()
    page.goto(app_url + "/")

    expect(page.get_by_text("Add to Home Screen")).to_be_visible()
