"""Content as a file: `export_content` and `import_content` (docs/CONTENT_FORMAT.md)."""

import json

import pytest
from django.core.management import CommandError, call_command

from quiz import content
from quiz.models import CauseGroup, ContentVersion, Question, SiteSettings, Tip, TipCategory


def export_to(tmp_path, *args) -> dict:
    path = tmp_path / "content.json"
    call_command("export_content", "-o", str(path), *args)
    return json.loads(path.read_text(encoding="utf-8"))


def write(tmp_path, body) -> str:
    path = tmp_path / "edited.json"
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return str(path)


def empty_the_database():
    ContentVersion.objects.all().delete()
    for model in (Question, Tip, CauseGroup, TipCategory, SiteSettings):
        model.objects.all().delete()


def import_refusal(path: str, *args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_content", path, *args)
    return str(refused.value)


def test_an_exported_file_imported_on_a_fresh_database_publishes_the_same_content_hash(published, tmp_path):
    body = export_to(tmp_path)
    empty_the_database()

    call_command("import_content", str(tmp_path / "content.json"))

    version = ContentVersion.objects.get()
    assert version.number == 1
    assert version.content_hash == published.content_hash == content.content_hash(body)


def test_it_exports_a_published_version_without_its_number_and_hash(published, tmp_path):
    Question.objects.filter(key="h_sitting").update(text="Edited but not published")

    body = export_to(tmp_path, "--content-version", "1")

    assert "version" not in body and "hash" not in body
    assert content.content_hash(body) == published.content_hash


def test_it_refuses_a_broken_file_with_the_messages_publishing_gives(published, tmp_path):
    body = export_to(tmp_path)
    target = next(q for q in body["questions"] if len(q["choices"]) >= 2)
    target["choices"] = target["choices"][:1]
    body["tips"][0]["category"] = None
    choices_before = Question.objects.get(key=target["key"]).choices.count()

    message = import_refusal(write(tmp_path, body))

    # The sentences the admin shows when publishing such content (tests/test_admin_publish.py).
    assert "Not imported. Fix these first:" in message
    assert f"Question “{target['key']}” has fewer than two choices." in message
    assert f"Tip “{body['tips'][0]['key']}” has no category." in message
    assert ContentVersion.objects.count() == 1
    assert Question.objects.get(key=target["key"]).choices.count() == choices_before


def test_it_refuses_a_file_that_is_not_a_content_snapshot(published, tmp_path):
    assert "The file is not valid JSON" in import_refusal(write(tmp_path, "{not json"))
    assert "The file has no “questions” list." in import_refusal(write(tmp_path, {"settings": {}}))
    assert ContentVersion.objects.count() == 1


def test_it_refuses_a_key_the_admin_would_refuse(published, tmp_path):
    body = export_to(tmp_path)
    body["questions"][0]["key"] = "Bad Key"

    message = import_refusal(write(tmp_path, body))

    assert "Question “Bad Key” (key): Use lowercase letters, digits and underscores, starting with a letter." in message
    assert not Question.objects.filter(key="Bad Key").exists()


def test_it_keeps_unpublished_edits_unless_forced(published, tmp_path):
    body = export_to(tmp_path)
    body["cause_groups"][0]["name"] = "Renamed in the file"
    path = write(tmp_path, body)
    Question.objects.filter(key="h_sitting").update(text="An edit nobody published")

    message = import_refusal(path)

    assert "The working copy has 1 unpublished change(s)" in message
    assert Question.objects.get(key="h_sitting").text == "An edit nobody published"
    call_command("import_content", path, "--force")
    assert ContentVersion.objects.current().number == 2
    assert CauseGroup.objects.get(key=body["cause_groups"][0]["key"]).name == "Renamed in the file"
    assert Question.objects.get(key="h_sitting").text != "An edit nobody published"


def test_it_refuses_an_item_missing_a_field_and_changes_nothing(published, tmp_path):
    body = export_to(tmp_path)
    del body["tips"][0]["title"]

    message = import_refusal(write(tmp_path, body))

    assert f"Tip “{body['tips'][0]['key']}” has no “title”." in message
    assert Tip.objects.filter(key=body["tips"][0]["key"]).exists()
    assert ContentVersion.objects.count() == 1
