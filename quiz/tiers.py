"""The urgency tiers of a check, lowest first: their keys, their order and the words a
person reads for each (the phone's result heading, the admin's lists and the CSV say the
same). Defined once for Python here and once for JavaScript in static/js/tiers.js;
tests/test_tiers.py holds the two equal, in every language.

No Django here, so the pure scorer can read the order too. The labels are English
msgids, translated where shown (`gettext(URGENCY_LABELS[key])`, or lazily in models.py).
"""

from typing import get_args

from .contracts import RaisedUrgency, Urgency


def gettext_noop(message: str) -> str:
    """Mark a label for `makemessages` (it knows this name) without translating it yet."""
    return message


TIERS: tuple[tuple[Urgency, str], ...] = (
    ("self_care", gettext_noop("Self-care")),
    ("soon", gettext_noop("See a doctor soon")),
    ("urgent", gettext_noop("Urgent: get medical advice today")),
    ("emergency", gettext_noop("Emergency: get help now")),
)

URGENCY_ORDER: tuple[Urgency, ...] = tuple(key for key, _label in TIERS)
URGENCY_LABELS: dict[Urgency, str] = dict(TIERS)
# The tiers an answer can raise: every tier but self-care, which is what no sign means.
RAISED_URGENCIES: tuple[RaisedUrgency, ...] = get_args(RaisedUrgency)
