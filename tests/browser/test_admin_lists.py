"""The content lists as clinic staff see them on a 1280 px screen: the tips list keeps its
Order and Active columns in view, with nothing to scroll sideways."""

import pytest
from playwright.sync_api import expect
from test_admin_editor import page_and_boxes_fit, sign_in

pytestmark = pytest.mark.browser


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def visible_right_edge(page) -> float:
    """Where the list stops being visible: the window, or the list's own box when it
    scrolls sideways (a column beyond it is cut off)."""
    return min(1280, right_edge(page.locator(".results")))


def test_the_tips_list_shows_order_and_active_within_1280_pixels(page, app_url, editor, published):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, app_url, "clinic_editor", "pw")

    page.goto(app_url + "/admin/quiz/tip/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()

    assert right_edge(page.locator("#result_list thead th.column-order")) <= visible_right_edge(page)
    assert right_edge(page.locator("#result_list thead th.column-is_active")) <= visible_right_edge(page)
    assert page_and_boxes_fit(page)
    first_title = page.locator("#result_list tbody tr").first.locator("th, td").nth(1)
    expect(first_title).to_have_class("field-title")
