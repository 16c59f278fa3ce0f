"""The daily counts of results (quiz.models.ResultDailyCount): every write of results keeps
them equal to a fresh count of the results, in its own transaction; the results list, its
date drill-down and the dashboard read them for the filters they cover and show the same
numbers as counting the results would. Runs on SQLite and, with DATABASE_URL, PostgreSQL."""

import threading
from collections import Counter
from io import StringIO

import pytest
from content_helpers import urgent_answers
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from sync_helpers import CALM_ANSWERS, post_results, register, result_item, token_header

from quiz import ingest_fastpath, results_report, services
from quiz.models import CauseGroup, ContentVersion, Device, Result, ResultDailyCount
from quiz.serializers import validate_results

LIST_URL = "/admin/quiz/result/"
DASHBOARD_URL = "/admin/quiz/result/dashboard/"


def counted_afresh() -> dict[tuple, int]:
    """Every stored result counted now, in Python: its day in the server's time zone,
    urgency, version, disagreement and cause keys."""
    zone = timezone.get_default_timezone()
    rows = Result.objects.values_list("completed_at", "urgency", "content_version_id", "verdict_mismatch", "cause_keys")
    return dict(
        Counter(
            (timezone.localtime(completed, zone).date(), urgency, version, mismatch, causes)
            for completed, urgency, version, mismatch, causes in rows
        )
    )


def kept_counts() -> dict[tuple, int]:
    """The daily counts as stored, every row (a count of none should not be left)."""
    rows = ResultDailyCount.objects.values_list(
        "day", "urgency", "content_version_id", "verdict_mismatch", "cause_keys", "results"
    )
    return {(day, urgency, version, mismatch, causes): count for day, urgency, version, mismatch, causes, count in rows}


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [receipt["status"] for receipt in response.json()["receipts"]]


def disagreeing_item(snapshot: dict, **overrides) -> dict:
    """An urgent result whose phone showed self-care."""
    item = result_item(snapshot, urgent_answers(snapshot), **overrides)
    item["outcome"] = {**item["outcome"], "urgency": "self_care", "warning_signs": []}
    return item


# -- every write keeps them right ---------------------------------------------------------------


def test_a_sync_counts_the_results_it_stores_and_never_a_resend_a_repeat_or_a_conflict(client, published):
    snapshot = published.snapshot
    _device, token = register(client)
    _other, other_token = register(client)
    taken = result_item(snapshot, completed_at="2026-03-01T08:00:00+00:00")
    assert statuses(post_results(client, other_token, [taken])) == ["created"]
    late, early = "2026-03-01T23:30:00+00:00", "2026-03-02T00:30:00+00:00"  # either side of midnight
    calm = result_item(snapshot, completed_at=late)
    batch = [
        calm,
        result_item(snapshot, completed_at=late),
        result_item(snapshot, urgent_answers(snapshot), completed_at=early),
        disagreeing_item(snapshot, completed_at=early),
        calm,  # twice in one batch
        dict(taken),  # another phone's: a conflict
        {**result_item(snapshot), "answers": {"h_age": "no_such_choice"}},  # refused by the scorer
    ]

    first = statuses(post_results(client, token, batch))
    resent = statuses(post_results(client, token, batch))  # the reply was lost: all again

    assert first == ["created"] * 4 + ["duplicate", "conflict", "rejected"]
    assert resent == ["duplicate"] * 5 + ["conflict", "rejected"]
    assert kept_counts() == counted_afresh()
    assert sum(kept_counts().values()) == Result.objects.count() == 5
    days = {day.isoformat() for day, *_rest in kept_counts()}
    assert days == {"2026-03-01", "2026-03-02"}


def test_delete_my_data_takes_the_phones_results_out_of_the_counts(client, published):
    snapshot = published.snapshot
    tokens = [register(client)[1] for _ in range(2)]
    for token in tokens:  # both phones' results share counts
        items = [result_item(snapshot, completed_at="2026-03-05T10:00:00+00:00") for _ in range(3)]
        items.append(disagreeing_item(snapshot, completed_at="2026-03-06T10:00:00+00:00"))
        assert statuses(post_results(client, token, items)) == ["created"] * 4
    only_first = result_item(snapshot, urgent_answers(snapshot), completed_at="2026-03-07T10:00:00+00:00")
    assert statuses(post_results(client, tokens[0], [only_first])) == ["created"]

    assert client.delete("/api/devices/me/", headers=token_header(tokens[0])).status_code == 204

    assert Result.objects.count() == 4
    assert kept_counts() == counted_afresh()
    assert sorted(kept_counts().values()) == [1, 3]  # the first phone's own count is gone, not left at 0
    assert client.delete("/api/devices/me/", headers=token_header(tokens[1])).status_code == 204
    assert ResultDailyCount.objects.count() == 0


