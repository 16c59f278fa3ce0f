"""BackCare never gives a verdict: no diagnosis, no reassurance, no probability.

The same phrases guard publishing (quiz.content.FORBIDDEN_PHRASES, in English, and each
language's own from its catalogue: `verdict_phrases`); these tests hold the shipped
content, every published version and the UI templates to them.
"""

from pathlib import Path

import pytest
from django.conf import settings

from quiz.content import every_verdict_phrase, forbidden_wording, read_seed, verdict_phrases
from quiz.models import ContentVersion

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
JS_DIR = Path(settings.BASE_DIR) / "static" / "js"


def ui_files():
    for directory in TEMPLATE_DIRS:
        yield from sorted(p for p in directory.rglob("*") if p.is_file())
    yield from sorted(JS_DIR.rglob("*.js"))


def test_it_ships_content_free_of_verdict_wording():
    assert forbidden_wording(read_seed()) == []


def test_it_has_published_no_version_with_verdict_wording(published):
    for version in ContentVersion.objects.all():
        assert forbidden_wording(version.snapshot) == [], version.number


@pytest.mark.parametrize("path", list(ui_files()), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_it_keeps_verdict_wording_out_of_the_interface(path):
    text = path.read_text(encoding="utf-8").lower()

    assert [phrase for phrase in every_verdict_phrase() if phrase in text] == []


def test_it_catches_a_verdict_hidden_in_a_choice():
    body = read_seed()
    body["questions"][-2]["choices"][0]["text"] = "Low risk, nothing to do"

    problems = forbidden_wording(body)

    assert len(problems) == 1
    assert "low risk" in problems[0]


# Every Chinese verdict phrase, as the scan has always refused them; they now come from the
# Chinese catalogue (msgctxt "forbidden verdict phrase"), not from the code.
CHINESE_VERDICTS = [
    "低风险",
    "风险低",
    "没什么大问题",
    "没有大问题",
    "你患有",
    "您患有",
    "诊断为",
    "诊断：",
    "不需要看医生",
    "不用看医生",
    "无需就医",
    "的概率",
    "的几率",
]


def test_the_chinese_verdict_phrases_come_from_the_chinese_catalogue():
    chinese = verdict_phrases("zh-hans")

    assert set(CHINESE_VERDICTS) <= set(chinese)
    assert "low risk" in chinese  # English words in a translation are refused too
    assert not set(CHINESE_VERDICTS) & set(verdict_phrases("en"))


@pytest.mark.parametrize("phrase", CHINESE_VERDICTS)
def test_it_refuses_a_chinese_text_with_a_chinese_verdict(phrase):
    body = read_seed()
    key = body["questions"][-2]["key"]
    choice = body["questions"][-2]["choices"][0]["key"]
    texts = body["translations"]["zh-hans"]["questions"][key]
    texts["choices"][choice] = f"{texts['choices'][choice]}，{phrase}"

    problems = forbidden_wording(body)

    assert problems == [f"“{key}.{choice} (zh-hans)” uses the wording “{phrase}”: BackCare never gives a verdict."]


def test_it_shows_the_disclaimer_at_the_start_of_the_check(client, published):
    disclaimer = ContentVersion.objects.current().snapshot["settings"]["disclaimer"]

    response = client.get("/check/")

    assert disclaimer in response.content.decode()
