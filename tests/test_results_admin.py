"""The results admin: a read-only record with filters, counts and a CSV export."""

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from sync_helpers import CALM_ANSWERS, post_results, register, result_item

from quiz import services
from quiz.models import CauseGroup, ContentVersion, Device, Result, ResultDailyCount

LIST_URL = "/admin/quiz/result/"


@pytest.fixture
def synced(client, published):
    """Three results from one phone: self-care, urgent, and one whose phone verdict differs."""
    _device_id, token = register(client)
    calm = result_item(published.snapshot, completed_at="2026-03-01T09:00:00+00:00")
    fever = result_item(
        published.snapshot, {**CALM_ANSWERS, "w_urgent": ["fever"]}, completed_at="2026-03-10T09:00:00+00:00"
    )
    disagreeing = result_item(
        published.snapshot, {**CALM_ANSWERS, "w_urgent": ["night_pain"]}, completed_at="2026-04-02T09:00:00+00:00"
    )
    disagreeing["outcome"] = {**disagreeing["outcome"], "urgency": "self_care", "warning_signs": []}
    receipts = post_results(client, token, [calm, fever, disagreeing]).json()["receipts"]
    assert [r["status"] for r in receipts] == ["created"] * 3
    return {"calm": calm, "fever": fever, "disagreeing": disagreeing}


def listed_uuids(response) -> set[str]:
    return {str(result.uuid) for result in response.context["cl"].result_list}


def test_it_lists_synced_results_for_admins(admin_client, synced):
    response = admin_client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_uuids(response) == {item["uuid"] for item in synced.values()}


def test_it_lets_nobody_add_change_or_delete_results(admin_client, synced):
    result = Result.objects.get(uuid=synced["calm"]["uuid"])

    detail = admin_client.get(f"{LIST_URL}{result.pk}/change/")
    admin_client.post(f"{LIST_URL}{result.pk}/change/", {"urgency": "emergency"})
    admin_client.post(f"{LIST_URL}{result.pk}/delete/", {"post": "yes"})

    assert admin_client.get(f"{LIST_URL}add/").status_code == 403
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert Result.objects.get(pk=result.pk).urgency == "self_care"
    assert Result.objects.count() == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("urgency__exact=urgent", {"fever", "disagreeing"}),
        ("urgency__exact=self_care", {"calm"}),
        ("verdict_mismatch__exact=1", {"disagreeing"}),
        ("version=1", {"calm", "fever", "disagreeing"}),
        ("version=2", set()),
        ("completed_at__year=2026&completed_at__month=3", {"calm", "fever"}),
    ],
)
def test_it_filters_results(admin_client, synced, query, expected):
    response = admin_client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 200
    assert listed_uuids(response) == {synced[name]["uuid"] for name in expected}


def test_it_shows_the_answers_as_the_questions_and_choices_of_the_version_answered(admin_client, synced, published):
    result = Result.objects.get(uuid=synced["fever"]["uuid"])
    fever = next(q for q in published.snapshot["questions"] if q["key"] == "w_urgent")
    fever_yes = next(c for c in fever["choices"] if c["key"] == "fever")

    response = admin_client.get(f"{LIST_URL}{result.pk}/change/")

    page = response.content.decode()
    assert f"<th>{fever['text']}</th><td>{fever_yes['text']}</td>" in page.replace("&#x27;", "'")
    assert "<td>4</td>" in page  # the pain scale answer


def test_it_counts_results_per_urgency_and_cause_group_over_the_filtered_period(admin_client, synced):
    response = admin_client.get(f"{LIST_URL}?completed_at__year=2026&completed_at__month=3")

    summary = response.context["summary"]
    urgency = {str(label): count for label, count in summary["urgency"]}
    causes = {str(name): count for name, count in summary["causes"]}
    assert summary["total"] == 2
    assert urgency["Urgent: get medical advice today"] == 1
    assert urgency["Self-care"] == 1
    assert urgency["Emergency: get help now"] == 0
    expected = Counter(
        cause["key"] for item in (synced["calm"], synced["fever"]) for cause in item["outcome"]["causes"]
    )
    assert expected["posture_load"] == 2
    assert causes == {group.name: expected[group.key] for group in CauseGroup.objects.all()}
    assert b"2 results in this selection" in response.content


