"""Publishing content from the Django admin: new immutable versions, and refusals that say why."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from quiz import services
from quiz.content import validate_snapshot
from quiz.models import Choice, ContentVersion, Question, Tip

PUBLISH_URL = reverse("admin:quiz_contentversion_publish")


def publish_and_read_messages(client) -> list[str]:
    response = client.post(PUBLISH_URL, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def editor_client(client, published, editor):
    client.force_login(editor)
    return client


def test_it_publishes_edits_as_a_new_version_and_says_so(editor_client):
    Question.objects.filter(key="h_sitting").update(text="How long do you sit without getting up?")

    messages = publish_and_read_messages(editor_client)

    assert any("Published content version 2" in message for message in messages)
    current = ContentVersion.objects.current()
    assert current.number == 2
    sitting = next(q for q in current.snapshot["questions"] if q["key"] == "h_sitting")
    assert sitting["text"] == "How long do you sit without getting up?"


def test_it_keeps_a_published_version_unchanged_when_content_is_edited_afterwards(editor_client):
    version_one = ContentVersion.objects.get(number=1)
    snapshot_before = version_one.snapshot

    tip = Tip.objects.get(key="break_every_30")
    tip.title = "Edited after publishing"
    tip.save()
    publish_and_read_messages(editor_client)

    version_one.refresh_from_db()
    assert version_one.snapshot == snapshot_before
    assert "Edited after publishing" not in str(version_one.snapshot)
    assert "Edited after publishing" in str(ContentVersion.objects.get(number=2).snapshot)


def test_it_offers_no_way_to_edit_or_delete_a_published_version(editor_client, admin_client):
    version = ContentVersion.objects.get(number=1)
    change_url = reverse("admin:quiz_contentversion_change", args=[version.pk])
    delete_url = reverse("admin:quiz_contentversion_delete", args=[version.pk])

    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ContentVersion.objects.filter(pk=version.pk).exists()


def test_it_tells_the_editor_when_nothing_changed(editor_client):
    messages = publish_and_read_messages(editor_client)

    assert "Nothing changed since version 1." in messages
    assert ContentVersion.objects.count() == 1


def test_it_refuses_a_question_with_fewer_than_two_choices(editor_client):
    Choice.objects.filter(question__key="h_sitting").exclude(key="often").delete()

    messages = publish_and_read_messages(editor_client)

    assert "Question “h_sitting” has fewer than two choices." in messages
    assert ContentVersion.objects.count() == 1


def test_it_refuses_a_warning_sign_question_with_no_choice_that_raises_urgency(editor_client):
    Choice.objects.filter(question__key="w_gynae").update(urgency="")

    messages = publish_and_read_messages(editor_client)

    assert "Warning-sign question “w_gynae” has no choice that raises urgency." in messages
    assert ContentVersion.objects.count() == 1


def test_it_refuses_a_tip_with_no_category(editor_client):
    Tip.objects.filter(key="lift_close").update(category=None)

    messages = publish_and_read_messages(editor_client)

    assert "Not published. Fix these first:" in messages
    assert "Tip “lift_close” has no category." in messages
    assert ContentVersion.objects.count() == 1


def test_it_refuses_a_stopping_choice_that_is_not_an_emergency(editor_client):
    Choice.objects.filter(question__key="w_gynae", key="yes").update(stops_quiz=True)

    messages = publish_and_read_messages(editor_client)

    assert "Choice “w_gynae.yes” stops the check but is not an emergency." in messages


def test_it_refuses_a_duplicate_question_key_in_the_admin_form(editor_client):
    response = editor_client.post(
        reverse("admin:quiz_question_add"),
        {
            "key": "w_emergency",
            "text_en": "A second question with a taken key",
            "kind": "single",
            "section": "habits",
            "order": 99,
            "scale_min": 0,
            "scale_max": 10,
            "is_active": "on",
            "choices-TOTAL_FORMS": 0,
            "choices-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "Question with this Key already exists." in response.content.decode()
    assert Question.objects.filter(key="w_emergency").count() == 1


def test_it_refuses_a_duplicate_choice_key_within_a_question_in_the_admin_form(editor_client):
    question = Question.objects.get(key="h_sitting")
    choices = list(question.choices.all())
    data = {
        "key": question.key,
        "text_en": question.text,
        "help_text_en": question.help_text,
        "kind": question.kind,
        "section": question.section,
        "order": question.order,
        "scale_min": 0,
        "scale_max": 10,
        "is_active": "on",
        "source_note": question.source_note,
        "source_paragraph": question.source_paragraph or "",
        "choices-TOTAL_FORMS": len(choices) + 1,
        "choices-INITIAL_FORMS": len(choices),
    }
    for index, choice in enumerate(choices):
        data.update(
            {
                f"choices-{index}-id": choice.pk,
                f"choices-{index}-question": question.pk,
                f"choices-{index}-key": choice.key,
                f"choices-{index}-text_en": choice.text,
                f"choices-{index}-order": choice.order,
                f"choices-{index}-urgency": choice.urgency,
            }
        )
    extra = len(choices)
    data.update(
        {f"choices-{extra}-key": choices[0].key, f"choices-{extra}-text_en": "Again", f"choices-{extra}-order": 9}
    )

    response = editor_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for key." in response.content.decode()
    assert question.choices.count() == len(choices)


def test_it_reports_duplicate_keys_in_a_snapshot_it_is_asked_to_validate(published):
    snapshot = ContentVersion.objects.current().snapshot
    snapshot["tips"].append(dict(snapshot["tips"][0]))

    problems = validate_snapshot(snapshot)

    assert f"Two items of type tip share the key “{snapshot['tips'][0]['key']}”." in problems


def test_it_lets_a_content_editor_publish_but_not_manage_users(editor_client):
    questions = editor_client.get(reverse("admin:quiz_question_changelist"))

    assert questions.status_code == 200
    assert Question.objects.first().key in questions.content.decode()
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_it_hides_the_publish_button_from_staff_without_the_permission(client, published, django_user_model):
    viewer = django_user_model.objects.create_user(username="viewer", password="pw", is_staff=True)
    client.force_login(viewer)

    assert client.post(PUBLISH_URL).status_code == 403
    assert ContentVersion.objects.count() == 1


@pytest.mark.parametrize(
    "model", ["question", "choice", "tip", "tipcategory", "causegroup", "sitesettings", "contentversion"]
)
def test_it_shows_every_content_list_in_the_admin(admin_client, published, model):
    response = admin_client.get(reverse(f"admin:quiz_{model}_changelist"))

    assert response.status_code == 200
    # Each list shows its rows: the total the admin prints matches what is stored.
    stored = response.context["cl"].model.objects.count()
    assert stored > 0
    assert response.context["cl"].result_count == stored


def test_it_leads_from_the_versions_list_to_review_and_publish(admin_client, published):
    response = admin_client.get(reverse("admin:quiz_contentversion_changelist"))

    page = response.content.decode()
    assert "Review changes and publish content" in page
    assert reverse("admin:quiz_contentversion_review") in page


def test_it_refuses_verdict_style_wording(editor_client):
    Tip.objects.filter(key="walk_daily").update(body="Walking is fine: this is nothing serious.")

    messages = publish_and_read_messages(editor_client)

    assert "“walk_daily.body” uses the wording “nothing serious”: BackCare never gives a verdict." in messages
    assert ContentVersion.objects.count() == 1


def test_it_lets_a_content_editor_read_results_but_not_change_them(editor_client):
    changelist = editor_client.get(reverse("admin:quiz_result_changelist"))

    assert changelist.status_code == 200
    assert reverse("admin:quiz_result_add") not in changelist.content.decode()  # no "Add result" button
    assert editor_client.get(reverse("admin:quiz_result_add")).status_code == 403


def press_publish_at_once(clients: list[Client]) -> list[str]:
    """Every client presses publish at the same moment; the pages they end on."""
    start = threading.Barrier(len(clients))
    pages: list[str] = []
    failures: list[BaseException] = []

    def press(client: Client) -> None:
        start.wait()
        try:
            response = client.post(PUBLISH_URL, follow=True)
            assert response.status_code == 200
            pages.append(response.content.decode())
        except BaseException as error:  # reported below: a thread's exception would vanish
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return pages


def test_it_publishes_one_version_when_publish_is_pressed_three_times_at_once(transactional_db, editor):
    """A triple-clicked publish button: the presses queue, the first publishes, the others
    are told nothing changed since. Run on PostgreSQL too (DATABASE_URL=postgres://...),
    where the requests truly overlap; a few rounds, as one round does not always collide."""
    services.content_seed()
    clients = [Client() for _ in range(3)]
    for client in clients:
        client.force_login(editor)

    for number in range(2, 7):
        Question.objects.filter(key="h_sitting").update(text=f"How long do you sit without a break? ({number})")
        pages = press_publish_at_once(clients)

        assert ContentVersion.objects.current().number == number
        assert sum(f"Published content version {number}." in page for page in pages) == 1
        assert sum(f"Nothing changed since version {number}." in page for page in pages) == 2
    assert ContentVersion.objects.count() == 6
