"""Locks the kernel releases (issue 20): the ingest and export run locks are ``fcntl.flock`` on
files beside an SQLite catalog (session advisory locks on PostgreSQL). A run row left marked
``running`` by a killed process is recognised by its free lock, never by its pid: a pid that
is alive again (reused) does not keep a dead run alive."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.publish.runs import export_lock_name

from .conftest import cli_json

HOLD = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


def _inbox(tmp_path, n=1):
    inbox = tmp_path / "inbox"
    for k in range(1, n + 1):
        write_package(inbox / f"p{k}", DemoDoc(number=k), {})
    return inbox


def _mark_running(catalog_path, table: str, pid: int, destination: str | None = None) -> int:
    catalog = Catalog.open(catalog_path)
    with catalog.transaction():
        if table == "batches":
            run_id = catalog.insert_id(
                "INSERT INTO batches(started, status, options, pid) VALUES ('2026-01-01', 'running', '{}', ?)",
                [pid],
            )
        else:
            run_id = catalog.insert_id(
                "INSERT INTO export_runs(exporter, destination, kind, seq, started, status, pid) "
                "VALUES ('jsonl', ?, 'full', 1, '2026-01-01', 'running', ?)",
                [destination, pid],
            )
    catalog.close()
    return run_id


def _status(catalog_path, table: str, run_id: int) -> str:
    catalog = Catalog.open(catalog_path)
    try:
        return catalog.db.execute(f"SELECT status FROM {table} WHERE id = ?", [run_id]).fetchone()[
            0
        ]
    finally:
        catalog.close()


def test_a_dead_ingest_is_recognised_even_when_its_pid_is_alive_again(cli, catalog_path, tmp_path):
    # A batch marked running with the pid of a live process (this test's own: a reused pid).
    stale = _mark_running(catalog_path, "batches", os.getpid())
    report = cli_json(cli, "ingest", _inbox(tmp_path), "--catalog", catalog_path)
    assert report["added"] == 1  # not "waiting for another ingest"
    assert _status(catalog_path, "batches", stale) == "interrupted"
    assert cli_json(cli, "check", "--catalog", catalog_path)["problems"] == []


def test_a_live_ingest_holding_the_lock_is_waited_for_then_refused(cli, catalog_path, tmp_path):
    config = catalog_path.parent / "seoulrec.toml"
    config.write_text(config.read_text("utf-8").replace("[ingest]\n", "[ingest]\nwait = 1\n", 1))
    lock = f"{catalog_path}.ingest.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, lock], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = cli("ingest", _inbox(tmp_path), "--catalog", catalog_path)
        assert result.exit_code == 1 and "another ingest is running" in result.stderr
        assert Catalog.open(catalog_path).ingest_running()
    finally:
        holder.kill()  # SIGKILL: the kernel releases the flock
        holder.wait()
    assert not Catalog.open(catalog_path).ingest_running()
    assert cli_json(cli, "ingest", _inbox(tmp_path), "--catalog", catalog_path)["added"] == 1


def test_a_dead_export_run_is_recognised_even_when_its_pid_is_alive_again(
    cli, catalog_path, tmp_path
):
    assert cli("ingest", _inbox(tmp_path), "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    out = tmp_path / "index"
    elsewhere = tmp_path / "other-index"
    stale = _mark_running(catalog_path, "export_runs", os.getpid(), str(out))
    other = _mark_running(catalog_path, "export_runs", os.getpid(), str(elsewhere))
    checked = cli("check", "--catalog", catalog_path, "--json")
    assert checked.exit_code == 1
    problems = json.loads(checked.stdout)["problems"]
    assert sum(p["check"] == "stale_runs" for p in problems) == 2  # both locks are free
    cli_json(cli, "export", "index", "-f", "jsonl", "-o", out, "--catalog", catalog_path)
    assert _status(catalog_path, "export_runs", stale) == "interrupted"
    assert _status(catalog_path, "export_runs", other) == "interrupted"


def test_a_live_export_into_the_same_folder_is_refused(cli, catalog_path, tmp_path):
    assert cli("ingest", _inbox(tmp_path), "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    out = (tmp_path / "index").resolve()
    lock = f"{catalog_path}.{export_lock_name(out)}.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, lock], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = cli("export", "index", "-f", "jsonl", "-o", out, "--catalog", catalog_path)
        assert result.exit_code == 1 and "another export into" in result.stderr
        # Another folder is free.
        other = tmp_path / "other"
        cli_json(cli, "export", "index", "-f", "jsonl", "-o", other, "--catalog", catalog_path)
    finally:
        holder.kill()
        holder.wait()
    report = cli_json(cli, "export", "index", "-f", "jsonl", "-o", out, "--catalog", catalog_path)
    assert json.dumps(report)


CONTEND = (
    "import os, sys, time\n"
    "from pathlib import Path\n"
    "from seoulrec.store.locks import try_lock\n"
    "lock, log = Path(sys.argv[1]), sys.argv[2]\n"
    "taken = 0\n"
    "deadline = time.monotonic() + 20\n"
    "while taken < 150 and time.monotonic() < deadline:\n"
    "    held = try_lock(lock, 'now')\n"
    "    if held is None:\n"
    "        continue\n"
    "    fd = os.open(log, os.O_WRONLY | os.O_APPEND)\n"
    "    os.write(fd, f'in {os.getpid()}\\n'.encode())\n"
    "    os.write(fd, f'out {os.getpid()}\\n'.encode())\n"
    "    os.close(fd)\n"
    "    held.release()\n"
    "    taken += 1\n"
    "print(taken)\n"
)


def test_lock_files_are_removed_and_the_lock_stays_exclusive(tmp_path):
    """A holder removes its lock file when it lets go (no litter beside the catalog); four
    processes taking and letting go of one lock as fast as they can are never inside at once,
    although each removal leaves others holding a descriptor of the removed file."""
    from seoulrec.store.locks import try_lock

    lock, log = tmp_path / "catalog.db.ingest.lock", tmp_path / "log"
    held = try_lock(lock, "now")
    assert held is not None and lock.exists() and try_lock(lock, "now") is None
    held.release()
    assert not lock.exists()
    log.write_text("")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTEND, str(lock), str(log)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    taken = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert all(t > 0 for t in taken), taken
    lines = log.read_text().split()
    pairs = list(zip(lines[0::2], lines[1::2]))
    assert len(pairs) == 2 * sum(taken)
    for (word_in, pid_in), (word_out, pid_out) in zip(pairs[0::2], pairs[1::2]):
        assert (word_in, word_out, pid_in) == ("in", "out", pid_out)
    assert not lock.exists()


def test_no_lock_files_are_left_after_a_night(cli, catalog_path, tmp_path):
    out = tmp_path / "public"
    report = cli_json(
        cli, "nightly", "--inbox", _inbox(tmp_path, 2), "--out", out, "--catalog", catalog_path
    )
    assert report
    assert list(catalog_path.parent.glob("*.lock")) == []