def test_it_exports_the_filtered_list_as_csv(admin_client, synced):
    response = admin_client.get(f"{LIST_URL}export.csv?urgency__exact=urgent")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported_text(response))))
    assert {row["uuid"] for row in rows} == {synced["fever"]["uuid"], synced["disagreeing"]["uuid"]}
    row = next(row for row in rows if row["uuid"] == synced["disagreeing"]["uuid"])
    assert row["server_urgency"] == "urgent"
    assert row["client_urgency"] == "self_care"
    assert row["verdict_mismatch"] == "yes"
    assert row["content_version"] == "1"
    assert datetime.fromisoformat(row["completed_at"]) == datetime(2026, 4, 2, 9, tzinfo=UTC)
    assert "posture_load" in row["causes"].split()


def exported_text(response) -> str:
    """The export as a browser receives it: sent as a stream, never built whole first."""
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_it_streams_an_export_of_many_results_a_chunk_at_a_time_with_every_result_once(admin_client, client, published):
    _device_id, token = register(client)
    sent = []
    for _ in range(12):
        batch = [result_item(published.snapshot) for _ in range(100)]
        assert post_results(client, token, batch).status_code == 200
        sent += [item["uuid"] for item in batch]

    response = admin_client.get(f"{LIST_URL}export.csv")

    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # read and sent a few hundred rows at a time
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert Counter(row["uuid"] for row in rows) == Counter(sent)


def test_it_links_the_export_to_the_current_filters(admin_client, synced):
    response = admin_client.get(f"{LIST_URL}?urgency__exact=urgent")

    assert b"export.csv?urgency__exact=urgent" in response.content


def test_it_refuses_the_export_to_people_who_are_not_staff(client, synced):
    response = client.get(f"{LIST_URL}export.csv")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def queries_to_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_it_lists_results_in_a_constant_number_of_queries(admin_client, published, django_assert_num_queries):
    _device_id, token = register(admin_client)
    post_results(admin_client, token, [result_item(published.snapshot) for _ in range(3)])
    few = queries_to_list(admin_client)
    post_results(admin_client, token, [result_item(published.snapshot) for _ in range(57)])
    _second_version = publish_with_renamed_cause(admin_client, "posture_load", "Long sitting or standing")
    post_results(admin_client, token, [result_item(ContentVersion.objects.current().snapshot) for _ in range(40)])

    with django_assert_num_queries(few):
        response = admin_client.get(LIST_URL)

    assert len(response.context["cl"].result_list) == 100


def test_it_shows_devices_without_their_token_hashes(admin_client, synced):
    device = Device.objects.get()

    listing = admin_client.get("/admin/quiz/device/")
    detail = admin_client.get(f"/admin/quiz/device/{device.pk}/change/")

    assert str(device.public_id).encode() in listing.content
    assert device.token_hash.encode() not in listing.content
    assert device.token_hash.encode() not in detail.content


@pytest.mark.parametrize(
    "lookup",
    [
        "device={r.device_id}",
        "device__id__exact={r.device_id}",
        "device__public_id={r.device.public_id}",
        "batch_id={r.batch_id}",
        "payload_hash={r.payload_hash}",
        "content_version__id__exact={r.content_version_id}",
        "answers__w_fever=yes",
    ],
)
def test_it_refuses_to_filter_results_by_a_lookup_it_does_not_offer(admin_client, synced, lookup, client, published):
    # A second phone's result, so a filter by the first device would visibly narrow the list.
    _device_id, token = register(client)
    post_results(client, token, [result_item(published.snapshot)])
    query = lookup.format(r=Result.objects.get(uuid=synced["calm"]["uuid"]))

    listing = admin_client.get(f"{LIST_URL}?{query}")
    export = admin_client.get(f"{LIST_URL}export.csv?{query}")

    assert listing.status_code == 400
    assert "cl" not in (listing.context or {})
    assert export.status_code == 400
    assert b"uuid" not in export.content  # an error page, not a stream


def test_it_still_offers_its_own_filters_together_in_the_list_and_the_export(admin_client, synced):
    query = "urgency__exact=urgent&verdict_mismatch__exact=1&version=1&completed_at__year=2026&completed_at__month=4"

    listing = admin_client.get(f"{LIST_URL}?{query}")
    export = admin_client.get(f"{LIST_URL}export.csv?{query}")

    assert listing_uuids_ok(listing) == {synced["disagreeing"]["uuid"]}
    assert {row["uuid"] for row in csv.DictReader(io.StringIO(exported_text(export)))} == {
        synced["disagreeing"]["uuid"]
    }


