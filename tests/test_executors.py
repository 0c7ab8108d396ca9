"""Where items are read: chunks in the local pool, and a real Dask cluster on loopback (issue 14,
point 2). The Dask tests start a ``LocalCluster`` of 2 worker processes on 127.0.0.1."""

import json
import os
import signal
import socket
import sqlite3
import threading
import time

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.inputs.ingest import IngestOptions, run_batch

from .commands.test_isolation import slow_pdf

CLOCKS = {"created", "at", "started", "finished"}


def _corpus(folder, packages: int = 60) -> None:
    for i in range(packages):
        write_package(
            folder / f"p{i:03d}",
            DemoDoc(number=i + 1, attachments=["붙임.txt"]),
            {"붙임.txt": f"붙임 {i}".encode()},
        )
    (folder / "notes").mkdir()
    (folder / "notes" / "회의록.txt").write_text("회의록\n참석자 홍길동", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    write_package(folder / "q-incomplete", DemoDoc(number=900, attachments=["없음.hwp"]), {})


def _dump(path) -> dict:
    conn = sqlite3.connect(path)
    tables = {}
    for table in ("records", "approvals", "attachments", "sources", "failures"):
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in CLOCKS]
        quoted = ", ".join(f'"{c}"' for c in columns)
        tables[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
    conn.close()
    return tables


def test_a_hanging_item_in_a_chunk_fails_alone(tmp_path):
    """Small items travel in chunks; a chunk that times out is read again item by item, so only
    the slow item is reported and its neighbours are catalogued."""
    src = tmp_path / "src"
    for i in range(40):
        (src / f"m{i:02d}.txt").parent.mkdir(parents=True, exist_ok=True)
        (src / f"m{i:02d}.txt").write_text(f"회의 자료 {i}", encoding="utf-8")
    (src / "m20-slow.pdf").write_bytes(slow_pdf())
    assert (src / "m20-slow.pdf").stat().st_size < 2**20  # small: it travels in a chunk
    catalog = Catalog.create(tmp_path / "c.db")
    report = run_batch(catalog, [src], IngestOptions(jobs=1, timeout=1.5, memory_mb=0))
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report.failed] == [
        ("m20-slow.pdf", "timeout")
    ]
    assert report.added == 40
    order = [r[0] for r in catalog.db.execute("SELECT source_path FROM records ORDER BY id")]
    assert order == sorted(order)  # written in discovery order despite the retry


# -- Dask ---------------------------------------------------------------------------------------

distributed = pytest.importorskip(
    "distributed", reason="the 'distributed' package is not installed"
)


@pytest.fixture(scope="module")
def cluster():
    import dask

    # For the cluster's whole life: a worker the nanny restarts (the killed-worker test) reads
    # the setting again, as `dask worker` started with DASK_DISTRIBUTED__WORKER__DAEMON=False does.
    setting = dask.config.set({"distributed.worker.daemon": False})
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    yield cluster
    cluster.close()
    setting.__exit__(None, None, None)


def test_dask_catalog_equals_the_local_pools(cluster, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path / "inbox")
    for name, extra in (
        ("local", ["--jobs", "2"]),
        ("dask", ["--executor", "dask", "--scheduler", cluster.scheduler_address]),
    ):
        assert cli("init", "--catalog", f"{name}.db").exit_code == 0
        result = cli("ingest", "--catalog", f"{name}.db", "inbox", "--json", *extra)
        assert result.exit_code == 3, result.output  # broken.pdf
        report = json.loads(result.stdout)
        assert report["added"] == 62 and len(report["failed"]) == 1
    local, dask_ = _dump(tmp_path / "local.db"), _dump(tmp_path / "dask.db")
    assert len(local["records"]) == 62
    for table in local:
        assert dask_[table] == local[table], table
    options = (
        sqlite3.connect(tmp_path / "dask.db").execute("SELECT options FROM batches").fetchone()
    )
    assert json.loads(options[0])["executor"] == "dask"


def test_dask_re_run_adds_nothing(cluster, tmp_path):
    _corpus(tmp_path / "inbox", packages=10)
    catalog = Catalog.create(tmp_path / "c.db")
    options = IngestOptions(executor="dask", scheduler=cluster.scheduler_address)
    first = run_batch(catalog, [tmp_path / "inbox"], options)
    again = run_batch(catalog, [tmp_path / "inbox"], options)
    assert first.added == 12 and again.added == 0 and again.unchanged == 12
    # The broken file fails as on the first run: a known failure, not a new one.
    assert again.failed == [] and [f["reason"] for f in again.known_failures] == ["corrupt"]


