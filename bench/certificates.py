"""Certificate benchmarks (issue 8), each figure printed with its goal and met / not met.

(a) One Chinese certificate rendered and signed in a warm process, against the floor measured
    in the same run: the same template in Latin text (English UI, Latin names), unsigned.
    Ratio (goal <= 3x), median (goal <= 150 ms), signed PDF size (goal <= 200 KB), and the
    process's resident memory growth over ``BENCH_RENDERS`` renders (default 1,000; goal < 10%).
(b) Bulk print of ``BENCH_PRINT`` certificates (default 1,000; format ``BENCH_PRINT_FORMAT``,
    default pdf) by real Celery workers on the ``certificates`` queue: certificates per second
    with one worker process and with two (goal: the second adds >= 60% of the first's).
    The certificates share one stored signed PDF (rendering 1,000 first is (a)'s business).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

RENDERS = int(os.environ.get("BENCH_RENDERS", "1000"))
PRINT_COUNT = int(os.environ.get("BENCH_PRINT", "1000"))
PRINT_FORMAT = os.environ.get("BENCH_PRINT_FORMAT", "pdf")
SAMPLES = 15
PREFIX = "benchcert_"
YEAR = 2024


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _certificate(*, latin: bool) -> Any:
    from certificates.models import Certificate

    series = [
        {
            "code": "engineering",
            "name": "Engineering" if latin else "工程",
            "required": "56.0",
            "earned": "60.0",
        }
    ]
    records = [
        {
            "title": f"Course {i}" if latin else f"建筑结构抗震设计新规范专题培训（第{i}期）",
            "category": "professional",
            "series": series[0]["name"],
            "hours": "8.0",
            "start_date": "2024-03-01",
            "end_date": "2024-03-02",
            "institution": "Training Centre" if latin else "广州市继续教育学院",
        }
        for i in range(12)
    ]
    return Certificate(
        number="2024-440100-000123",
        check_code="K7M2Q9XD",
        year=YEAR,
        person_name="Zhang Sanfeng" if latin else "张三丰",
        masked_id_number="440105********0010",
        employer_name="Example Design Institute" if latin else "广州市示例工程设计研究院",
        hours={
            "public": {"required": "12.0", "earned": "14.0"},
            "elective": {"required": "12.0", "earned": "16.0"},
            "professional": {"required": "56.0", "earned": "60.0"},
            "series": series,
        },
        records=records,
        issued_at=timezone.now(),
    )


def bench_render() -> bool:
    from certificates.pdf import gc_freeze_after_first_render, render_certificate_pdf
    from certificates.signing import keys_init, sign_pdf

    keys_init()
    gc_freeze_after_first_render()  # as each Celery worker process does (worker_process_init)
    chinese, latin = _certificate(latin=False), _certificate(latin=True)

    def signed() -> bytes:
        return sign_pdf(render_certificate_pdf(chinese))

    def floor() -> bytes:
        return render_certificate_pdf(latin, language="en")

    for _ in range(3):  # warm: fonts loaded, templates compiled, key read
        signed()
        floor()
    times: dict[str, list[float]] = {"signed": [], "floor": []}
    for _ in range(SAMPLES):  # interleaved, so a noisy neighbour hits both alike
        for name, work in (("signed", signed), ("floor", floor)):
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    median = statistics.median(times["signed"])
    floor_median = statistics.median(times["floor"])
    ratio = median / floor_median
    size = len(signed())
    print(
        f"certificate, Chinese, rendered + signed: median {median * 1000:.0f} ms vs Latin "
        f"unsigned floor {floor_median * 1000:.0f} ms = {ratio:.1f}x (goal <= 3x) "
        f"{_verdict(ratio <= 3)}",
        flush=True,
    )
    print(f"  median {median * 1000:.0f} ms (goal <= 150 ms) {_verdict(median <= 0.150)}")
    print(f"  signed PDF {size / 1024:.0f} KB (goal <= 200 KB) {_verdict(size <= 200 * 1024)}")
    before = _rss_kib()
    started = time.perf_counter()
    for _ in range(RENDERS):
        signed()
    after = _rss_kib()
    growth = (after - before) / before * 100
    print(
        f"  memory over {RENDERS:,} renders: RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB"
        f" = {growth:+.1f}% (goal < 10%) {_verdict(growth < 10)}"
        f" ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return ratio <= 3 and median <= 0.150 and size <= 200 * 1024 and growth < 10


# --- (b) bulk print ----------------------------------------------------------------------------


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _clean(employer_id: int) -> None:
    """Remove the bench's certificates, persons and print jobs (audit entries stay)."""
    from certificates.models import BulkPrintJob

    persons = f"SELECT id FROM accounts_person WHERE id_number LIKE '{PREFIX.upper()}%%'"
    for job in BulkPrintJob.objects.filter(organisation_id=employer_id):
        job.file.delete(save=False)
        for part in job.parts.all():
            part.file.delete(save=False)
        job.parts.all().delete()
        job.delete()
    _sql(f"DELETE FROM certificates_certificate WHERE person_id IN ({persons})")
    _sql(f"DELETE FROM accounts_employment WHERE person_id IN ({persons})")
    _sql(f"DELETE FROM accounts_person WHERE id IN ({persons})")
    _sql("DELETE FROM accounts_user WHERE username LIKE %s", [PREFIX + "%"])


