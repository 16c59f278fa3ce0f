"""Synced results as a clinic reads them: labels from each version's own snapshot, CSV rows,
and the dashboard's weeks and charts. No queries here: what it words and counts is read
by QuerySet methods (quiz/models.py).

A result is worded with the content version it was answered in, never the working copy:
a question reworded or a cause group renamed since then must not change what an old
result says.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from .models import OutcomeUrgency
from .tiers import URGENCY_ORDER as TIERS_LOWEST_FIRST

URGENCY_LABELS = dict(OutcomeUrgency.choices)
# Highest first: the order a clinic reads a triage list in.
URGENCY_ORDER = list(reversed(TIERS_LOWEST_FIRST))


class VersionWording:
    """The labels of one published version: question and choice texts, cause group names."""

    def __init__(self, snapshot: dict):
        questions = snapshot.get("questions", [])
        self.question_keys = [question["key"] for question in questions]
        self.questions = {question["key"]: question for question in questions}
        self.choices = {
            (question["key"], choice["key"]): choice.get("text") or choice["key"]
            for question in questions
            for choice in question.get("choices", [])
        }
        self.cause_names = {
            group["key"]: group.get("name") or group["key"] for group in snapshot.get("cause_groups", [])
        }
        self.scale_keys = [question["key"] for question in questions if question.get("kind") == "scale"]

    def cause_name(self, key: str) -> str:
        return self.cause_names.get(key, key)

    def question_text(self, key: str) -> str:
        question = self.questions.get(key)
        return question.get("text", key) if question else key

    def choice_text(self, question_key: str, choice_key: str) -> str:
        return self.choices.get((question_key, choice_key), choice_key)

    def answer_text(self, question_key: str, answer) -> str:
        """Choice texts for an answer (a key, a list of keys), or a scale number as it is."""
        if isinstance(answer, bool) or not isinstance(answer, str | list):
            return str(answer)
        return "; ".join(self.choice_text(question_key, key) for key in answer_keys(answer))

    def pain_score(self, answers: dict):
        """The answer to the version's pain scale (its first scale question), or None."""
        return next((answers[key] for key in self.scale_keys if key in answers), None)

    def warning_sign_text(self, sign: dict) -> str:
        # A dash, not a colon: most questions end with "?" and "…to you?:" reads badly.
        return f"{self.question_text(sign['question'])} — {self.choice_text(sign['question'], sign['choice'])}"


def answer_keys(answer) -> list[str]:
    """A stored answer as a list of choice keys (empty for a scale number)."""
    if isinstance(answer, list):
        return [str(key) for key in answer]
    if isinstance(answer, str):
        return [answer]
    return []


def wordings(snapshots: dict[int, dict]) -> dict[int, VersionWording]:
    """The wording of each version, by primary key (`ContentVersion.objects.snapshots_by_pk`)."""
    return {pk: VersionWording(snapshot) for pk, snapshot in snapshots.items()}


def weekly_urgency_counts(counts: list[tuple[date, str, int]]) -> list[tuple[date, dict[str, int]]]:
    """Checks per ISO week (Monday) and urgency, every week from the first to the last,
    from `ResultQuerySet.counts_by_week_and_urgency`."""
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(URGENCY_ORDER, 0))
    for week, urgency, count in counts:
        weeks[week][urgency] = count
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    filled = []
    monday = first
    while monday <= last:
        filled.append((monday, dict(weeks[monday])))
        monday += timedelta(weeks=1)
    return filled


# -- CSV -----------------------------------------------------------------------------------

FIXED_COLUMNS = [
    "uuid",
    "completed_at",
    "content_version",
    "server_urgency",
    "server_urgency_label",
    "client_urgency",
    "verdict_mismatch",
    "pain_score",
    "warning_signs",
    "warning_sign_labels",
    "causes",
    "cause_names",
]


def csv_question_keys(version_wordings: dict[int, VersionWording]) -> list[str]:
    """Question keys of every version in the export: the newest version's order, then older ones'."""
    keys: list[str] = []
    for _pk, wording in sorted(version_wordings.items(), reverse=True):
        keys.extend(key for key in wording.question_keys if key not in keys)
    return keys


