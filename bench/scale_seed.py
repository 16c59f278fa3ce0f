"""Issue 28, part 2: a clinic that has used BackCare for two years, in a PostgreSQL database
of its own (`backcare_scale`; never the `test` database the test runs use).

1,000,000 results from 100,000 devices over two years, across four published content
versions (each six months), made by PostgreSQL itself: a few hundred real answer sets,
scored by the server's own scorer, are put in a temporary table, and one
`INSERT ... SELECT ... FROM generate_series` spreads them over the rows. Plus idle devices
without results for `prune_devices` to find. Takes a few minutes; reused by later runs.

    .venv/bin/python bench/scale_seed.py            # seed if the table is not already full
    .venv/bin/python bench/scale_seed.py --reseed   # empty it and seed again
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BASE_DIR, POSTGRES_ADMIN_URL, SECRET_KEY, progress
from harness import production_server as production_server_parts

PART = "scale_server"
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "backcare_scale")
RESULTS = int(os.environ.get("BENCH_SCALE_RESULTS", "1000000"))
DEVICES = int(os.environ.get("BENCH_SCALE_DEVICES", "100000"))
IDLE_DEVICES = 5000  # registered two months ago, never synced: what prune_devices deletes
VERSIONS = 4
TEMPLATES_PER_VERSION = 60
DAYS = 730
MISMATCH_EVERY = 997  # about 0.1% of results where the phone showed another urgency


def database_url(name: str = DATABASE) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def bench_environment(url: str) -> dict[str, str]:
    """The app's settings for this process and its manage.py children: production-like
    (DEBUG off), the test client's host allowed, no HTTPS redirect, throttles out of the way."""
    return production_server_parts.clean_environment(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DATABASE_URL=url,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(BASE_DIR / "bench" / "results" / "scale-static"),
        THROTTLE_RESULTS="1000000/minute",
        THROTTLE_DEVICES="1000000/minute",
        LOG_LEVEL="WARNING",
        DB_STATEMENT_TIMEOUT_MS="600000",
    )


