"""The content lists lead with what people read (a question's text, a tip's title, a cause
group's name), each row linked by it; the key follows in a quieter column of its own."""

import re

import pytest
from django.urls import reverse

from quiz.models import CauseGroup, Choice, Question, Tip, TipCategory

# Each content list, and the field it must lead with.
READABLE_FIRST = {Question: "text", Choice: "text", Tip: "title", CauseGroup: "name", TipCategory: "name"}


@pytest.mark.parametrize("model", READABLE_FIRST, ids=lambda model: model.__name__)
def test_each_content_list_leads_with_readable_text_and_ends_with_the_key(admin_client, published, model):
    response = admin_client.get(reverse(f"admin:quiz_{model._meta.model_name}_changelist"))
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", response.content.decode(), re.S).group(1)
    cells = re.findall(r'<t[hd] class="(field-[\w_]+|action-checkbox)"[^>]*>(.*?)</t[hd]>', first_row, re.S)
    columns = [name for name, _html in cells if name != "action-checkbox"]

    assert columns[0] == f"field-{READABLE_FIRST[model]}"
    assert columns[-1] == "field-key"
    leading = dict(cells)[columns[0]]
    item = model.objects.get(pk=re.search(r"/(\d+)/change/", leading).group(1))
    assert getattr(item, READABLE_FIRST[model])[:20] in leading