def csv_header(question_keys: list[str]) -> list[str]:
    answer_columns = [column for key in question_keys for column in (f"answer:{key}", f"answer_label:{key}")]
    return FIXED_COLUMNS + answer_columns


# The columns of an export row, in this order: plain values, no model instances, and of the
# server's outcome only its warning signs (the rest is never shown). `CsvRowBuilder.row`
# takes them as the ORM decodes them; `ResultQuerySet.export_rows` reads them with the
# uuid, the time and the JSON as text, for `CsvRowBuilder.line`.
EXPORT_FIELDS = (
    "uuid",
    "completed_at",
    "content_version_id",
    "urgency",
    "client_urgency",
    "verdict_mismatch",
    "cause_keys",
    "answers",
    "server_outcome__warning_signs",
)


NO_ANSWER = ("", "")


class CsvRowBuilder:
    """Builds the export's CSV lines. A million results repeat the same few hundred answers,
    cause lists and warning signs, so each is worded and made spreadsheet safe once per
    version and kept: the row's work is mostly dictionary look-ups."""

    def __init__(self, version_wordings: dict[int, VersionWording], version_numbers: dict[int, int], question_keys):
        self.wordings = version_wordings
        self.numbers = version_numbers
        self.question_keys = list(question_keys)
        # Worded once, in the request's language (the labels are lazy translations).
        self.urgency_labels = {value: _spreadsheet_safe(str(label)) for value, label in URGENCY_LABELS.items()}
        self._answer_cells: dict[int, dict[str, dict]] = {
            pk: {key: {} for key in self.question_keys} for pk in version_wordings
        }
        self._cause_cells: dict = {}
        self._sign_cells: dict = {}
        self._plain_cells: dict = {}
        # `line()`'s CSV text, by the texts the database sends.
        self._head_texts: dict = {}
        self._answer_texts: dict = {}
        self._sign_texts: dict = {}
        self._cause_texts: dict = {}
        self._buffer = _LineBuffer()
        self._writer = csv.writer(self._buffer)

    def row(self, values: tuple) -> list:
        """The cells of one result, from `EXPORT_FIELDS` as the ORM decodes them (the answers
        and warning signs as JSON values). The plain twin of `line()`, which the export uses."""
        uuid, completed_at, version, urgency, client_urgency, mismatch, cause_keys, answers, signs = values
        wording = self.wordings[version]
        pain = wording.pain_score(answers)
        return [
            uuid,
            completed_at.isoformat(),
            *self._head_cells(version, urgency, client_urgency, mismatch),
            "" if pain is None else _spreadsheet_safe(pain),
            *self._signs(version, wording, signs or []),
            *self._causes(version, wording, cause_keys),
            *self._answers(version, answers),
        ]

    def line(self, values: tuple) -> str:
        """One result as the CSV line csv.writer would write for `row()`, from
        `ResultQuerySet.export_rows()` tuples: the uuid and time as text, the answers and
        warning signs as JSON text. A million results repeat a few hundred answer sets,
        warning signs and cause lists, so each text is decoded, worded and quoted once and
        its CSV kept (in bounded caches): a row is four look-ups and one string. A uuid and
        an ISO time never need quoting."""
        uuid, completed_at, version, urgency, client_urgency, mismatch, cause_keys, answers, signs = values
        # Each kept text holds at least a comma, so `or` only ever falls through on a miss.
        head = self._head_texts.get((version, urgency, client_urgency, mismatch)) or self._head_text(
            version, urgency, client_urgency, mismatch
        )
        pain_and_answers = self._answer_texts.get((version, answers)) or self._answers_text(version, answers)
        sign_text = self._sign_texts.get((version, signs)) or self._sign_text(version, signs)
        cause_text = self._cause_texts.get((version, cause_keys)) or self._cause_text(version, cause_keys)
        pain, answer_text = pain_and_answers
        return f"{uuid},{completed_at},{head},{pain},{sign_text},{cause_text}{answer_text}\r\n"

    def header_line(self) -> str:
        return self._encode(csv_header(self.question_keys)) + "\r\n"

    def _head_cells(self, version: int, urgency: str, client_urgency: str, mismatch: bool) -> list:
        label = self.urgency_labels.get(urgency)
        return [
            self.numbers[version],
            self._plain(urgency),
            self._plain(urgency) if label is None else label,
            self._plain(client_urgency),
            "yes" if mismatch else "no",
        ]

    def _answers(self, version: int, answers: dict) -> list:
        """The two cells of each question in the export, answered in this result or not."""
        cells_of_version = self._answer_cells[version]
        row: list = []
        extend = row.extend
        for key in self.question_keys:
            answer = answers.get(key)
            if answer is None:
                extend(NO_ANSWER)
            elif type(answer) is str:
                cells = cells_of_version[key].get(answer)
                extend(cells if cells is not None else self._answer(version, key, answer, answer))
            else:
                extend(self._other_answer(version, key, answer))
        return row

    def _head_text(self, version, urgency, client_urgency, mismatch) -> str:
        text = self._encode(self._head_cells(version, urgency, client_urgency, mismatch))
        return _kept(self._head_texts, (version, urgency, client_urgency, mismatch), text)

    def _answers_text(self, version: int, answers_json: str) -> tuple[str, str]:
        answers = json.loads(answers_json)
        pain = self.wordings[version].pain_score(answers)
        cells = self._answers(version, answers)
        texts = (self._encode(["" if pain is None else _spreadsheet_safe(pain)]), self._encode(cells, lead=","))
        return _kept(self._answer_texts, (version, answers_json), texts)

    def _sign_text(self, version: int, signs_json: str | None) -> str:
        # SQLite hands JSON's true, false and numbers over as SQL values, not as text.
        signs = json.loads(signs_json) if isinstance(signs_json, str) else signs_json
        text = self._encode(self._signs(version, self.wordings[version], signs or []))
        return _kept(self._sign_texts, (version, signs_json), text)

    def _cause_text(self, version: int, cause_keys: str) -> str:
        text = self._encode(self._causes(version, self.wordings[version], cause_keys))
        return _kept(self._cause_texts, (version, cause_keys), text)

    def _encode(self, cells: Sequence, lead: str = "") -> str:
        """Cells as csv.writer writes them within a row: quoted where it would quote them.
        An empty cell is added last and its "," and line end cut off, so a lone empty cell
        is written as nothing (csv.writer writes a row of one empty cell as '""')."""
        if not cells:
            return ""
        self._writer.writerow([*cells, ""])
        return lead + self._buffer.take()[: -len(",\r\n")]

    def _plain(self, text):
        cell = self._plain_cells.get(text)
        if cell is None:
            cell = self._plain_cells[text] = _spreadsheet_safe(text)
        return cell

    def _answer(self, version: int, key: str, answer, cache_key) -> tuple:
        cells = self._answer_cells[version][key][cache_key] = csv_answer_cells(self.wordings[version], key, answer)
        return cells

    def _other_answer(self, version: int, key: str, answer) -> tuple:
        """A number or a list of choice keys. The type is part of the key: True == 1 and
        1.0 == 1, but they are written apart."""
        try:
            cache_key = (type(answer), tuple(answer) if isinstance(answer, list) else answer)
            cells = self._answer_cells[version][key].get(cache_key)
        except TypeError:  # unhashable (a list of lists, a dict): worded every time
            return csv_answer_cells(self.wordings[version], key, answer)
        return cells if cells is not None else self._answer(version, key, answer, cache_key)

    def _causes(self, version: int, wording: VersionWording, cause_keys: str) -> tuple:
        cells = self._cause_cells.get((version, cause_keys))
        if cells is None:
            causes = [key for key in cause_keys.split(",") if key]
            cells = self._cause_cells[(version, cause_keys)] = (
                _spreadsheet_safe(" ".join(causes)),
                _spreadsheet_safe("; ".join(wording.cause_name(key) for key in causes)),
            )
        return cells

    def _signs(self, version: int, wording: VersionWording, signs: list) -> tuple:
        cache_key = (version, tuple((sign["question"], sign["choice"]) for sign in signs))
        cells = self._sign_cells.get(cache_key)
        if cells is None:
            cells = self._sign_cells[cache_key] = (
                _spreadsheet_safe(" ".join(f"{sign['question']}.{sign['choice']}" for sign in signs)),
                _spreadsheet_safe("; ".join(wording.warning_sign_text(sign) for sign in signs)),
            )
        return cells


