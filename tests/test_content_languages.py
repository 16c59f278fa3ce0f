"""Content in English and Simplified Chinese: published together in one immutable version,
served per language with its own ETag, edited side by side, never scored by language."""

import re

import pytest
from django.urls import reverse
from sync_helpers import post_results, register, result_item

from quiz import content, scoring, services
from quiz.content import read_seed
from quiz.models import Choice, ContentVersion, Question, Result, SiteSettings, Tip
from quiz.translation import localize, missing_translations, translated_languages, translated_texts

PUBLISH_URL = reverse("admin:quiz_contentversion_publish")
CHINESE = "zh-hans"
HAN = re.compile(r"[\u4e00-\u9fff]")


def warning_question(snapshot: dict) -> dict:
    return next(q for q in snapshot["questions"] if q["section"] == "warning")


def habit_question(snapshot: dict) -> dict:
    return next(q for q in snapshot["questions"] if q["section"] == "habits" and q["choices"])


# -- the shipped content ---------------------------------------------------------------


def test_every_text_of_the_shipped_content_has_its_chinese_text():
    assert missing_translations(read_seed()) == []


def test_every_chinese_text_of_the_shipped_content_is_written_in_chinese():
    """Not the English copied across to fill the box: each text has Chinese characters."""
    texts = list(translated_texts(read_seed()))

    assert len(texts) > 100
    assert [where for where, text in texts if not HAN.search(text)] == []


def test_the_shipped_chinese_names_no_item_the_content_does_not_have():
    seed = read_seed()
    chinese = seed["translations"][CHINESE]

    for part in ("cause_groups", "tip_categories", "tips", "questions"):
        assert set(chinese[part]) == {item["key"] for item in seed[part]}, part


def test_the_published_version_carries_both_languages(published):
    snapshot = published.snapshot
    question = warning_question(snapshot)
    chinese = snapshot["translations"][CHINESE]["questions"][question["key"]]

    assert re.search(r"[\u4e00-\u9fff]", chinese["text"])
    assert set(chinese["choices"]) == {choice["key"] for choice in question["choices"]}
    assert list(snapshot["translations"]) == translated_languages() == [CHINESE]


# -- GET /api/content/ per language ----------------------------------------------------


