"""One check for content, whichever way it comes in: admin publish, `import_content` and
the data migrations refuse what the format does not allow (docs/CONTENT_FORMAT.md,
"Limits") with a clear message and publish nothing; a version published broken before
that check never turns a sync into a 500."""

import copy
import importlib
import json
import logging
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from sync_helpers import CALM_ANSWERS, post_results, register, result_item

from quiz import content
from quiz.models import Choice, ContentVersion, Question, Result, Tip

PUBLISH_URL = reverse("admin:quiz_contentversion_publish")


def question(body: dict, key: str) -> dict:
    return next(q for q in body["questions"] if q["key"] == key)


def nested(depth: int) -> dict:
    value: dict = {}
    for _level in range(depth):
        value = {"question": value}
    return value


# Each hostile file: how it breaks the shipped content, and what the refusal must say.
HOSTILE_EDITS = {
    "unknown urgency": (
        lambda body: question(body, "w_urgent")["choices"][0].update(urgency="critical"),
        "is “critical”, which is not one of: soon, urgent, emergency.",
    ),
    "unknown question kind": (
        lambda body: question(body, "h_sitting").update(kind="ranking"),
        "Question “h_sitting” (kind) is “ranking”, which is not one of: single, multiple, scale.",
    ),
    "unknown section": (
        lambda body: question(body, "h_sitting").update(section="extras"),
        "Question “h_sitting” (section) is “extras”, which is not one of: facts, warning, habits.",
    ),
    "weight 1000": (
        lambda body: question(body, "h_sitting")["choices"][-1]["weights"].update(posture_load=1000),
        "(weights): Ensure this value is less than or equal to 10.",
    ),
    "negative order": (
        lambda body: body["tips"][0].update(order=-1),
        "Tip “{key}” (order) must be from 0 to 32767.",
    ),
    "huge order": (
        lambda body: question(body, "h_sitting").update(order=10**12),
        "Question “h_sitting” (order) must be from 0 to 32767.",
    ),
    "over-long text": (
        lambda body: question(body, "h_sitting").update(text="x" * 301),
        "Question “h_sitting” (text): Ensure this value has at most 300 characters (it has 301).",
    ),
    "over-long long text": (
        lambda body: body["settings"].update(disclaimer="x" * 5001),
        "Site settings (disclaimer): Ensure this value has at most 5000 characters (it has 5001).",
    ),
    "over-long key": (
        lambda body: body["tips"][0].update(key="k" * 100_000),
        "(key): Ensure this value has at most 64 characters (it has 100000).",
    ),
    "NUL character": (
        lambda body: body["tips"][0].update(title="Walk\x00 daily"),
        "/tips/0/title contains a NUL character.",
    ),
    "unknown key": (
        lambda body: question(body, "h_sitting").update(weight=3),
        "Question “h_sitting” has an unknown field “weight”.",
    ),
    "text where a number goes": (
        lambda body: body["settings"].update(cause_threshold="3"),
        "Site settings (cause_threshold) must be a whole number.",
    ),
    "reversed pain scale": (
        lambda body: question(body, "h_pain_now").update(scale_min=8, scale_max=2),
        "Question “h_pain_now”: The scale must run from a lower to a higher whole number within 0 to 10; "
        "it runs from 8 to 2.",
    ),
    "deep nesting": (
        lambda body: question(body, "h_sitting").update(show_if=nested(20)),
        "The file nests lists or objects deeper than 12 levels.",
    ),
    "deep nesting past Python's recursion": (
        lambda body: question(body, "h_sitting").update(show_if=nested(100_000)),
        "The file nests lists or objects deeper than 12 levels.",
    ),
}


def write_file(tmp_path, body: dict) -> str:
    path = tmp_path / "hostile.json"
    try:
        text = json.dumps(body, ensure_ascii=False)
    except RecursionError:  # too deep for json.dumps: written by hand, as an attacker would
        text = '{"questions": [' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "]}"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name", list(HOSTILE_EDITS))
def test_import_content_refuses_a_hostile_file_with_a_clear_message_and_publishes_nothing(published, tmp_path, name):
    edit, expected = HOSTILE_EDITS[name]
    body = content.read_seed()
    edit(body)
    working_copy_before = content.content_hash(content.build_snapshot())

    with pytest.raises(CommandError) as refused:
        call_command("import_content", write_file(tmp_path, body), "--force")

    message = str(refused.value)
    assert message.startswith("Not imported. Fix these first:\n")
    assert expected.replace("{key}", body["tips"][0]["key"]) in message
    assert "Traceback" not in message and "Error(" not in message
    assert len(message) < 2000  # a hostile name is quoted shortened, not whole
    assert ContentVersion.objects.count() == 1
    # Nothing half-imported: the working copy is the one published before.
    assert content.content_hash(content.build_snapshot()) == working_copy_before == published.content_hash


def test_import_content_refuses_a_file_too_big_to_be_content(published, tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"padding": "x" * 2_000_001}), encoding="utf-8")

    with pytest.raises(CommandError, match="a content file has at most 2,000,000"):
        call_command("import_content", str(path))
    assert ContentVersion.objects.count() == 1


def test_import_content_still_imports_the_shipped_content_and_a_version_one_export(published, tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(content.read_seed(), ensure_ascii=False), encoding="utf-8")

    call_command("import_content", str(path))

    assert ContentVersion.objects.current().content_hash == published.content_hash


