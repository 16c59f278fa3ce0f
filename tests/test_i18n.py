"""The interface in English and Simplified Chinese: complete catalogues, nothing left
unmarked, the language a page is in, and no word of Django's own catalogues leaking in."""

import re
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from django.conf import settings

from quiz.content import VERDICT_PHRASE_CONTEXT, every_verdict_phrase
from quiz.i18n import catalogue_urls
from quiz.models import Question

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted((BASE / "locale").glob("*/LC_MESSAGES/*.po"))
# What `make messages-extract` runs: every source folder, nothing installed or built.
EXTRACT_FOLDERS = ("backcare", "quiz", "templates", "static")
MSGID = re.compile(r'^msgid "(.*)"$')


def po_entries(path: Path) -> list[tuple[str | None, str]]:
    """(context, msgid) of every live entry, read with gettext's own msgcat."""
    listing = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", "--no-location", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    entries, context = [], None
    for line in listing.splitlines():
        if line.startswith("msgctxt "):
            context = line[len('msgctxt "') : -1]
        match = MSGID.match(line)
        if match and match.group(1):
            entries.append((context, match.group(1)))
            context = None
    return entries


def test_there_is_a_chinese_catalogue_for_templates_python_and_javascript():
    assert [path.relative_to(BASE).as_posix() for path in CATALOGUES] == [
        "locale/zh_Hans/LC_MESSAGES/django.po",
        "locale/zh_Hans/LC_MESSAGES/djangojs.po",
    ]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.name)
def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy(catalogue):
    for flag in ("--untranslated", "--only-fuzzy"):
        left = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(catalogue)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "msgid" not in left, f"{catalogue.name} {flag}:\n{left}"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.name)
def test_the_catalogue_compiles_with_its_placeholders_kept(catalogue, tmp_path):
    # --check: the same %(name)s placeholders in the translation as in the English.
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(catalogue)], check=True)


@pytest.mark.subprocess
def test_extracting_the_messages_again_finds_nothing_new(tmp_path):
    """Every marked string of the templates, Python and JavaScript is in the catalogues."""
    for folder in EXTRACT_FOLDERS:
        shutil.copytree(BASE / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BASE / "manage.py", tmp_path)
    shutil.copytree(BASE / "locale", tmp_path / "locale")
    for domain in ("django", "djangojs"):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-d", domain, "--no-obsolete", "-v0"],
            cwd=tmp_path,
            check=True,
        )
        catalogue = f"locale/zh_Hans/LC_MESSAGES/{domain}.po"
        assert set(po_entries(tmp_path / catalogue)) == set(po_entries(BASE / catalogue)), domain


# -- nothing a person reads left unmarked ---------------------------------------------

PAGE_TEMPLATES = sorted((BASE / "templates").glob("*.html")) + sorted((BASE / "templates" / "quiz").glob("*.html"))
ADMIN_TEMPLATES = sorted((BASE / "templates" / "admin").rglob("*.html"))
# Words that stay as they are in every language.
UNTRANSLATED_WORDS = {"BackCare", "A&E", "CSV"}
TRANSLATED_BLOCKS = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{#.*?#}|"
    r"<script\b.*?</script>|{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}",
    re.S,
)
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
READ_ATTRIBUTES = re.compile(r'\s(?:aria-label|title|alt|placeholder)="([^"]*)"')


def unmarked_template_text(source: str) -> list[str]:
    """Words a person would read that no {% translate %} covers."""
    source = TRANSLATED_BLOCKS.sub(" ", source)
    attributes = [TEMPLATE_CODE.sub(" ", value) for value in READ_ATTRIBUTES.findall(source)]
    text = TEMPLATE_CODE.sub(" ", source)
    text = re.sub(r"<[^>]*>|&\w+;", " ", text)
    words = []
    for chunk in [text, *attributes]:
        for word in re.findall(r"[A-Za-z][A-Za-z'’&]+", chunk.replace("&amp;", "&")):
            if word not in UNTRANSLATED_WORDS and not re.fullmatch(r"(nbsp|middot|mdash|hellip|amp)", word):
                words.append(word)
    return words


@pytest.mark.parametrize("template", PAGE_TEMPLATES + ADMIN_TEMPLATES, ids=lambda p: str(p.relative_to(BASE)))
def test_every_word_of_the_page_templates_is_marked_for_translation(template):
    assert unmarked_template_text(template.read_text(encoding="utf-8")) == []