def listing_uuids_ok(response) -> set[str]:
    assert response.status_code == 200
    return listed_uuids(response)


def test_it_accepts_the_completed_at_range_filter_it_offers(admin_client, synced):
    response = admin_client.get(
        f"{LIST_URL}?completed_at__gte=2026-03-05+00%3A00%3A00%2B00%3A00&completed_at__lt=2026-04-01+00%3A00%3A00%2B00%3A00"
    )

    assert listing_uuids_ok(response) == {synced["fever"]["uuid"]}


def publish_with_renamed_cause(client, key: str, name: str) -> ContentVersion:
    CauseGroup.objects.filter(key=key).update(name=name)
    return services.content_publish()


def test_it_names_causes_as_the_version_each_result_was_answered_in(admin_client, client, synced, published):
    old_name = next(group["name"] for group in published.snapshot["cause_groups"] if group["key"] == "posture_load")
    second = publish_with_renamed_cause(admin_client, "posture_load", "Long sitting or standing")
    _device_id, token = register(client)
    newer = result_item(second.snapshot)
    post_results(client, token, [newer])

    response = admin_client.get(LIST_URL)

    rows = {str(result.uuid): result for result in response.context["cl"].result_list}
    page = response.content.decode()
    assert old_name in page
    assert "Long sitting or standing" in page
    assert "posture_load" not in page
    admin = response.context["cl"].model_admin
    assert old_name in admin.cause_names(rows[synced["calm"]["uuid"]])
    assert "Long sitting or standing" in admin.cause_names(rows[newer["uuid"]])


def test_it_shows_a_disagreement_only_where_phone_and_server_disagree(admin_client, synced):
    response = admin_client.get(LIST_URL)

    page = response.content.decode()
    assert "Phone and server" in page
    assert page.count('class="disagreement"') == 1
    assert "Disagree: the phone showed “Self-care”" in page
    assert "icon-no.svg" not in page
    admin = response.context["cl"].model_admin
    rows = {str(result.uuid): result for result in response.context["cl"].result_list}
    assert admin.disagreement(rows[synced["calm"]["uuid"]]) == ""


