"""`manage.py prune_devices`: empty devices left behind by lost registration replies go;
devices with results, and recent ones, stay; a pruned phone registers again."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from sync_helpers import post_results, register, result_item, token_header

from quiz.models import Device


def age(device_id: str, *, days: int, seen: bool) -> None:
    then = timezone.now() - timedelta(days=days)
    Device.objects.filter(public_id=device_id).update(created_at=then, last_seen_at=then if seen else None)


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_devices", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def devices(client, published):
    """Four phones: old and empty (never seen / seen long ago), old with a result, new and empty."""
    orphan, _ = register(client)
    idle, _ = register(client)
    keeper, keeper_token = register(client)
    assert post_results(client, keeper_token, [result_item(published.snapshot)]).status_code == 200
    newcomer, _ = register(client)
    age(orphan, days=40, seen=False)
    age(idle, days=40, seen=True)
    age(keeper, days=400, seen=True)
    age(newcomer, days=2, seen=False)
    return {"orphan": orphan, "idle": idle, "keeper": keeper, "newcomer": newcomer}


def stored_devices() -> set[str]:
    return {str(public_id) for public_id in Device.objects.values_list("public_id", flat=True)}


def test_it_deletes_only_old_devices_that_hold_no_results(devices):
    assert prune() == "Deleted 2 idle devices without results.\n"

    assert stored_devices() == {devices["keeper"], devices["newcomer"]}


def test_a_dry_run_counts_and_deletes_nothing(devices):
    assert prune("--dry-run") == "2 idle devices without results would be deleted.\n"

    assert len(stored_devices()) == 4


def test_the_idle_period_can_be_chosen(devices):
    prune("--days", "1")

    assert stored_devices() == {devices["keeper"]}


def test_it_refuses_an_idle_period_under_a_day(devices):
    with pytest.raises(CommandError, match="--days must be at least 1"):
        prune("--days", "0")


def test_a_pruned_phone_is_told_to_register_again(client, published):
    device_id, token = register(client)
    age(device_id, days=40, seen=True)
    prune()

    response = client.get("/api/results/", headers=token_header(token))

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