def test_the_template_check_finds_an_unmarked_word():
    assert unmarked_template_text('<p>{% translate "Marked" %} Forgotten</p><a aria-label="Menu">x</a>') == [
        "Forgotten",
        "Menu",
    ]
    assert unmarked_template_text("<p>{% translate 'Marked' %} {{ site.disclaimer }} BackCare</p>") == []


JS_FILES = sorted((BASE / "static" / "js").glob("*.js"))
JS_STRING = re.compile(r"""(?P<quote>["`])(?P<text>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""", re.S)
JS_MARKED_CALL = re.compile(r"(?:gettext|gettext_noop|ngettext|pgettext|npgettext)\(\s*$")
# Strings a person never reads, by what comes before them on their line: errors for
# developers, class names, event names, selectors, module names.
JS_NOT_SHOWN = re.compile(r"\bthrow\b|Error\(|console\.|className|Event\(|EventListener\(|querySelector|import|from ")


def unmarked_js_strings(source: str) -> list[str]:
    """String literals that read as words (two words or more) outside gettext()."""
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    source = re.sub(r"(?m)^\s*//.*$|\s//\s.*$", " ", source)
    found = []
    for match in JS_STRING.finditer(source):
        text = match.group("text")
        before = source[max(0, match.start() - 40) : match.start()]
        if match.group("quote") == "`":
            text = re.sub(r"\$\{[^}]*\}", " ", text)
        line_before = source[source.rfind("\n", 0, match.start()) + 1 : match.start()]
        # A sentence a person reads starts with a capital and has two words or more.
        sentence = re.match(r"[A-Z][A-Za-z']*[ ,.:;!?]+[A-Za-z]", text.strip())
        if not sentence or re.search(r"[=#/<>\[\]{}]", text):
            continue
        if JS_MARKED_CALL.search(before) or JS_NOT_SHOWN.search(line_before):
            continue
        found.append(text)
    return found


@pytest.mark.parametrize("script", JS_FILES, ids=lambda p: p.name)
def test_every_sentence_of_the_scripts_is_marked_for_translation(script):
    assert unmarked_js_strings(script.read_text(encoding="utf-8")) == []


def test_the_script_check_finds_an_unmarked_sentence():
    source = 'el("p", {}, gettext("Marked words"));\nstatus.textContent = "Forgotten words";\n'
    source += 'throw new Error("For developers only");\n'
    assert unmarked_js_strings(source) == ["Forgotten words"]


# -- the language a page is in --------------------------------------------------------

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def test_a_chinese_browser_gets_the_pages_in_chinese_marked_as_such(client, published):
    html = client.get("/", headers=CHINESE).content.decode()

    assert '<html lang="zh-hans">' in html
    assert "腰痛自查" in html
    assert published.snapshot["translations"]["zh-hans"]["settings"]["disclaimer"] in html
    assert re.search(r'src="/jsi18n/zh-hans/[0-9a-f]{12}\.js"', html)


def test_the_switch_names_each_language_in_its_own_words_on_every_page(client, published):
    for path in ("/", "/check/", "/result/", "/history/", "/emergency/", "/tips/", "/offline/"):
        html = client.get(path, headers=CHINESE).content.decode()
        assert '<button type="button" lang="en" aria-pressed="false">English</button>' in html
        assert '<button type="button" lang="zh-hans" aria-pressed="true">简体中文</button>' in html


def test_a_chosen_language_wins_over_the_browsers(client, published):
    client.cookies["django_language"] = "en"

    html = client.get("/", headers=CHINESE).content.decode()

    assert '<html lang="en">' in html
    assert "Low back pain self-check" in html


def test_no_word_of_djangos_own_catalogues_leaks_into_the_navigation(client, published):
    html = client.get("/", headers=CHINESE).content.decode()
    nav = re.search(r'<ul class="nav-list">.*?</ul>', html, re.S).group(0)

    # Django's admin catalogue says 历史 (an object's change history) for "History".
    assert "历史" not in nav
    assert [re.sub(r"<.*?>", "", item).strip() for item in re.findall(r"<li>.*?</li>", nav)] == [
        "自查",
        "建议",
        "记录",
        "紧急求助",
    ]


