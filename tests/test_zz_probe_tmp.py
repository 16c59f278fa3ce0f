import copy, pytest
from sync_helpers import CALM_ANSWERS, post_results, register, result_item
from quiz.models import ContentVersion
from quiz import services

def breakers():
    def urgency(s):
        q = next(q for q in s["questions"] if q["key"] == "w_urgent"); q["choices"][0]["urgency"] = "critical"
    def kind(s):
        q = next(q for q in s["questions"] if q["key"] == "h_sitting"); q["kind"] = "ranking"
    def section(s):
        q = next(q for q in s["questions"] if q["key"] == "h_sitting"); q["section"] = "extras"
    def weight(s):
        for q in s["questions"]:
            for c in q["choices"]:
                for g in c["weights"]: c["weights"][g] = 1000
    def scale(s):
        q = next(q for q in s["questions"] if q["key"] == "h_pain_now"); q["scale_min"], q["scale_max"] = 8, 2
    return dict(urgency=urgency, kind=kind, section=section, weight=weight, scale=scale)

@pytest.mark.parametrize("name", list(breakers()))
def test_probe(client, published, name):
    s = copy.deepcopy(published.snapshot); breakers()[name](s); s["version"] = 2
    ContentVersion.objects.create(number=2, content_hash="x"*64, snapshot=s)
    services._RULES.clear()
    token = register(client)[1]
    answers = dict(CALM_ANSWERS)
    if name == "urgency":
        answers["w_urgent"] = [next(q for q in s["questions"] if q["key"] == "w_urgent")["choices"][0]["key"]]
    item = result_item(published.snapshot, answers); item["content_version"] = 2; item["outcome"]["content_version"] = 2
    client.raise_request_exception = False
    r = post_results(client, token, [item])
    print(name, r.status_code, r.content[:300])
