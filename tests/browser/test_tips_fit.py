"""Tips only where they fit, on a phone and offline (issue 25, part 4): a person who
twisted their back reads the sprain tip and no tip about leg pain they never reported; a
desk worker who also lifts reads a lifting tip among the first five."""

import re

import pytest
from playwright.sync_api import expect
from steps import open_app, saved_checks, start_check, take_check_with

pytestmark = pytest.mark.browser


def take_check_offline(new_context, app_url, choices: dict):
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_app(page, app_url + "/check/")
    context.set_offline(True)
    start_check(page)
    assert take_check_with(page, choices) == "result"
    page.wait_for_url(re.compile(r"/result/#"))
    return page


def titles(snapshot: dict) -> dict[str, str]:
    return {tip["key"]: tip["title"] for tip in snapshot["tips"]}


def test_a_twisted_back_reads_the_sprain_tip_among_the_first_five_and_no_leg_tips_offline(
    new_context, app_url, published
):
    page = take_check_offline(new_context, app_url, {"h_pattern": ["after_exercise"], "h_history": ["sprain"]})
    title = titles(published.snapshot)

    first_five = page.locator("#result-tips > ul > li h3")
    expect(first_five).to_have_count(5)
    assert title["ease_back_after_sprain"] in first_five.all_inner_texts()
    every_tip = page.locator("#result-tips li h3").all_text_contents()
    assert title["sciatica_care"] not in every_tip and title["walking_leg_ache"] not in every_tip
    [check] = saved_checks(page)
    assert "sciatica_care" not in check["outcome"]["tips"]


def test_a_desk_worker_who_also_lifts_reads_a_lifting_tip_among_the_first_five_offline(new_context, app_url, published):
    choices = {"h_pattern": ["after_sitting_standing", "after_lifting"], "h_sitting": "over_2_hours"}
    page = take_check_offline(new_context, app_url, {**choices, "h_history": ["none"]})
    snapshot = published.snapshot
    lifting_only = [tip["title"] for tip in snapshot["tips"] if tip["cause_groups"] == ["heavy_carrying"]]

    first_five = page.locator("#result-tips > ul > li h3")
    expect(first_five).to_have_count(5)
    assert set(first_five.all_inner_texts()) & set(lifting_only)
    expect(page.locator("#result-causes li").nth(1)).to_contain_text("Lifting and carrying heavy things")