def test_the_project_catalogue_leaves_the_admins_own_words_alone(admin_client, published):
    admin_client.cookies["django_language"] = "zh-hans"
    pk = Question.objects.get(key=published.snapshot["questions"][0]["key"]).pk

    html = admin_client.get(f"/admin/quiz/question/{pk}/change/").content.decode()

    assert '<html lang="zh-hans"' in html
    # Django's admin keeps its own word for an object's history; ours is for past checks.
    assert ">历史<" in html
    assert "记录" not in html


def test_tip_pages_show_the_published_chinese_texts(client, published):
    tip = published.snapshot["tips"][0]
    chinese = published.snapshot["translations"]["zh-hans"]["tips"][tip["key"]]

    html = client.get(f"/tips/{tip['category']}/{tip['key']}/", headers=CHINESE).content.decode()

    assert chinese["title"] in html and chinese["body"] in html
    assert tip["body"] not in html


def test_the_emergency_page_in_chinese_keeps_the_published_numbers(client, published):
    html = client.get("/emergency/", headers=CHINESE).content.decode()
    texts = published.snapshot["translations"]["zh-hans"]["settings"]

    assert 'href="tel:999"' in html
    assert escape(texts["emergency_label"]) in html


def test_the_manifest_is_in_the_language_of_the_browser(client):
    english = client.get("/manifest.json").json()
    chinese = client.get("/manifest.json", headers=CHINESE).json()

    assert (english["lang"], chinese["lang"]) == ("en", "zh-hans")
    assert chinese["description"] == "私密的腰痛自查和生活建议，离线也能用。"
    assert [shortcut["name"] for shortcut in chinese["shortcuts"]] == ["开始自查", "建议"]
    assert [shortcut["url"] for shortcut in chinese["shortcuts"]] == ["/check/", "/tips/"]


# -- the JavaScript catalogue, a cacheable file per language --------------------------


def test_each_language_has_a_catalogue_kept_for_a_year_under_a_name_of_its_bytes(client):
    english, chinese = catalogue_urls()

    for url in (english, chinese):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Content-Type"] == "text/javascript; charset=utf-8"
    # Written as UTF-8 (a third of Django's \u escapes), and only the project's words.
    assert '"Waiting to sync": "等待同步"' in client.get(chinese).content.decode()
    assert "等待同步" not in client.get(english).content.decode()
    assert "January" not in client.get(chinese).content.decode()  # Django admin's calendar


def test_an_old_catalogue_name_gets_todays_words_without_the_year_long_promise(client):
    response = client.get("/jsi18n/zh-hans/000000000000.js")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert client.get("/jsi18n/fr/000000000000.js").status_code == 404


def test_the_worker_keeps_every_language_and_caches_pages_per_language(client, published):
    worker = client.get("/serviceworker.js").content.decode()

    assert re.search(r"const LANGUAGES = \[\"en\", \"zh-hans\"\];", worker)
    for url in catalogue_urls():
        assert f'"{url}"' in worker
    # Its logic, one cache per language among it, is the module tests/js/service-worker.test.mjs covers.
    assert re.search(r'import \{ startServiceWorker \} from "/static/js/service-worker\.js"', worker)


def test_the_chinese_interface_has_no_verdict_wording():
    """Every message a person reads; not the verdict phrases themselves, which the catalogue
    holds for the wording scan (msgctxt "forbidden verdict phrase")."""
    lines = []
    for catalogue in CATALOGUES:
        listing = subprocess.run(
            ["msggrep", "--invert-match", "--msgctxt", "--fixed-strings", "-e", VERDICT_PHRASE_CONTEXT, str(catalogue)],
            check=True,
            capture_output=True,
            text=True,
        )
        messages = subprocess.run(
            ["msgattrib", "--no-wrap"], input=listing.stdout, check=True, capture_output=True, text=True
        )
        lines += messages.stdout.splitlines()
    shown = " ".join(line for line in lines if line.startswith("msgstr")).lower()

    assert "警示症状" in shown  # the listing holds the catalogue's messages
    assert [phrase for phrase in every_verdict_phrase() if phrase in shown] == []


def test_a_chinese_speaking_editor_gets_the_admin_in_chinese(admin_client, published):
    admin_client.cookies["django_language"] = "zh-hans"

    html = admin_client.get("/admin/").content.decode()

    assert '<html lang="zh-hans"' in html
    assert "BackCare 管理" in html  # the project's header
    assert "BackCare 内容与结果" in html  # the app's name
    assert "站点管理" in html  # Django's own admin words
    question_list = admin_client.get("/admin/quiz/question/").content.decode()
    assert "警示症状" in question_list  # a section, from the project's catalogue
