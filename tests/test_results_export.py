"""The results' CSV export as the admin streams it (`CsvRowBuilder.line` over
`ResultQuerySet.export_rows`: JSON texts decoded and CSV quoted once per distinct text)
against its plain twin: the ORM's decoded values, `CsvRowBuilder.row` and csv.writer. Same
bytes, on SQLite and PostgreSQL."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from sync_helpers import CALM_ANSWERS

from quiz import results_report, services
from quiz.models import CauseGroup, Choice, ContentVersion, Device, Question, Result

EXPORT_URL = "/admin/quiz/result/export.csv"
STARTED = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)

# Answers no phone sends but a database may hold, each worded as the plain path words it:
# numbers of several types (True == 1 == 1.0, written apart), lists of keys, unknown keys,
# a list of lists (unhashable), text a spreadsheet would run, commas, quotes, line ends.
ODD_ANSWERS = [
    CALM_ANSWERS,
    {**CALM_ANSWERS, "h_pain_now": 7.5},
    {**CALM_ANSWERS, "h_pain_now": True},
    {**CALM_ANSWERS, "h_pain_now": 1},
    {**CALM_ANSWERS, "h_pain_now": 1.0},
    {**CALM_ANSWERS, "h_pain_now": "=1+1"},
    {**CALM_ANSWERS, "h_pattern": ["after_lifting", 'unknown, "quoted"\r\nkey']},
    {**CALM_ANSWERS, "h_pattern": [["nested"], "after_lifting"]},
    {**CALM_ANSWERS, "h_age": "-not a key", "extra_question": "ignored"},
    {"h_age": "age_45_to_64"},
    {},
]


def make_result(device, version, index: int, answers: dict, **fields) -> Result:
    outcome = fields.pop("server_outcome", {"warning_signs": []})
    return Result.objects.create(
        uuid=uuid.UUID(int=index + 1),
        device=device,
        content_version=version,
        answers=answers,
        client_outcome={},
        server_outcome=outcome,
        urgency=fields.pop("urgency", "self_care"),
        client_urgency=fields.pop("client_urgency", "self_care"),
        verdict_mismatch=fields.pop("verdict_mismatch", False),
        cause_keys=fields.pop("cause_keys", ",posture_load,"),
        payload_hash="0" * 64,
        batch_id=uuid.UUID(int=0),
        # Whole seconds and not: isoformat() writes the microseconds only when there are any.
        completed_at=STARTED + timedelta(minutes=index, microseconds=(0, 1, 500000, 123456)[index % 4]),
        **fields,
    )


def plain_export() -> bytes:
    """The plain twin: every result decoded by the ORM, its cells from `row()`, csv.writer."""
    rows = Result.objects.order_by("-completed_at").values_list(*results_report.EXPORT_FIELDS)
    version_ids = Result.objects.content_version_ids()
    wordings = results_report.wordings(ContentVersion.objects.snapshots_by_pk(version_ids))
    builder = results_report.CsvRowBuilder(
        wordings, ContentVersion.objects.numbers_by_pk(version_ids), results_report.csv_question_keys(wordings)
    )
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(results_report.csv_header(builder.question_keys))
    writer.writerows(builder.row(values) for values in rows)
    return text.getvalue().encode()


def streamed_export(admin_client) -> bytes:
    response = admin_client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def odd_results(published):
    """Results over two versions (the second with a question and a cause group reworded as
    a spreadsheet would run them, with commas and quotes), each answer set, warning signs
    and cause list repeated, and a few that no phone would send."""
    device = Device.objects.create(public_id=uuid.uuid4(), token_hash="1" * 64)
    CauseGroup.objects.filter(key="posture_load").update(name='=Posture, "load"')
    Question.objects.filter(key="w_urgent").update(text="+Any of these, today?")
    Choice.objects.filter(question__key="h_pattern", key="after_lifting").update(text='After "heavy"\r\nlifting')
    second = services.content_publish()
    signs = [
        {"warning_signs": [{"question": "w_urgent", "choice": "fever", "urgency": "urgent"}]},
        {"warning_signs": [{"question": "w_urgent", "choice": "fever"}, {"question": "w_soon", "choice": "x,y"}]},
        {"warning_signs": None},
        {},
        {"warning_signs": []},
    ]
    index = 0
    for version in (published, second):
        for repeat in range(3):
            for number, answers in enumerate(ODD_ANSWERS):
                make_result(
                    device,
                    version,
                    index,
                    answers,
                    server_outcome=signs[(number + repeat) % len(signs)],
                    urgency=["self_care", "urgent", "emergency"][number % 3],
                    client_urgency=["self_care", "", "soon", "=odd"][(number + repeat) % 4],
                    verdict_mismatch=bool(number % 2),
                    cause_keys=[",posture_load,", "", ",posture_load,unknown_cause,"][repeat],
                )
                index += 1
    return index


def test_it_streams_the_same_bytes_as_the_plain_export(admin_client, odd_results):
    exported = streamed_export(admin_client)

    assert exported == plain_export()
    rows = list(csv.DictReader(io.StringIO(exported.decode(), newline="")))
    assert len(rows) == odd_results
    assert {row["cause_names"] for row in rows} >= {'\'=Posture, "load"', "Sitting or standing for a long time"}
    assert {row["answer_label:h_pattern"] for row in rows} >= {'After "heavy"\r\nlifting', "After lifting or carrying"}
    assert any(row["warning_sign_labels"].startswith("'+Any of these, today? — ") for row in rows)
    assert {row["completed_at"][19:] for row in rows} == {"+00:00", ".000001+00:00", ".500000+00:00", ".123456+00:00"}


def test_it_streams_the_same_bytes_when_its_caches_fill_and_start_again(admin_client, odd_results, monkeypatch):
    monkeypatch.setattr(results_report, "KEPT_TEXTS", 2)

    assert streamed_export(admin_client) == plain_export()


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_first_rows_of_a_long_export_before_the_database_has_read_them_all(admin_client, published):
    device = Device.objects.create(public_id=uuid.uuid4(), token_hash="1" * 64)
    Result.objects.bulk_create(
        Result(
            uuid=uuid.uuid4(),
            device=device,
            content_version=published,
            answers=CALM_ANSWERS,
            client_outcome={},
            server_outcome={"warning_signs": []},
            urgency="self_care",
            client_urgency="self_care",
            payload_hash="0" * 64,
            batch_id=uuid.UUID(int=0),
            completed_at=STARTED + timedelta(minutes=index),
        )
        for index in range(1200)
    )
    response = admin_client.get(EXPORT_URL)
    chunks = iter(response.streaming_content)

    first = next(chunks)

    assert first.startswith(b"uuid,completed_at,")
    if connection.vendor == "postgresql":
        # A cursor declared WITH HOLD (Django's choice outside a transaction) is filled
        # with every row of the query before its first row is sent.
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_holdable FROM pg_cursors")
            assert cursor.fetchall() == [(False,)]
    rest = b"".join(chunks)
    response.close()
    assert (first + rest).count(b"\r\n") == 1201
