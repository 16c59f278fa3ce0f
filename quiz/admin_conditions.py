"""“Show only if” in the admin: a question's or a tip's condition on an earlier answer,
edited with two dropdowns (the question, then any of its answers) instead of typed JSON.

The stored value is the content format's (docs/CONTENT_FORMAT.md): null ("always"), or
{"question": <key>, "choices": [<keys of its choices>]}. Saving needs no JavaScript:
the answers list names each answer with its question ("Question — Answer"), and a
mismatch is a form error. Publishing checks the same rule again (content.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Choice, Question

ALWAYS = ""
# The admin's select boxes grow with their longest option: keep them inside 1280 px.
QUESTION_CHARS, ANSWER_QUESTION_CHARS = 90, 45


@dataclass(frozen=True)
class AskedQuestion:
    """A choice question a condition can name, with its answers in the check's order."""

    key: str
    text: str
    answers: tuple[tuple[str, str], ...]


def asked_questions(questions: Iterable[Question]) -> list[AskedQuestion]:
    return [
        AskedQuestion(question.key, question.text, tuple((c.key, c.text) for c in question.choices.all()))
        for question in questions
    ]


def answer_value(question_key: str, choice_key: str) -> str:
    # Keys hold no dot (models.key_validator), so the pair splits back unambiguously.
    return f"{question_key}.{choice_key}"


class ConditionWidget(forms.MultiWidget):
    """The question dropdown, then the list of answers with a label of its own."""

    # The admin labels a field with <label>, not a fieldset's <legend>: the field's label
    # names the question box, and the answers box carries its own.
    use_fieldset = False

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_

    def __init__(self, question_choices=(), answer_choices=(), attrs=None):
        questions = forms.Select(choices=question_choices)
        answers = forms.SelectMultiple(attrs={"size": 8}, choices=answer_choices)
        super().__init__([questions, answers], attrs)

    def decompress(self, value):
        if not isinstance(value, dict) or not value.get("question"):
            return [ALWAYS, []]
        question = value["question"]
        return [question, [answer_value(question, choice) for choice in value.get("choices") or []]]

    def render(self, name, value, attrs=None, renderer=None):
        """Each box with its own label (a MultiWidget has one label, for its first box), and
        both described by the field's help text."""
        attrs = self.build_attrs(self.attrs, attrs)
        widget_id = attrs.pop("id", f"id_{name}")
        values = value if isinstance(value, list) else self.decompress(value)
        described = {"aria-describedby": f"{widget_id}_0_helptext"}
        question, answers = self.widgets
        return format_html(
            '<div class="condition">{}<label class="condition-answers" for="{}_1">{}</label>{}</div>',
            question.render(f"{name}_0", values[0], {**attrs, **described, "id": f"{widget_id}_0"}, renderer),
            widget_id,
            _("Answered with any of"),
            answers.render(f"{name}_1", values[1], {**attrs, **described, "id": f"{widget_id}_1"}, renderer),
        )