def csv_answer_cells(wording: VersionWording, key: str, answer) -> tuple:
    """An answer's two columns: the stored keys (or number) and the version's wording of them."""
    keys = answer_keys(answer)
    if keys:
        return (_spreadsheet_safe(" ".join(keys)), _spreadsheet_safe(wording.answer_text(key, answer)))
    cell = _spreadsheet_safe(answer)
    return (cell, cell)


class _LineBuffer:
    """What csv.writer writes into: it keeps the text until it is taken."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_chunks(rows, builder: CsvRowBuilder, rows_per_chunk=500):
    """The header, then the results' lines (`ResultQuerySet.export_rows` tuples), as text a
    few hundred rows at a time: an export of millions of results is sent as it is read and
    never held whole in memory."""
    lines = [builder.header_line()]
    line, append = builder.line, lines.append
    for count, values in enumerate(rows, start=1):
        append(line(values))
        if count % rows_per_chunk == 0:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


# How many texts each of `CsvRowBuilder.line()`'s caches keeps before it starts again: a
# clinic's results repeat far fewer, and a few MB of them keep the export's memory flat
# when they do not.
KEPT_TEXTS = 4096


def _kept(cache: dict, key, value):
    if len(cache) >= KEPT_TEXTS:
        cache.clear()
    cache[key] = value
    return value


def _spreadsheet_safe(cell):
    """Text a spreadsheet would run as a formula (an editor's label starting with "=") is
    kept as text with a leading apostrophe, as spreadsheets themselves write it."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{cell}"
    return cell


# -- dashboard charts (server-rendered SVG: no chart library, nothing from a CDN) -----------

URGENCY_COLOURS = {"emergency": "#9b1c1c", "urgent": "#c2410c", "soon": "#a16207", "self_care": "#2f6f3e"}
CHART_WIDTH = 720
CHART_HEIGHT = 240
CHART_LEFT = 40
CHART_BOTTOM = 30


def weekly_chart(weeks: list[tuple[date, dict[str, int]]]) -> dict:
    """Stacked bars, one a week, one segment per urgency: the geometry the template draws."""
    top = max((sum(counts.values()) for _week, counts in weeks), default=0) or 1
    plot_width = CHART_WIDTH - CHART_LEFT
    plot_height = CHART_HEIGHT - CHART_BOTTOM
    slot = plot_width / max(len(weeks), 1)
    label_every = max(1, round(len(weeks) / 8))
    bars = []
    for index, (monday, counts) in enumerate(weeks):
        x = CHART_LEFT + index * slot + slot * 0.1
        y = float(plot_height)
        segments = []
        for urgency in reversed(URGENCY_ORDER):  # self-care at the bottom, emergency on top
            height = counts[urgency] / top * (plot_height - 10)
            y -= height
            if counts[urgency]:
                segments.append(
                    {
                        "y": round(y, 1),
                        "height": round(height, 1),
                        "colour": URGENCY_COLOURS[urgency],
                        "count": counts[urgency],
                        "label": URGENCY_LABELS[urgency],
                    }
                )
        bars.append(
            {
                "x": round(x, 1),
                "width": round(slot * 0.8, 1),
                "week": monday,
                "label_x": round(x + slot * 0.4, 1),
                "show_label": index % label_every == 0,
                "segments": segments,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "axis_y": plot_height,
        "left": CHART_LEFT,
        "top_count": top,
        "bars": bars,
        "legend": [
            {"label": URGENCY_LABELS[urgency], "colour": URGENCY_COLOURS[urgency], "x": CHART_LEFT + i * 170}
            for i, urgency in enumerate(URGENCY_ORDER)
        ],
    }


def cause_chart(rows: list[tuple[str, int]], limit: int = 10) -> dict:
    """Horizontal bars for the most common cause groups: (name, count), most common first."""
    shown = [row for row in rows if row[1]][:limit]
    top = max((count for _name, count in shown), default=0) or 1
    bar_area = CHART_WIDTH - 320
    return {
        "width": CHART_WIDTH,
        "height": 28 * len(shown) + 10,
        "bars": [
            {
                "name": name,
                "count": count,
                "y": 10 + 28 * index,
                "text_y": 10 + 28 * index + 15,
                "width": round(count / top * bar_area, 1),
                "count_x": 280 + round(count / top * bar_area, 1) + 6,
            }
            for index, (name, count) in enumerate(shown)
        ],
    }