def test_dask_timeout_is_reported_per_item(cluster, tmp_path):
    src = tmp_path / "src"
    write_package(src / "a", DemoDoc(number=1), {})
    (src / "b-slow.pdf").write_bytes(slow_pdf())
    catalog = Catalog.create(tmp_path / "c.db")
    options = IngestOptions(
        executor="dask", scheduler=cluster.scheduler_address, timeout=1.5, memory_mb=0
    )
    report = run_batch(catalog, [src], options)
    assert report.added == 1
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report.failed] == [
        ("b-slow.pdf", "timeout")
    ]


def test_dask_memory_limit_is_reported_per_item(cluster, tmp_path):
    """The reader on the Dask worker has the memory limit: a hog is too_large, the rest read."""
    from seoulrec.run.demo import pubdoc_xml

    src = tmp_path / "src"
    src.mkdir()
    (src / "a-huge.txt").write_bytes(("가" * 1000 + "\r\n").encode() * 50_000)  # 150 MB
    (src / "b.xml").write_bytes(pubdoc_xml(DemoDoc(number=1)))
    catalog = Catalog.create(tmp_path / "c.db")
    options = IngestOptions(executor="dask", scheduler=cluster.scheduler_address, memory_mb=300)
    report = run_batch(catalog, [src], options)
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report.failed] == [
        ("a-huge.txt", "too_large")
    ]
    assert report.added == 1


def test_a_killed_dask_worker_loses_and_doubles_nothing(cluster, tmp_path):
    src = tmp_path / "src"
    _corpus(src, packages=300)
    catalog = Catalog.create(tmp_path / "c.db")
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = threading.Event()

    def kill_once(result, report):
        if report.items == 40 and not killed.is_set():
            killed.set()
            os.kill(victim, signal.SIGKILL)  # the worker process, mid-batch

    options = IngestOptions(executor="dask", scheduler=cluster.scheduler_address)
    report = run_batch(catalog, [src], options, on_item=kill_once)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it
    client.close()
    assert killed.is_set()
    assert report.added == 302 and [f["reason"] for f in report.failed] == ["corrupt"]
    keys = [r[0] for r in catalog.db.execute("SELECT record_key FROM records")]
    assert len(keys) == len(set(keys)) == 302
    sources = catalog.db.execute("SELECT count(*), count(DISTINCT path) FROM sources").fetchone()
    assert sources == (302, 302)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_refused_before_reading(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path / "inbox", packages=2)
    assert cli("init", "--catalog", "c.db").exit_code == 0
    started = time.monotonic()
    address = f"tcp://127.0.0.1:{_closed_port()}"
    result = cli(
        "ingest", "--catalog", "c.db", "inbox", "--executor", "dask", "--scheduler", address
    )
    assert result.exit_code == 2, result.output
    assert f"the Dask scheduler at {address} does not answer" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 60
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT count(*) FROM batches").fetchone()[0] == 0  # nothing opened


def test_dask_needs_a_scheduler_and_a_known_executor(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _corpus(tmp_path / "inbox", packages=1)
    assert cli("init", "--catalog", "c.db").exit_code == 0
    result = cli("ingest", "--catalog", "c.db", "inbox", "--executor", "dask")
    assert result.exit_code == 2 and "--scheduler" in result.output
    result = cli("ingest", "--catalog", "c.db", "inbox", "--executor", "ray")
    assert result.exit_code == 2 and "local, dask" in result.output


def test_daemonic_dask_workers_are_refused_with_the_fix(tmp_path):
    """Default Dask workers are daemonic and cannot start the reader processes that enforce the
    time and memory limits: refused with the setting that fixes it, before anything is read."""
    from seoulrec.errors import UsageError

    _corpus(tmp_path / "inbox", packages=1)
    catalog = Catalog.create(tmp_path / "c.db")
    import dask

    with (
        dask.config.set({"distributed.worker.daemon": True}),
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as daemonic,
    ):
        options = IngestOptions(executor="dask", scheduler=daemonic.scheduler_address)
        with pytest.raises(UsageError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            run_batch(catalog, [tmp_path / "inbox"], options)
    assert catalog.db.execute("SELECT count(*) FROM batches").fetchone()[0] == 0


def test_dask_into_a_postgresql_catalog(cluster, tmp_path, pg_url):
    """Workers ask PostgreSQL which sources are known; the parent writes; a re-run adds nothing."""
    _corpus(tmp_path / "inbox", packages=20)
    catalog = Catalog.create(pg_url)
    options = IngestOptions(executor="dask", scheduler=cluster.scheduler_address)
    first = run_batch(catalog, [tmp_path / "inbox"], options)
    again = run_batch(catalog, [tmp_path / "inbox"], options)
    assert first.added == 22 and again.unchanged == 22 and again.added == 0
    catalog.close()
