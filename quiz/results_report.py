"""Synced results as a clinic reads them: labels from each version's own snapshot, CSV rows,
and the dashboard's weeks and charts. No queries here: what it words and counts is read
by QuerySet methods (quiz/models.py).

A result is worded with the content version it was answered in, never the working copy:
a question reworded or a cause group renamed since then must not change what an old
result says.
"""

import csv
from collections import defaultdict
from datetime import date, timedelta

from .models import OutcomeUrgency, Result
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


def csv_row(result: Result, wording: VersionWording, question_keys: list[str]) -> list:
    signs = result.server_outcome.get("warning_signs", [])
    causes = result.cause_key_list
    pain = wording.pain_score(result.answers)
    row = [
        result.uuid,
        result.completed_at.isoformat(),
        result.content_version.number,
        result.urgency,
        URGENCY_LABELS.get(result.urgency, result.urgency),
        result.client_urgency,
        "yes" if result.verdict_mismatch else "no",
        "" if pain is None else pain,
        " ".join(f"{sign['question']}.{sign['choice']}" for sign in signs),
        "; ".join(wording.warning_sign_text(sign) for sign in signs),
        " ".join(causes),
        "; ".join(wording.cause_name(key) for key in causes),
    ]
    for key in question_keys:
        answer = result.answers.get(key)
        if answer is None:
            row.extend(["", ""])
        elif answer_keys(answer):
            row.extend([" ".join(answer_keys(answer)), wording.answer_text(key, answer)])
        else:
            row.extend([answer, answer])
    return [_spreadsheet_safe(cell) for cell in row]


class _LineBuffer:
    """What csv.writer writes into: it keeps the text until it is taken."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_chunks(results, version_wordings: dict[int, VersionWording], question_keys: list[str], rows_per_chunk=500):
    """The header, then the results' rows, as text a few hundred rows at a time: an export
    of millions of results is sent as it is read and never held whole in memory."""
    buffer = _LineBuffer()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(question_keys))
    for count, result in enumerate(results, start=1):
        writer.writerow(csv_row(result, version_wordings[result.content_version_id], question_keys))
        if count % rows_per_chunk == 0:
            yield buffer.take()
    yield buffer.take()


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