# -- admin publish ----------------------------------------------------------------


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def publish_messages(client) -> list[str]:
    response = client.post(PUBLISH_URL, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_the_admin_form_refuses_a_reversed_pain_scale(editor_client):
    scale = Question.objects.get(key="h_pain_now")
    data = {
        "key": scale.key,
        "text": scale.text,
        "help_text": scale.help_text,
        "kind": scale.kind,
        "section": scale.section,
        "order": scale.order,
        "is_active": "on",
        "scale_min": 8,
        "scale_max": 2,
        "source_note": scale.source_note,
        "source_paragraph": scale.source_paragraph or "",
    }

    response = editor_client.post(reverse("admin:quiz_question_change", args=[scale.pk]), data)

    assert response.status_code == 200
    assert "The scale must run from a lower to a higher whole number within 0 to 10" in response.content.decode()
    scale.refresh_from_db()
    assert (scale.scale_min, scale.scale_max) == (0, 10)


def test_admin_publish_refuses_a_reversed_pain_scale_saved_some_other_way(editor_client):
    Question.objects.filter(key="h_pain_now").update(scale_min=8, scale_max=2)

    messages = publish_messages(editor_client)

    assert "Not published. Fix these first:" in messages
    assert (
        "Question “h_pain_now”: The scale must run from a lower to a higher whole number within 0 to 10; "
        "it runs from 8 to 2." in messages
    )
    assert ContentVersion.objects.count() == 1


def test_admin_publish_refuses_an_urgency_the_admin_does_not_know(editor_client):
    Choice.objects.filter(question__key="w_urgent", key="none").update(urgency="critical")

    messages = publish_messages(editor_client)

    assert "Choice “w_urgent.none” (urgency) is “critical”, which is not one of: soon, urgent, emergency." in messages
    assert ContentVersion.objects.count() == 1


# -- the data migrations ------------------------------------------------------------


def test_the_content_migration_refuses_broken_shipped_content_and_leaves_everything_as_it_was(published, monkeypatch):
    broken = content.read_seed()
    question(broken, "h_pain_now").update(scale_min=8, scale_max=2)
    monkeypatch.setattr(content, "read_seed", lambda: copy.deepcopy(broken))
    # The migration that ships the newest check (0007, 0009 and 0011 now defer to it), on an
    # installation that never ran 0011: no tip has a condition yet.
    Tip.objects.update(show_if=None)
    working_copy = content.content_hash(content.build_snapshot())
    migration = importlib.import_module("quiz.migrations.0014_content_languages")

    with pytest.raises(content.PublishError) as refused:
        migration.publish_tip_conditions_unless_published(apps=django_apps, schema_editor=None)

    assert any("it runs from 8 to 2" in problem for problem in refused.value.problems)
    assert ContentVersion.objects.count() == 1
    assert content.content_hash(content.build_snapshot()) == working_copy


# -- a version published broken before the check: syncs never 500 -----------------


def publish_broken(published, edit) -> ContentVersion:
    """A version as import_content could publish it before every way in was checked."""
    snapshot = copy.deepcopy(published.snapshot)
    edit(snapshot)
    snapshot["version"] = 2
    # Its own hash: the server keeps each version's rules by number and hash.
    return ContentVersion.objects.create(number=2, content_hash=content.content_hash(snapshot), snapshot=snapshot)


@pytest.mark.parametrize(
    "edit",
    [
        lambda body: question(body, "w_urgent")["choices"][0].update(urgency="critical"),
        lambda body: question(body, "h_sitting").update(kind="ranking"),
        lambda body: question(body, "h_pain_now").update(scale_min=None),
        lambda body: body["settings"].update(cause_threshold="3"),
        lambda body: question(body, "h_sitting").pop("choices"),
    ],
    ids=["unknown urgency", "unknown kind", "scale without a minimum", "threshold as text", "no choices"],
)
def test_a_result_naming_a_version_published_broken_is_refused_with_a_code_and_the_others_stored(
    client, published, caplog, edit
):
    broken = publish_broken(published, edit)
    token = register(client)[1]
    answers = {**CALM_ANSWERS, "w_urgent": [question(broken.snapshot, "w_urgent")["choices"][0]["key"]]}
    on_broken = result_item(published.snapshot, answers, content_version=2)
    on_broken["outcome"]["content_version"] = 2
    good = result_item(published.snapshot)

    with caplog.at_level(logging.ERROR, logger="quiz.services"):
        response = post_results(client, token, [on_broken, good])

    assert response.status_code == 200
    refused, stored = response.json()["receipts"]
    assert refused["status"] == "rejected"
    assert [error["code"] for error in refused["errors"]] == ["unusable_content_version"]
    assert stored["status"] == "created"
    assert list(Result.objects.values_list("uuid", flat=True)) == [uuid.UUID(good["uuid"])]
    assert "Content version 2 cannot score results" in caplog.text


def test_a_version_published_with_rules_the_scorer_survives_still_scores(client, published):
    def heavy(body):
        for choice in question(body, "h_sitting")["choices"]:
            choice["weights"] = {group: 1000 for group in choice["weights"]}

    publish_broken(published, heavy)
    token = register(client)[1]
    item = result_item(published.snapshot, content_version=2)
    item["outcome"]["content_version"] = 2

    response = post_results(client, token, [item])

    assert response.json()["receipts"][0]["status"] == "created"
    assert Result.objects.get().content_version.number == 2