class ConditionField(forms.MultiValueField):
    """A condition on an answer, cleaned to the stored JSON shape (or None for "always")."""

    widget = ConditionWidget
    default_error_messages = {
        "no_answers": _("Pick at least one answer of “%(question)s”, or set the question to “Always”."),
        "no_question": _("Pick the question these answers belong to, or unselect them."),
        "other_question": _("Not answers of “%(question)s”: “%(answers)s”. Pick only answers of that question."),
    }

    def __init__(self, questions: list[AskedQuestion], **kwargs):
        self.questions = {question.key: question for question in questions}
        question_choices = [(ALWAYS, _("Always (no condition)"))] + [
            (question.key, Truncator(question.text).chars(QUESTION_CHARS)) for question in questions
        ]
        answer_choices = [
            (
                answer_value(question.key, choice_key),
                f"{Truncator(question.text).chars(ANSWER_QUESTION_CHARS)} — {choice_text}",
            )
            for question in questions
            for choice_key, choice_text in question.answers
        ]
        fields = (
            forms.ChoiceField(
                choices=question_choices,
                required=False,
                error_messages={"invalid_choice": _("“%(value)s” cannot be chosen here: pick a listed question.")},
            ),
            forms.MultipleChoiceField(choices=answer_choices, required=False),
        )
        kwargs.setdefault("label", _("Question"))
        kwargs["widget"] = ConditionWidget(question_choices, answer_choices)
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        question_key, answers = [*data_list, ALWAYS, []][:2]
        answers = answers or []
        if not question_key:
            if answers:
                raise ValidationError(self.error_messages["no_question"], code="no_question")
            return None
        question = self.questions[question_key]
        if not answers:
            raise ValidationError(
                self.error_messages["no_answers"], code="no_answers", params={"question": question.text}
            )
        own = {answer_value(question.key, choice_key): choice_key for choice_key, _text in question.answers}
        foreign = [answer for answer in answers if answer not in own]
        if foreign:
            named = "”, “".join(self._answer_text(answer) for answer in foreign)
            raise ValidationError(
                self.error_messages["other_question"],
                code="other_question",
                params={"answers": named, "question": question.text},
            )
        # In the question's own order, whatever order the browser sent them in.
        return {"question": question.key, "choices": [key for value, key in own.items() if value in answers]}

    def _answer_text(self, value: str) -> str:
        question_key, _dot, choice_key = value.partition(".")
        question = self.questions.get(question_key)
        texts = dict(question.answers) if question else {}
        return texts.get(choice_key, value)


def _choice_questions():
    choices = Prefetch("choices", queryset=Choice.objects.order_by("order", "key"))
    questions = Question.objects.exclude(kind=Question.Kind.SCALE).prefetch_related(choices)
    return sorted(questions, key=lambda question: question.place)


class ConditionFormMixin(forms.ModelForm):
    """`show_if` as two dropdowns, offering the active questions `may_name` allows, and
    the one a stored condition names whatever it has become (so the form shows what is
    stored rather than silently dropping it; clean() or publishing says what is wrong)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "show_if" in self.fields:
            stored = self.instance.show_if
            stored_key = stored.get("question") if isinstance(stored, dict) else None
            offered = [
                question
                for question in _choice_questions()
                if question.key == stored_key or (question.is_active and self.may_name(question))
            ]
            self.fields["show_if"] = ConditionField(asked_questions(offered), help_text=self.condition_help)

    condition_help: str | Promise = ""

    def may_name(self, question: Question) -> bool:
        return True


class TipConditionForm(ConditionFormMixin):
    """A tip is read after the whole check: its condition may name any question."""

    condition_help = _(
        "Show this tip only to people who gave one of these answers. Leave the question on "
        "“Always” to show it to everyone its cause groups point to. Hold Ctrl (⌘ on a Mac) to "
        "pick more than one answer."
    )


class QuestionConditionForm(ConditionFormMixin):
    """A question's condition names a question asked before it."""

    condition_help = _(
        "Ask this question only after one of these answers. Only questions asked before this "
        "one are listed. Leave the question on “Always” to always ask it. Hold Ctrl (⌘ on a "
        "Mac) to pick more than one answer."
    )

    def may_name(self, question: Question) -> bool:
        if self.instance.pk is None:
            return True  # its place is known once saved: clean() checks it
        return question.place < self.instance.place

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        condition = cleaned.get("show_if")
        if condition and {"section", "order"} <= set(cleaned):
            place = Question.place_in_check(cleaned["section"], cleaned["order"], cleaned.get("key", self.instance.key))
            named = Question.objects.get(key=condition["question"])
            if named.pk == self.instance.pk or named.place >= place:
                self.add_error(
                    "show_if",
                    ValidationError(
                        _("“%(question)s” is not asked before this question: pick an earlier one."),
                        code="not_earlier",
                        params={"question": named.text},
                    ),
                )
        return cleaned