def test_pruning_idle_devices_leaves_the_counts_as_they_are(client, published):
    _keeper, token = register(client)
    items = [result_item(published.snapshot, completed_at="2026-03-05T10:00:00+00:00") for _ in range(2)]
    assert statuses(post_results(client, token, items)) == ["created"] * 2
    idle = [register(client)[0] for _ in range(3)]
    long_ago = timezone.now() - timezone.timedelta(days=60)
    Device.objects.update(created_at=long_ago, last_seen_at=long_ago)  # the keeper too: it has results
    before = kept_counts()

    out = StringIO()
    call_command("prune_devices", "--days", "30", stdout=out)

    assert out.getvalue() == "Deleted 3 idle devices without results.\n"
    assert not Device.objects.filter(public_id__in=idle).exists()
    assert kept_counts() == before == counted_afresh()
    assert sum(before.values()) == 2


def test_the_admin_deletes_no_result_and_no_device_so_the_counts_stay(admin_client, client, published):
    _device, token = register(client)
    items = [result_item(published.snapshot, completed_at="2026-03-05T10:00:00+00:00") for _ in range(2)]
    assert statuses(post_results(client, token, items)) == ["created"] * 2
    result, device = Result.objects.first(), Device.objects.get()
    before = kept_counts()

    admin_client.post(f"{LIST_URL}{result.pk}/delete/", {"post": "yes"})
    admin_client.post(LIST_URL, {"action": "delete_selected", "_selected_action": [result.pk], "post": "yes"})
    admin_client.post(f"/admin/quiz/device/{device.pk}/delete/", {"post": "yes"})
    admin_client.post(
        "/admin/quiz/device/", {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"}
    )

    assert Result.objects.count() == 2 and Device.objects.count() == 1
    assert kept_counts() == before == counted_afresh()


def test_rebuild_result_counts_counts_every_result_again(client, published, capsys):
    snapshot = published.snapshot
    _device, token = register(client)
    items = [result_item(snapshot, completed_at=f"2026-03-0{day}T10:00:00+00:00") for day in (1, 2, 2, 3)]
    items.append(disagreeing_item(snapshot, completed_at="2026-03-03T10:00:00+00:00"))
    assert statuses(post_results(client, token, items)) == ["created"] * 5
    right = kept_counts()
    # Counts gone wrong (a restore of the results alone, a changed TIME_ZONE): one lost,
    # one off by some, one that counts nothing there is.
    ResultDailyCount.objects.filter(day="2026-03-01").delete()
    ResultDailyCount.objects.filter(day="2026-03-02").update(results=7)
    ResultDailyCount.objects.create(
        day="2026-01-01", urgency="soon", content_version=published, verdict_mismatch=False, results=3
    )

    call_command("rebuild_result_counts")

    assert kept_counts() == right == counted_afresh()
    assert "Rebuilt the daily counts of results: 4 counts." in capsys.readouterr().out


def test_the_migration_counts_the_results_already_stored(transactional_db, client, published):
    snapshot = published.snapshot
    _device, token = register(client)
    items = [result_item(snapshot, completed_at=f"2026-03-0{day}T23:00:00+00:00") for day in (1, 1, 4)]
    items.append(disagreeing_item(snapshot, completed_at="2026-03-04T01:00:00+00:00"))
    assert statuses(post_results(client, token, items)) == ["created"] * 4
    executor = MigrationExecutor(connection)
    executor.migrate([("quiz", "0016_alter_result_language")])  # no daily counts yet

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert kept_counts() == counted_afresh()
    assert sum(kept_counts().values()) == 4


def test_the_days_are_the_servers_days(settings, client, published):
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8: 20:00 UTC is 04:00 the next morning
    _device, token = register(client)
    items = [
        result_item(published.snapshot, completed_at="2026-03-01T20:00:00+00:00"),
        result_item(published.snapshot, completed_at="2026-03-01T15:00:00+00:00"),
    ]
    assert statuses(post_results(client, token, items)) == ["created"] * 2

    assert kept_counts() == counted_afresh()
    assert {day.isoformat() for day, *_rest in kept_counts()} == {"2026-03-01", "2026-03-02"}


def test_concurrent_syncs_sharing_counts_lose_none_of_them(transactional_db, published):
    """Eight phones sync at once into the same counts (and two results every phone sends, so
    one phone stores each and the others get a conflict): on PostgreSQL the batches truly
    overlap, and each adds to what the others committed."""
    snapshot = published.snapshot
    devices = [services.device_register().device for _ in range(8)]
    shared = [result_item(snapshot, completed_at="2026-03-05T10:00:00+00:00") for _ in range(2)]
    batches = [
        [
            *[result_item(snapshot, completed_at="2026-03-05T10:00:00+00:00") for _ in range(10)],
            *[
                result_item(snapshot, urgent_answers(snapshot), completed_at="2026-03-06T10:00:00+00:00")
                for _ in range(5)
            ],
            *shared,
        ]
        for _device in devices
    ]
    start = threading.Barrier(len(devices))
    receipts: list[list] = []
    failures: list[BaseException] = []

    def sync(device: Device, batch: list[dict]) -> None:
        try:
            start.wait()
            receipts.append(services.results_ingest(device=device, items=validate_results(batch)))
        except BaseException as error:  # reported below: a thread's exception would vanish
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sync, args=pair) for pair in zip(devices, batches, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    created = Counter(receipt["status"] for batch in receipts for receipt in batch)
    assert created == {"created": 8 * 15 + 2, "conflict": 7 * 2}
    assert kept_counts() == counted_afresh()
    assert sorted(kept_counts().values()) == [8 * 5, 8 * 10 + 2]


# -- the fast path's upsert against its plain equivalent ----------------------------------------


def add_with_orm(changes: dict[tuple, int]) -> None:
    """`ingest_fastpath.add_to_daily_counts` as the ORM says it (with a race between the
    update and the create that the upsert does not have)."""
    from django.db.models import F

    names = ("day", "urgency", "content_version_id", "verdict_mismatch", "cause_keys")
    for key, number in sorted(changes.items()):
        fields = dict(zip(names, key, strict=True))
        if number and not ResultDailyCount.objects.filter(**fields).update(results=F("results") + number):
            ResultDailyCount.objects.create(**fields, results=number)


def test_the_counts_upsert_adds_and_takes_away_as_the_orm_does(published):
    from datetime import date

    version = published.pk
    existing = {(date(2026, 3, 1), "self_care", version, False, ",posture_load,"): 5}
    changes = {
        (date(2026, 3, 1), "self_care", version, False, ",posture_load,"): -2,  # an existing count, less
        (date(2026, 3, 1), "urgent", version, True, ""): 3,  # a new count
        (date(2026, 3, 2), "self_care", version, False, ",posture_load,"): 1,
        (date(2026, 3, 3), "soon", version, False, ""): 0,  # nothing: no row
    }

    add_with_orm(existing)
    ingest_fastpath.add_to_daily_counts(changes)
    fast = kept_counts()
    ResultDailyCount.objects.all().delete()
    add_with_orm(existing)
    add_with_orm(changes)
    plain = kept_counts()

    assert fast == plain
    assert fast == {
        (date(2026, 3, 1), "self_care", version, False, ",posture_load,"): 3,
        (date(2026, 3, 1), "urgent", version, True, ""): 3,
        (date(2026, 3, 2), "self_care", version, False, ",posture_load,"): 1,
    }


# -- the results list and the dashboard read them -----------------------------------------------


@pytest.fixture
def spread(client, published):
    """Results over March and April 2026 in two versions (a cause group renamed in the
    second), some urgent, some where the phone disagreed, two either side of midnight."""
    snapshot = published.snapshot
    _device, token = register(client)
    items = [
        result_item(snapshot, completed_at="2026-03-02T09:00:00+00:00"),
        result_item(snapshot, urgent_answers(snapshot), completed_at="2026-03-03T09:00:00+00:00"),
        result_item(snapshot, completed_at="2026-03-09T23:59:59+00:00"),
        result_item(snapshot, completed_at="2026-03-10T00:00:00+00:00"),
        disagreeing_item(snapshot, completed_at="2026-03-10T12:00:00+00:00"),
        result_item(snapshot, urgent_answers(snapshot), completed_at="2026-03-17T09:00:00+00:00"),
    ]
    assert statuses(post_results(client, token, items)) == ["created"] * len(items)
    CauseGroup.objects.filter(key="posture_load").update(name="Long sitting or standing")
    second = services.content_publish().snapshot
    later = [
        result_item(second, completed_at="2026-04-01T09:00:00+00:00"),
        result_item(second, {**CALM_ANSWERS, "h_pain_now": 8}, completed_at="2026-04-02T09:00:00+00:00"),
        disagreeing_item(second, completed_at="2026-04-20T09:00:00+00:00"),
    ]
    assert statuses(post_results(client, token, later)) == ["created"] * len(later)
    return items + later


COVERED = [
    "",
    "?urgency__exact=urgent",
    "?version=1",
    "?version=2",
    "?verdict_mismatch__exact=1",
    "?verdict_mismatch__exact=0&urgency__exact=self_care",
    "?completed_at__year=2026",
    "?completed_at__year=2026&completed_at__month=3",
    "?completed_at__year=2026&completed_at__month=3&completed_at__day=10",
    "?completed_at__year=2026&completed_at__month=3&completed_at__day=10&urgency__exact=urgent",
    # The completed-at filter's own bounds ("this month" and the like): midnights.
    "?completed_at__gte=2026-03-05+00%3A00%3A00%2B00%3A00&completed_at__lt=2026-04-02+00%3A00%3A00%2B00%3A00",
]


def results_counted(response) -> int:
    """Queries that counted result rows (the daily counts are summed, not counted)."""
    return len([query for query in response if 'FROM "quiz_result"' in query["sql"] and "COUNT(" in query["sql"]])


@pytest.mark.parametrize("query", COVERED)
def test_the_list_counts_from_the_daily_counts_what_counting_the_results_gives(admin_client, spread, query):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST_URL + query)

    assert response.status_code == 200
    changelist = response.context["cl"]
    listed = changelist.queryset
    assert listed.daily_counts is not None
    counted = listed.all().summary()  # a copy of the queryset carries no counts: rows counted
    assert counted["total"] == listed.all().count()
    assert response.context["summary"] == counted
    assert changelist.result_count == counted["total"]
    for kind in ("year", "month", "day"):
        assert listed.datetimes("completed_at", kind) == listed.all().datetimes("completed_at", kind)
    assert results_counted(queries) == 0