def _generate(employer_id: int, pdf_name: str) -> None:
    _sql(
        """
        INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
        SELECT '!', false, %s || g, '', '', '', false, true, now() FROM generate_series(1, %s) g
        """,
        [PREFIX, PRINT_COUNT],
    )
    _sql(
        """
        INSERT INTO accounts_person (user_id, real_name, id_number, phone, created_at)
        SELECT u.id, '测试' || u.id, %s || lpad(u.id::text, 8, '0'), '13900000000', now()
        FROM accounts_user u WHERE u.username LIKE %s
        """,
        [PREFIX.upper(), PREFIX + "%"],
    )
    persons = f"SELECT id, real_name FROM accounts_person WHERE id_number LIKE '{PREFIX.upper()}%%'"
    _sql(
        f"""
        INSERT INTO accounts_employment (person_id, employer_id, status, reason, requested_at,
            decided_at)
        SELECT id, %s, 'confirmed', '', now(), now() FROM ({persons}) p
        """,
        [employer_id],
    )
    _sql(
        f"""
        INSERT INTO certificates_certificate (number, check_code, person_id, year, employer_id,
            person_name, masked_id_number, employer_name, status, reissue_reason,
            revocation_reason, issued_at, pdf, sha256, hours, records, revoked_manually)
        SELECT %s || lpad(p.id::text, 8, '0'), 'BENCH234', p.id, %s, %s, p.real_name,
            '', '', 'valid', '', '', now(), %s, '', '{{}}', '[]', false
        FROM ({persons}) p
        """,
        [f"{YEAR}-BENCH-", YEAR, employer_id, pdf_name],
    )


def _worker(concurrency: int) -> subprocess.Popen[bytes]:
    log = open(Path(settings.BASE_DIR) / "var" / f"bench-worker-{concurrency}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "certificates",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "-n",
            f"bench{concurrency}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by process ``root`` and its children (the
    prefork pool), from /proc: on a shared machine it tells starved from slow."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _ready(app: Any, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[name], timeout=0.5):
            return
        time.sleep(0.5)
    raise RuntimeError(f"worker {name} did not start")


def _print_rate(employer: Any, admin: Any, concurrency: int) -> float:
    from certificates.services.bulk_print import bulk_print_start
    from portal.celery import app

    worker = _worker(concurrency)
    try:
        _ready(app, f"bench{concurrency}@localhost")
        cpu_before = _cpu_seconds(worker.pid)  # without the worker's start-up
        started = time.perf_counter()
        job = bulk_print_start(actor=admin, organisation=employer, year=YEAR, format=PRINT_FORMAT)
        while True:
            job.refresh_from_db()
            if job.status in ("finished", "failed"):
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(worker.pid) - cpu_before
    finally:
        worker.terminate()
        worker.wait(60)
    if job.status != "finished":
        raise RuntimeError(f"bulk print failed: {job.error}")
    size = job.file.size
    rate = job.total / seconds
    print(
        f"  {concurrency} worker process{'es' if concurrency > 1 else ''}: {job.total:,} "
        f"certificates in {seconds:.1f} s = {rate:.1f} certificates/s ({size / 2**20:.0f} MB "
        f"{PRINT_FORMAT}); workers' CPU {cpu:.1f} s = {job.total / cpu:.0f} certificates per "
        f"CPU-second, {cpu / seconds:.2f} CPUs busy on average",
        flush=True,
    )
    return rate


def bench_bulk_print() -> bool:
    from bench.run import _employer, broker_purge
    from certificates.pdf import render_certificate_pdf
    from certificates.signing import sign_pdf

    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL.startswith("redis"):
        print("bulk print: skipped: needs Redis and CELERY_TASK_ALWAYS_EAGER=false (make bench)")
        return True
    employer, admin = _employer()  # the demo's or an earlier run's employer, else a new one
    from django.core.files.storage import default_storage

    # The workers below consume the certificates queue: nothing else may be waiting in it.
    broker_purge()

    data = sign_pdf(render_certificate_pdf(_certificate(latin=False)))
    _clean(employer.pk)  # a previous run that stopped half-way
    pdf_name = default_storage.save(f"certificates/bench/{PREFIX}shared.pdf", ContentFile(data))
    _generate(employer.pk, pdf_name)
    print(
        f"bulk print of {PRINT_COUNT:,} certificates ({PRINT_FORMAT}, chunks of "
        f"{settings.CERTIFICATE_BULK_CHUNK}):",
        flush=True,
    )
    try:
        one = _print_rate(employer, admin, 1)
        two = _print_rate(employer, admin, 2)
    finally:
        _clean(employer.pk)
        default_storage.delete(pdf_name)
    added = (two - one) / one * 100
    ok = added >= 60
    print(
        f"  the second worker adds {added:.0f}% of the first's throughput (goal >= 60%) "
        f"{_verdict(ok)}",
        flush=True,
    )
    return ok


def run(only: str = "") -> bool:
    """Both benchmarks; ``only`` = "render" or "print" runs one of them."""
    print(f"(machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; shared, noisy)")
    results = []
    if only in ("", "render"):
        results.append(bench_render())
    if only in ("", "print"):
        results.append(bench_bulk_print())
    return all(results)
