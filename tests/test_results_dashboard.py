"""The results dashboard: checks per week by urgency and the most common cause groups, drawn
as server-rendered SVG with the same numbers in tables, for the results list's filters."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from content_helpers import urgent_answers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from sync_helpers import CALM_ANSWERS, post_results, register, result_item

from quiz.models import Result

DASHBOARD_URL = "/admin/quiz/result/dashboard/"


@pytest.fixture
def spread(client, published):
    """Results over three weeks of March 2026 and one in April, some urgent."""
    _device_id, token = register(client)
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
    items = []
    for day in (0, 1, 8, 9, 10, 16, 31):
        answers = urgent_answers(published.snapshot) if day in (1, 9, 31) else CALM_ANSWERS
        items.append(result_item(published.snapshot, answers, completed_at=(start + timedelta(days=day)).isoformat()))
    receipts = post_results(client, token, items).json()["receipts"]
    assert {receipt["status"] for receipt in receipts} == {"created"}
    return items


def table_rows(page: str, css_class: str) -> list[list[str]]:
    table = page.split(f'<table class="{css_class}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?completed_at__year=2026&completed_at__month=3",
        "?urgency__exact=urgent",
        "?urgency__exact=self_care&version=1",
    ],
)
def test_its_weekly_counts_equal_a_query_over_the_same_filter(admin_client, spread, query):
    response = admin_client.get(DASHBOARD_URL + query)

    assert response.status_code == 200
    listed = admin_client.get("/admin/quiz/result/" + query).context["cl"].queryset
    expected = Counter(
        ((completed - timedelta(days=completed.weekday())).date(), urgency)
        for completed, urgency in listed.values_list("completed_at", "urgency")
    )
    shown = {
        (monday, urgency): count
        for monday, counts in response.context["weeks"]
        for urgency, count in zip(["emergency", "urgent", "soon", "self_care"], counts, strict=True)
        if count
    }
    assert shown == dict(expected)
    assert response.context["total"] == listed.count() == sum(expected.values())


def test_it_shows_the_weekly_numbers_in_a_table_and_draws_them(admin_client, spread):
    page = admin_client.get(DASHBOARD_URL + "?completed_at__year=2026&completed_at__month=3").content.decode()

    rows = table_rows(page, "weekly-counts")
    assert rows == [
        ["2026-03-02", "0", "1", "0", "1"],
        ["2026-03-09", "0", "1", "0", "2"],
        ["2026-03-16", "0", "0", "0", "1"],
    ]
    drawn = sorted(int(count) for count in re.findall(r'<rect [^>]*data-count="(\d+)"', page))
    assert drawn == sorted([1, 1, 1, 2, 1])
    assert "<svg" in page and "cdn" not in page.lower()


def test_its_cause_counts_equal_a_query_and_use_the_versions_labels(admin_client, spread, published):
    page = admin_client.get(DASHBOARD_URL + "?urgency__exact=urgent").content.decode()

    names = {group["key"]: group["name"] for group in published.snapshot["cause_groups"]}
    urgent = Result.objects.filter(urgency="urgent")
    expected = {names[key]: urgent.filter(cause_keys__contains=f",{key},").count() for key in names}
    shown = {name.replace("&#x27;", "'"): int(count) for name, count in table_rows(page, "cause-counts")}
    assert shown == expected
    assert "posture_load" not in page


def test_it_refuses_the_lookups_the_results_list_refuses(admin_client, spread):
    device_id = Result.objects.first().device_id

    assert admin_client.get(f"{DASHBOARD_URL}?device={device_id}").status_code == 400


def test_it_is_linked_from_the_results_list_with_its_filters(admin_client, spread):
    page = admin_client.get("/admin/quiz/result/?urgency__exact=urgent").content.decode()

    assert "/admin/quiz/result/dashboard/?urgency__exact=urgent" in page


@pytest.mark.parametrize(
    ("query", "result_counts"),
    [
        # The daily counts cover every filter but a search: no result row is counted.
        ("", 0),
        ("?q=-", 2),  # every id holds a "-"
    ],
)
def test_it_reads_the_results_once_for_its_totals_and_once_for_its_weeks(admin_client, spread, query, result_counts):
    """At a million results each grouped count reads every row: the list's own count is its
    summary, so the dashboard must not count them a second time."""
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(DASHBOARD_URL + query)

    assert response.status_code == 200
    counts = [query["sql"] for query in queries if 'FROM "quiz_result"' in query["sql"] and "COUNT(" in query["sql"]]
    assert len(counts) == result_counts, counts
    assert response.context["total"] == len(spread) == Result.objects.count()