def test_it_serves_the_content_in_the_language_asked(client, published):
    question = warning_question(published.snapshot)
    chinese = published.snapshot["translations"][CHINESE]

    english = client.get("/api/content/").json()
    asked = client.get("/api/content/?lang=zh-hans").json()
    by_header = client.get("/api/content/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()

    assert english["language"] == "en" and asked["language"] == by_header["language"] == CHINESE
    assert asked == by_header
    assert warning_question(english)["text"] == question["text"]
    assert warning_question(asked)["text"] == chinese["questions"][question["key"]]["text"]
    assert asked["settings"]["disclaimer"] == chinese["settings"]["disclaimer"]
    # One language per answer: the other's texts stay on the server.
    assert "translations" not in english and "translations" not in asked


def test_each_language_has_its_own_etag_and_304(client, published):
    english = client.get("/api/content/")
    chinese = client.get("/api/content/?lang=zh-hans")

    assert english["ETag"] == published.etag
    assert chinese["ETag"] == f'"{published.number}-{published.content_hash}-zh-hans"'
    assert client.get("/api/content/?lang=zh-hans", headers={"If-None-Match": chinese["ETag"]}).status_code == 304
    assert client.get("/api/content/", headers={"If-None-Match": english["ETag"]}).status_code == 304
    # The other language's ETag is not this one's: the full answer comes back.
    crossed = client.get("/api/content/?lang=zh-hans", headers={"If-None-Match": english["ETag"]})
    assert crossed.status_code == 200
    assert crossed.json()["language"] == CHINESE


def test_it_says_the_answer_varies_by_accept_language_and_names_its_language(client, published):
    response = client.get("/api/content/", headers={"Accept-Language": "zh-CN"})

    assert "Accept-Language" in response["Vary"]
    assert response["Content-Language"] == CHINESE


def test_old_versions_are_served_per_language_too(client, published):
    response = client.get("/api/content/1/?lang=zh-hans")

    assert response.status_code == 200
    assert response.json()["language"] == CHINESE
    assert response["ETag"].endswith('-zh-hans"')


def test_it_refuses_a_language_it_does_not_have_with_a_clear_error(client, published):
    response = client.get("/api/content/?lang=fr")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_language"
    assert "zh-hans" in str(response.json())


def test_a_text_not_yet_translated_is_shown_in_english(published):
    snapshot = {**published.snapshot, "translations": {CHINESE: {}}}
    tip = published.snapshot["tips"][0]

    assert localize(snapshot, CHINESE)["tips"][0]["title"] == tip["title"]


# -- publishing: both languages together, refusing an untranslated warning sign --------


def test_a_chinese_edit_publishes_a_new_version_with_its_own_etags(client, admin_client, published):
    old_etag = client.get("/api/content/?lang=zh-hans")["ETag"]
    Tip.objects.filter(key=published.snapshot["tips"][0]["key"]).update(title_zh_hans="每天散散步")

    admin_client.post(PUBLISH_URL)

    response = client.get("/api/content/?lang=zh-hans", headers={"If-None-Match": old_etag})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["tips"][0]["title"] == "每天散散步"


def test_publishing_refuses_a_warning_sign_without_its_chinese_text_and_names_it(admin_client, published):
    question = warning_question(published.snapshot)
    choice = question["choices"][0]["key"]
    Choice.objects.filter(question__key=question["key"], key=choice).update(text_zh_hans="")

    response = admin_client.post(PUBLISH_URL, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert "Not published. Fix these first:" in messages
    assert any(question["key"] in message and choice in message for message in messages), messages
    assert ContentVersion.objects.count() == 1
    with pytest.raises(content.PublishError) as refused:
        services.content_publish()
    assert refused.value.problems == [
        f"Warning-sign question “{question['key']}” has no zh-hans text for: {choice}. Translate it before publishing."
    ]


def test_publishing_warns_of_other_missing_translations_and_goes_ahead(admin_client, published):
    question = habit_question(published.snapshot)
    Question.objects.filter(key=question["key"]).update(text_zh_hans="")

    response = admin_client.post(PUBLISH_URL, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert any("Published content version 2" in message for message in messages)
    assert f"“{question['key']}.text” has no zh-hans text yet; people reading zh-hans see the English." in messages
    assert ContentVersion.objects.current().number == 2


def test_publishing_refuses_chinese_verdict_wording(published):
    SiteSettings.objects.update(action_self_care_zh_hans="你的情况属于低风险，没什么大问题。")

    with pytest.raises(content.PublishError) as refused:
        services.content_publish()

    assert any("低风险" in problem for problem in refused.value.problems)
    assert any("没什么大问题" in problem for problem in refused.value.problems)


def test_a_chinese_diagnosis_in_a_choice_is_caught_too(published):
    question = habit_question(published.snapshot)
    Choice.objects.filter(question__key=question["key"]).update(text_zh_hans="你患有腰椎间盘突出")

    with pytest.raises(content.PublishError) as refused:
        services.content_publish()

    assert any("你患有" in problem for problem in refused.value.problems)


# -- the admin: both languages on the same page -----------------------------------------


def test_the_admin_edits_each_text_beside_its_chinese_text(admin_client, published):
    question = Question.objects.get(key=warning_question(published.snapshot)["key"])

    html = admin_client.get(f"/admin/quiz/question/{question.pk}/change/").content.decode()

    # One form row holds both: Django's "field-box" line for fields set side by side.
    row = re.search(
        r'<div class="form-row[^"]*field-text_en field-text_zh_hans">.*?</div>\s*</div>\s*</div>', html, re.S
    )
    assert row, "text_en and text_zh_hans are not on one line"
    assert question.text_zh_hans in html
    for choice in question.choices.all():
        assert choice.text_zh_hans in html  # the choices' inline, a column beside the English


def test_a_chinese_text_saved_in_the_admin_is_stored(admin_client, published):
    site = SiteSettings.load()
    form = admin_client.get(f"/admin/quiz/sitesettings/{site.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["disclaimer_zh_hans"] = "BackCare 不是诊断。"

    response = admin_client.post(f"/admin/quiz/sitesettings/{site.pk}/change/", data)

    assert response.status_code == 302
    assert SiteSettings.load().disclaimer_zh_hans == "BackCare 不是诊断。"


def test_the_admin_requires_the_english_text_and_lets_its_translation_wait(admin_client, published):
    site = SiteSettings.load()
    url = f"/admin/quiz/sitesettings/{site.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}

    without_english = admin_client.post(url, {**data, "disclaimer_en": ""})
    without_chinese = admin_client.post(url, {**data, "disclaimer_zh_hans": ""})

    assert without_english.status_code == 200
    assert without_english.context["adminform"].form.errors["disclaimer_en"] == ["This field is required."]
    assert without_chinese.status_code == 302
    assert (SiteSettings.load().disclaimer_en, SiteSettings.load().disclaimer_zh_hans) == (site.disclaimer_en, "")


# -- results: the language recorded, never scored ---------------------------------------


def test_a_check_answered_in_chinese_scores_as_in_english(published):
    english = ContentVersion.objects.current().snapshot
    chinese = localize(english, CHINESE)
    answers = result_item(english)["answers"]

    assert scoring.score(chinese, answers) == scoring.score(english, answers)


def test_a_result_records_the_language_it_was_answered_in(client, published):
    _device, token = register(client)
    item = result_item(published.snapshot, language=CHINESE)
    plain = result_item(published.snapshot)

    response = post_results(client, token, [item, plain])

    assert [receipt["status"] for receipt in response.json()["receipts"]] == ["created", "created"]
    stored = Result.objects.get(uuid=item["uuid"])
    assert stored.language == CHINESE
    assert stored.verdict_mismatch is False
    assert Result.objects.get(uuid=plain["uuid"]).language == "en"


def test_a_result_in_a_language_the_server_does_not_have_is_rejected_and_says_why(client, published):
    _device, token = register(client)
    item = result_item(published.snapshot, language="klingon")

    receipt = post_results(client, token, [item]).json()["receipts"][0]

    assert receipt["status"] == "rejected"
    assert receipt["errors"][0]["field"] == "language"
    assert receipt["errors"][0]["code"] == "invalid_language"
    assert not Result.objects.exists()