def test_it_exports_answers_pain_score_warning_signs_and_urgency_as_csv_rows(admin_client, synced, published):
    response = admin_client.get(f"{LIST_URL}export.csv")

    rows = list(csv.reader(io.StringIO(exported_text(response), newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == 3
    assert all(len(row) == len(header) for row in body)
    by_uuid = {row[header.index("uuid")]: dict(zip(header, row, strict=True)) for row in body}
    fever = by_uuid[synced["fever"]["uuid"]]
    questions = {question["key"]: question for question in published.snapshot["questions"]}
    for key, answer in synced["fever"]["answers"].items():
        question = questions[key]
        if question["kind"] == "scale":
            assert fever[f"answer:{key}"] == str(answer)
            assert fever["pain_score"] == str(answer)
            continue
        chosen = answer if isinstance(answer, list) else [answer]
        texts = {choice["key"]: choice["text"] for choice in question["choices"]}
        assert fever[f"answer:{key}"] == " ".join(chosen)
        assert fever[f"answer_label:{key}"] == "; ".join(texts[choice] for choice in chosen)
    signs = synced["fever"]["outcome"]["warning_signs"]
    assert fever["warning_signs"].split() == [f"{sign['question']}.{sign['choice']}" for sign in signs]
    for sign in signs:
        assert questions[sign["question"]]["text"] in fever["warning_sign_labels"]
    assert fever["server_urgency"] == "urgent"
    assert fever["server_urgency_label"] == "Urgent: get medical advice today"
    cause_names = {group["key"]: group["name"] for group in published.snapshot["cause_groups"]}
    assert fever["cause_names"].split("; ") == [cause_names[key] for key in fever["causes"].split()]


def test_it_exports_an_editors_formula_like_label_as_text(admin_client, client, published):
    formula = '=HYPERLINK("http://example.invalid","click")'
    first_cause = result_item(published.snapshot)["outcome"]["causes"][0]["key"]
    second = publish_with_renamed_cause(admin_client, first_cause, formula)
    _device_id, token = register(client)
    post_results(client, token, [result_item(second.snapshot)])

    rows = list(csv.DictReader(io.StringIO(exported_text(admin_client.get(f"{LIST_URL}export.csv")))))

    assert rows[0]["cause_names"].startswith(f"'{formula}")


def test_the_list_dates_each_result_with_the_month_as_a_word_in_the_admins_language(admin_client, synced):
    english = admin_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")
    chinese = admin_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "10 Mar 2026, 09:00" in english.content.decode()
    assert "2026年3月10日 09:00" in chinese.content.decode()
    assert "2026-03-10" not in english.content.decode()


def test_the_date_drill_down_offers_the_periods_that_hold_results_without_reading_every_row(
    admin_client, client, synced, published
):
    _device_id, token = register(client)
    december = result_item(published.snapshot, completed_at="2026-12-01T23:30:00+00:00")
    assert post_results(client, token, [december]).json()["receipts"][0]["status"] == "created"

    with CaptureQueriesContext(connection) as queries:
        months = admin_client.get(LIST_URL)  # one year of results: Django starts at its months
        days = admin_client.get(f"{LIST_URL}?completed_at__year=2026&completed_at__month=3")

    assert drill_down_links(months) == {f"completed_at__month={month}&completed_at__year=2026" for month in (3, 4, 12)}
    assert drill_down_links(days) == {
        f"completed_at__day={day}&completed_at__month=3&completed_at__year=2026" for day in (1, 10)
    }
    # Django's own drill-down is SELECT DISTINCT over every result: seconds at a million.
    assert not [query["sql"] for query in queries.captured_queries if "DISTINCT" in query["sql"].upper()]


def drill_down_links(response) -> set[str]:
    assert response.status_code == 200
    hierarchy = response.content.decode().split('<nav class="toplinks">')[1].split("</nav>")[0]
    links = [link.split('"')[0] for link in hierarchy.split('<a href="?')[1:] if 'class="date-back"' not in link]
    return {"&".join(sorted(link.replace("&amp;", "&").split("&"))) for link in links}


@pytest.mark.parametrize(
    ("query", "result_counts"),
    [
        # The daily counts cover the urgency filter: no result row is counted at all.
        ("urgency__exact=urgent", 0),
        # A search (every id holds a "-") they do not: the results are counted, once.
        ("urgency__exact=urgent&q=-", 1),
    ],
)
def test_the_list_counts_its_results_once_and_still_shows_the_filtered_count(
    admin_client, synced, query, result_counts
):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(f"{LIST_URL}?{query}")

    assert listed_uuids(response) == {synced["fever"]["uuid"], synced["disagreeing"]["uuid"]}
    assert response.context["cl"].result_count == 2
    assert "2 results" in response.content.decode().split('class="paginator"')[1].split("</p>")[0]
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "quiz_result" in q["sql"]]
    # One grouped count gives the paginator, the urgency table and the cause table their
    # numbers (a million results: each count is a pass over an index).
    assert len(counts) == result_counts, counts


def test_a_later_page_of_a_filtered_list_holds_the_next_results_newest_first(admin_client, client, published):
    _device_id, token = register(client)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    items = [
        result_item(published.snapshot, completed_at=(start + timedelta(hours=hour)).isoformat()) for hour in range(130)
    ]
    for batch in (items[:100], items[100:]):
        assert post_results(client, token, batch).status_code == 200
    newest_first = list(Result.objects.order_by("-completed_at", "-pk").values_list("uuid", flat=True))

    second = admin_client.get(f"{LIST_URL}?version=1&p=2")

    assert [result.uuid for result in second.context["cl"].result_list] == newest_first[100:]
    assert second.context["cl"].result_count == 130


@pytest.mark.parametrize("query", ["", "?all="])
def test_it_never_lists_more_than_a_page_when_the_daily_counts_were_not_rebuilt(admin_client, synced, query):
    # Results loaded without `rebuild_result_counts` (a restore): the counts say none, and
    # Django would list the whole table, unsliced, as one short page.
    ResultDailyCount.objects.all().delete()
    admin = site._registry[Result]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(admin, "list_per_page", 2)
        patch.setattr(admin, "list_max_show_all", 2)
        response = admin_client.get(LIST_URL + query)

    assert response.status_code == 200
    assert listed_uuids(response) == {synced["disagreeing"]["uuid"], synced["fever"]["uuid"]}