@pytest.mark.parametrize("query", COVERED)
def test_the_dashboard_draws_from_the_daily_counts_what_counting_the_results_gives(admin_client, spread, query):
    listed = admin_client.get(LIST_URL + query).context["cl"].queryset.all()
    expected_weeks = results_report.weekly_urgency_counts(listed.counts_by_week_and_urgency())
    expected = listed.summary()

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(DASHBOARD_URL + query)

    assert response.status_code == 200
    assert response.context["weeks"] == [
        (monday, [counts[key] for key in results_report.URGENCY_ORDER]) for monday, counts in expected_weeks
    ]
    assert response.context["total"] == expected["total"]
    assert response.context["urgency_totals"] == expected["urgency"]
    assert response.context["causes"] == sorted(expected["causes"], key=lambda row: -row[1])
    assert results_counted(queries) == 0


@pytest.mark.parametrize(
    "query",
    [
        "?q=SOME_ID",  # a search by id: the counts know no ids
        # A period not of whole days (a bookmarked link, an admin elsewhere): counted rows.
        "?completed_at__gte=2026-03-09+12%3A00%3A00%2B00%3A00&completed_at__lt=2026-04-02+00%3A00%3A00%2B00%3A00",
    ],
)
def test_the_list_counts_the_results_themselves_for_filters_the_counts_do_not_cover(admin_client, spread, query):
    query = query.replace("SOME_ID", spread[2]["uuid"][:8])

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(LIST_URL + query)
        dashboard = admin_client.get(DASHBOARD_URL + query)

    listed = response.context["cl"].queryset
    assert listed.daily_counts is None
    assert response.context["summary"] == listed.summary()
    assert response.context["cl"].result_count == listed.count() > 0
    assert dashboard.context["total"] == listed.count()
    assert results_counted(queries) == 3  # the list's summary; the dashboard's summary and weeks


def test_an_admin_in_another_time_zone_gets_counted_rows(admin_client, spread):
    with timezone.override("Asia/Shanghai"):  # its midnights are not the counts'
        response = admin_client.get(LIST_URL + "?completed_at__year=2026&completed_at__month=3")

    listed = response.context["cl"].queryset
    assert listed.daily_counts is None
    assert response.context["summary"]["total"] == listed.count() == 6


def test_the_counts_name_cause_groups_as_the_newest_version_names_them(admin_client, spread):
    summary = admin_client.get(LIST_URL).context["summary"]

    causes = dict(summary["causes"])
    assert causes["Long sitting or standing"] == Result.objects.filter(cause_keys__contains=",posture_load,").count()
    assert ContentVersion.objects.count() == 2
