"""Back up and restore: the backup CronJob's own script dumps a database holding a bank and
finished jobs, and pg_restore brings all of it back in a fresh database on the same server.

The client tools are the embedded PostgreSQL 16's (pgserver ships them): the system's are
older than the server, and pg_dump refuses a newer server.
"""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pgserver
import psycopg
import pytest
import yaml
from django.db import connection
from django.utils import timezone

from generation.models import GeneratedQuestion, Job, ModelCall, Stage
from generation.tests.builders import make_job
from questions.models import EMBEDDING_DIMENSIONS, Question
from questions.tests.builders import make_question

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"


def _backup_container() -> dict:
    (cronjob,) = [
        doc
        for doc in yaml.safe_load_all((ROOT / "k8s" / "backup.yaml").read_text())
        if doc["kind"] == "CronJob"
    ]
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container


def _uri(dbname: str) -> str:
    """A libpq URI for dbname on the test server, the form DATABASE_URL takes."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"], settings["PORT"]
    if host.startswith("/"):  # a socket directory, as the embedded server has
        return f"postgresql://{user}{password}@/{dbname}?host={quote(host, safe='')}" + (
            f"&port={port}" if port else ""
        )
    return f"postgresql://{user}{password}@{host}:{port or 5432}/{dbname}"


def _vector(seed: int) -> list[float]:
    return [((seed * 7 + i * 13) % 17 - 8) / 8 for i in range(EMBEDDING_DIMENSIONS)]


def _fill_bank_and_finished_jobs() -> list[Question]:
    bank = [make_question(stem=rf"If \(x + {n} = {n + 5}\), what is \(x\)?") for n in range(4)]
    for seed, question in enumerate(bank):
        Question.objects.filter(pk=question.pk).update(embedding=_vector(seed))
    for _ in range(2):
        job = make_job(count=2)
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, started_at=now, finished_at=now, cost_usd=Decimal("0.0123")
        )
        job.stages.update(status=Stage.Status.SUCCEEDED, started_at=now, finished_at=now)
        for position in (1, 2):
            GeneratedQuestion.objects.create(
                job=job,
                position=position,
                status=GeneratedQuestion.Status.PASSED,
                stem=f"Generated question {position} of job {job.pk}",
                choices=["1", "2", "3", "4"],
                key="B",
                validation={"passed": True},
            )
        for stage in ("extract", "generate", "validate"):
            ModelCall.objects.create(
                job=job,
                stage=stage,
                purpose=stage,
                model="claude-sonnet-5-5",
                outcome="ok",
                input_tokens=1200,
                output_tokens=300,
                cost_usd=Decimal("0.0041"),
            )
    return bank


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _fingerprint(uri: str) -> dict[str, tuple[int, str | None]]:
    """Return {table: (row count, md5 of every row's text)}: equal means the same content."""
    with psycopg.connect(uri) as db, db.cursor() as cursor:
        result: dict[str, tuple[int, str | None]] = {}
        for table in _tables(cursor):
            rows = "md5(string_agg(t::text, '|' ORDER BY t::text))"
            cursor.execute(f'SELECT count(*), {rows} FROM "{table}" t')
            row = cursor.fetchone()
            assert row is not None  # an aggregate always returns one row
            result[table] = row
        return result


def _run_backup(directory: Path, url_file: Path, keep: int) -> subprocess.CompletedProcess:
    container = _backup_container()
    assert container["command"][:2] == ["sh", "-c"]
    env = {e["name"]: e["value"] for e in container["env"]}
    env.update(
        DATABASE_URL_FILE=str(url_file),
        BACKUP_DIR=str(directory),
        BACKUP_KEEP=str(keep),
        PATH=f"{PG_BIN}{os.pathsep}{os.environ['PATH']}",
    )
    return subprocess.run(
        container["command"], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_the_bank_and_finished_jobs_into_a_fresh_database(tmp_path):
    bank = _fill_bank_and_finished_jobs()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"

    # The CronJob's script, with three older dumps and a file that is not a dump beside it.
    backups = tmp_path / "backups"
    backups.mkdir()
    for old in ("satgen-20200101T000000Z.dump", "satgen-20200102T000000Z.dump"):
        (backups / old).write_bytes(b"old")
    (backups / "README").write_text("not a dump")
    url_file = tmp_path / "DATABASE_URL"
    url_file.write_text(_uri(source))
    result = _run_backup(backups, url_file, keep=2)
    assert result.returncode == 0, result.stderr
    assert _uri(source) not in result.stdout + result.stderr  # the password never in a log
    dumps = sorted(p.name for p in backups.glob("satgen-*.dump"))
    assert len(dumps) == 2 and dumps[0] == "satgen-20200102T000000Z.dump"  # the oldest went
    assert (backups / "README").exists() and not list(backups.glob("*.partial"))
    dump = backups / dumps[1]
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    admin = _uri("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        db.execute(f'CREATE DATABASE "{restored}"')
    try:
        restore = subprocess.run(
            [
                str(PG_BIN / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_uri(restored)}",
                str(dump),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restore.returncode == 0, restore.stderr

        before, after = _fingerprint(_uri(source)), _fingerprint(_uri(restored))
        assert after == before
        counts = {table: count for table, (count, _) in after.items()}
        assert counts[Question._meta.db_table] == len(bank)
        assert counts[Job._meta.db_table] == 2
        assert counts[Stage._meta.db_table] == 2 * 5
        assert counts[GeneratedQuestion._meta.db_table] == 4
        assert counts[ModelCall._meta.db_table] == 6
        assert counts["django_migrations"] > 0 and "procrastinate_jobs" in counts

        with psycopg.connect(_uri(restored)) as db, db.cursor() as cursor:
            # Similarity search works on the restored bank, through its HNSW index.
            probe = "[" + ",".join(str(x) for x in _vector(2)) + "]"
            cursor.execute(
                f"SELECT external_id FROM {Question._meta.db_table} "
                "ORDER BY embedding <=> %s::vector LIMIT 1",
                [probe],
            )
            assert cursor.fetchone() == (bank[2].external_id,)
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'question_embedding_hnsw'"
            )
            index = cursor.fetchone()
            assert index is not None
            assert "hnsw" in index[0]
            # Sequences come back too: the next row does not collide with a restored one.
            cursor.execute(
                f"SELECT max(id) < nextval(pg_get_serial_sequence('{Job._meta.db_table}', 'id')) "
                f"FROM {Job._meta.db_table}"
            )
            assert cursor.fetchone() == (True,)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_the_backup_runs_nightly_without_overlap_and_keeps_its_dumps_on_a_volume():
    docs = list(yaml.safe_load_all((ROOT / "k8s" / "backup.yaml").read_text()))
    (cronjob,) = [d for d in docs if d["kind"] == "CronJob"]
    (claim,) = [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid" and spec["timeZone"]
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    container = _backup_container()
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    env = {e["name"]: e["value"] for e in container["env"]}
    backup_volume = volumes[mounts[env["BACKUP_DIR"]]]
    assert backup_volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert int(env["BACKUP_KEEP"]) >= 7
    assert "--format=custom" in container["command"][2]
    # Its pg_dump is at least as new as the PostgreSQL the compose file runs.
    dump_major = int(container["image"].split(":")[1].split(".")[0])
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    server_major = int(compose["services"]["db"]["image"].rsplit("-pg", 1)[1])
    assert dump_major >= server_major