def ensure_database(name: str = DATABASE) -> str:
    """Create the database if it is missing, migrate it and load the content; its URL."""
    import psycopg

    if name == "test":
        raise SystemExit("refusing to use the test suite's database")
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    env = bench_environment(url)
    if not (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():  # the admin's pages need them
        production_server_parts.manage(env, "collectstatic", "--noinput")
    production_server_parts.manage(env, "migrate", "--noinput")
    production_server_parts.manage(env, "seed_content")
    return url


def setup_django(url: str) -> None:
    os.environ.update(bench_environment(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
    import django

    django.setup()


def publish_versions() -> list:
    """Up to VERSIONS published versions, each with a cause group renamed (so a result's
    labels come from its own version, as they would after years of edits)."""
    from quiz import services
    from quiz.models import CauseGroup, ContentVersion

    while ContentVersion.objects.count() < VERSIONS:
        group = CauseGroup.objects.order_by("order", "key").first()
        group.name = f"{group.name.split(' (')[0]} (rev {ContentVersion.objects.count() + 1})"
        group.save(update_fields=["name"])
        services.content_publish()
    return list(ContentVersion.objects.order_by("number"))


def random_answers(snapshot: dict, rng: random.Random) -> dict:
    """A person's answers as the phone would collect them: each shown question answered,
    warning screens mostly "None of these", the check ending at an emergency answer."""
    from quiz import scoring

    answers: dict = {}
    while True:
        shown = [q for q in scoring.visible_questions(snapshot, answers) if q["key"] not in answers]
        if not shown:
            return answers
        question = shown[0]
        if question["kind"] == "scale":
            answers[question["key"]] = rng.randint(question["scale_min"], question["scale_max"])
            continue
        keys = [choice["key"] for choice in question["choices"]]
        if question["kind"] == "single":
            answers[question["key"]] = rng.choice(keys)
            continue
        exclusive = [c["key"] for c in question["choices"] if c.get("exclusive")]
        if question["section"] == "warning" and exclusive and rng.random() < 0.85:
            answers[question["key"]] = exclusive[:1]
            continue
        plain = [key for key in keys if key not in exclusive]
        picked = rng.sample(plain, k=min(len(plain), rng.randint(1, 2)))
        answers[question["key"]] = picked
        if any(scoring.stops_quiz(snapshot, question["key"], key) for key in picked):
            return answers


def templates(versions: list) -> list[tuple]:
    """(index, version id, answers, outcome, urgency, cause keys, language) rows."""
    import json

    from quiz import scoring
    from quiz.models import Result

    rng = random.Random(28)
    rows = []
    for version_index, version in enumerate(versions):
        made = 0
        while made < TEMPLATES_PER_VERSION:
            answers = random_answers(version.snapshot, rng)
            try:
                outcome = scoring.score(version.snapshot, answers)
            except scoring.AnswerError:
                continue
            rows.append(
                (
                    version_index * TEMPLATES_PER_VERSION + made,
                    version.pk,
                    json.dumps(answers),
                    json.dumps(outcome),
                    outcome["urgency"],
                    Result.encode_cause_keys(outcome),
                    "zh-hans" if made % 5 == 0 else "en",
                )
            )
            made += 1
    return rows


def seed(url: str, *, reseed: bool) -> dict:
    """Fill the tables unless they hold the expected rows already; what it did and took."""
    import psycopg
    from django.db.models import Sum

    from quiz.models import Device, Result, ResultDailyCount

    present = Result.objects.count()
    if present == RESULTS and not reseed:
        progress(PART, f"{present} results already seeded in {DATABASE}")
        counted = ResultDailyCount.objects.aggregate(total=Sum("results"))["total"]
        if counted != present:  # seeded by a release that did not count them
            _rebuild_counts(url)
        return {"seeded_now": False, "results": present, "devices": Device.objects.count()}
    versions = publish_versions()
    rows = templates(versions)
    started = time.monotonic()
    with psycopg.connect(url, autocommit=False) as connection:
        connection.execute("SET synchronous_commit = off")
        connection.execute("TRUNCATE quiz_result, quiz_device RESTART IDENTITY CASCADE")
        connection.execute(
            "CREATE TEMP TABLE template (k int, version_id int, answers jsonb, outcome jsonb, urgency text, "
            "cause_keys text, language text) ON COMMIT DROP"
        )
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO template VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        progress(PART, f"{len(rows)} scored answer sets over {len(versions)} versions; inserting devices")
        _insert_devices(connection)
        progress(PART, f"inserting {RESULTS} results")
        _insert_results(connection)
        connection.commit()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE quiz_result")
        connection.execute("VACUUM ANALYZE quiz_device")
    _rebuild_counts(url)
    took = time.monotonic() - started
    progress(PART, f"seeded {RESULTS} results in {took:.0f} s")
    return {"seeded_now": True, "seed_seconds": round(took, 1), "results": RESULTS, "devices": DEVICES}


def _rebuild_counts(url: str) -> None:
    """What an operator does after loading results by hand (docs/DEPLOY.md): the admin
    list's and the dashboard's counts come from the daily counts."""
    import psycopg

    from quiz import services

    progress(PART, "rebuilding the daily counts")
    services.result_counts_rebuild()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE quiz_resultdailycount")


def _insert_devices(connection) -> None:
    # Devices that synced: registered over the two years, last seen near their last result.
    # Then the idle ones: registered and last seen 60 days ago, no result ever.
    connection.execute(
        """
        INSERT INTO quiz_device (public_id, token_hash, created_at, last_seen_at)
        SELECT md5('device' || i)::uuid, encode(sha256(('token' || i)::bytea), 'hex'),
               now() - make_interval(days => %(days)s) + (i %% 1000) * interval '1 minute',
               now() - (i %% 30) * interval '1 day'
        FROM generate_series(0, %(devices)s - 1) AS i
        ORDER BY i
        """,
        {"days": DAYS, "devices": DEVICES},
    )
    _insert_idle_devices(connection)


def _insert_idle_devices(connection) -> None:
    connection.execute(
        """
        INSERT INTO quiz_device (public_id, token_hash, created_at, last_seen_at)
        SELECT md5('idle' || i)::uuid, encode(sha256(('idle-token' || i)::bytea), 'hex'),
               now() - interval '60 days', now() - interval '60 days'
        FROM generate_series(0, %(idle)s - 1) AS i
        """,
        {"idle": IDLE_DEVICES},
    )


def _insert_results(connection) -> None:
    # Row i is completed at i/RESULTS of the way through the two years (rows arrive in time
    # order, as they do), by device i mod DEVICES, in the version current then, with one of
    # that version's scored answer sets picked by a multiplicative hash of i.
    connection.execute(
        """
        INSERT INTO quiz_result (uuid, device_id, content_version_id, answers, client_outcome,
            server_outcome, urgency, client_urgency, verdict_mismatch, cause_keys, payload_hash,
            batch_id, completed_at, language, received_at)
        SELECT md5('result' || i)::uuid,
               (SELECT min(id) FROM quiz_device) + (i %% %(devices)s),
               t.version_id, t.answers,
               CASE WHEN i %% %(mismatch)s = 0 THEN jsonb_set(t.outcome, '{urgency}', '"soon"') ELSE t.outcome END,
               t.outcome, t.urgency,
               CASE WHEN i %% %(mismatch)s = 0 THEN 'soon' ELSE t.urgency END,
               i %% %(mismatch)s = 0 AND t.urgency <> 'soon',
               t.cause_keys,
               encode(sha256(('payload' || i)::bytea), 'hex'),
               md5('batch' || (i / 5))::uuid,
               c.completed_at, t.language, c.completed_at + interval '3 minutes'
        FROM generate_series(0, %(results)s - 1) AS i
        CROSS JOIN LATERAL (
            SELECT now() - make_interval(days => %(days)s)
                   + (i::float8 / %(results)s) * make_interval(days => %(days)s) AS completed_at
        ) AS c
        JOIN template AS t
          ON t.k = (i * %(versions)s / %(results)s) * %(per_version)s + ((i * 2654435761) %% %(per_version)s)
        ORDER BY i
        """,
        {
            "devices": DEVICES,
            "results": RESULTS,
            "days": DAYS,
            "versions": VERSIONS,
            "per_version": TEMPLATES_PER_VERSION,
            "mismatch": MISMATCH_EVERY,
        },
    )


def main() -> int:
    url = ensure_database()
    setup_django(url)
    seed(url, reseed="--reseed" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
