"""Output folders: seoulrec replaces only what it made, publishes readable files, swaps
atomically, cleans up after killed runs, and keeps the published index complete."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seoulrec.store.catalog import Catalog, withdraw_record
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.decide.disclosure import apply, set_manual
from seoulrec.publish.export import run_export
from seoulrec.decide.policy import load_policy
from seoulrec.decide.privacy import Masker

from ..conftest import cli_json as j
from .test_export import TODAY, tree

DOCS = [
    DemoDoc(number=1, title="공공자전거 대여소 확충", date="2025-09-01", code="1NNNNNNNN"),
    DemoDoc(
        number=2,
        title="감사 결과 처리 계획",
        date="2025-09-12",
        code="3NNNNYNNN",
        body="내부 감사 자료",
    ),
    DemoDoc(number=3, title="버스정류소 개선", date="2025-10-03", code="1NNNNNNNN"),
    DemoDoc(
        number=4,
        title="팀장 전결 문서",
        date="2025-10-04",
        code="1NNNNNNNN",
        final_position="공공자전거팀장",
    ),
    DemoDoc(number=5, title="공원 녹지 확충", date="2025-11-05", code="2NNNNNYNN"),
    DemoDoc(number=6, title="문화의 밤", date="2025-11-06", code="1NNNNNNNN"),
]


@pytest.fixture
def project(cli, tmp_path):
    """A records officer's project folder: seoulrec.toml, the catalog and other files."""
    work = Path.cwd()
    assert cli("init").exit_code == 0
    src = tmp_path / "src"
    for doc in DOCS:
        write_package(src / f"p{doc.number}", doc, {})
    assert cli("ingest", "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--today", TODAY)
    (work / "exports").mkdir()
    (work / "exports" / "keep.txt").write_text("mine")
    return work


def snapshot(folder: Path) -> dict:
    """Every file and folder; the catalog itself is checked by its records (SQLite rewrites its pages)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.startswith("seoulrec.db")
    }


def test_export_into_the_project_folder_is_refused_and_touches_nothing(cli, project):
    before = snapshot(project)
    for out in (".", str(project), "exports"):
        result = cli("export", "index", "--format", "jsonl", "--out", out)
        assert result.exit_code == 2, (out, result.output)
        result = (
            cli("export", "index", "--format", "jsonl", "--out", out, "--force")
            if out != "exports"
            else result
        )
        assert result.exit_code == 2, (out, result.output)
    assert snapshot(project) == before


def test_a_foreign_folder_is_refused_unless_forced_and_root_and_home_always(cli, project, tmp_path):
    home = tmp_path / "someone"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.txt").write_text("four years of work")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("secret")
    before = snapshot(home)
    result = cli("export", "index", "--format", "jsonl", "--out", home)
    assert (
        result.exit_code == 2
        and "did not make it" in result.stderr
        and "nothing was touched" in result.stderr
    )
    assert snapshot(home) == before
    link = tmp_path / "linkout"
    link.symlink_to(home)
    result = cli("export", "index", "--format", "jsonl", "--out", link, "--force")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert snapshot(home) == before
    for out in ("/", os.environ["HOME"]):
        Path(out).mkdir(exist_ok=True)
        result = cli("export", "index", "--format", "jsonl", "--out", out, "--force")
        assert result.exit_code == 2, out
    assert cli("export", "index", "--format", "jsonl", "--out", home, "--force").exit_code == 0
    assert (home / "manifest.json").is_file() and not (home / "Documents").exists()


def test_missing_parents_are_created_and_a_re_run_replaces_only_its_own_folder(cli, project):
    j(cli, "export", "index", "--format", "seoul-csv", "--out", "public/index")
    j(
        cli, "export", "index", "--format", "seoul-csv", "--out", "public/index"
    )  # its own folder: replaced
    assert (project / "public" / "index" / "partitions.json").is_file()
    assert (project / "exports" / "keep.txt").read_text() == "mine"


def test_published_files_follow_the_umask(cli, project):
    old = os.umask(0o022)
    try:
        j(cli, "export", "index", "--format", "seoul-csv", "--out", "public/index")
    finally:
        os.umask(old)
    out = project / "public" / "index"
    for path in [out, *out.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def seoulrec(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "seoulrec", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.mark.skipif(
    shutil.which("strace") is None, reason="strace is not installed (.ci/run installs it)"
)
@pytest.mark.parametrize("syscall,when,exchange", [("renameat2", 1, True), ("rename", 2, False)])
def test_a_kill_at_the_swap_leaves_the_old_index_and_the_next_run_cleans_up(
    cli, project, syscall, when, exchange
):
    """With RENAME_EXCHANGE the folder never disappears; without it (some file systems), a kill
    between the two renames leaves the old content beside it, which the next run puts back."""
    out = project / "public" / "index"
    j(cli, "export", "index", "--format", "seoul-csv", "--out", out)
    before = tree(out)
    j(
        cli,
        "disclose",
        "set",
        1,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보",
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--today", TODAY)
    env = dict(os.environ, SEOULREC_NO_RENAME_EXCHANGE="" if exchange else "1")
    proc = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            f"trace={syscall}",
            "-e",
            f"inject={syscall}:signal=SIGKILL:when={when}",
            sys.executable,
            "-m",
            "seoulrec",
            "export",
            "index",
            "--format",
            "seoul-csv",
            "--out",
            str(out),
            "--since",
            "last",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode != 0
    if exchange:
        assert out.is_dir() and tree(out) == before  # the old index, whole, at every instant
    else:
        assert not out.exists() and any(".index.old-" in p.name for p in out.parent.iterdir())
    leftovers = [p.name for p in out.parent.iterdir() if p.name != "index"]
    running = (
        sqlite3.connect(project / "seoulrec.db")
        .execute("SELECT count(*) FROM export_runs WHERE status = 'running'")
        .fetchone()[0]
    )
    assert running == 1
    result = seoulrec(
        "export",
        "index",
        "--format",
        "seoul-csv",
        "--out",
        out,
        "--since",
        "last",
        "--json",
        cwd=project,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [p.name for p in out.parent.iterdir()] == ["index"]
    assert len(report["notes"]) >= len(leftovers)
    assert report["manifest"]["kind"] == "delta"  # from the old index, restored or intact
    statuses = dict(
        sqlite3.connect(project / "seoulrec.db")
        .execute("SELECT status, count(*) FROM export_runs GROUP BY status")
        .fetchall()
    )
    assert statuses.get("running", 0) == 0 and statuses["interrupted"] == 1


def test_demo_never_writes_into_a_project_folder(cli, project):
    before = snapshot(project)
    result = cli("demo", "--out", ".")
    assert result.exit_code == 2 and "not made by `seoulrec demo`" in result.stderr
    assert snapshot(project) == before
    records = (
        sqlite3.connect(project / "seoulrec.db")
        .execute("SELECT count(*) FROM records")
        .fetchone()[0]
    )
    assert records == len(DOCS)


# -- the published index stays complete: any changes + incremental runs == a full export ----------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    src = folder / "src"
    for doc in DOCS:
        write_package(src / f"p{doc.number}", doc, {})
    catalog = Catalog.create(folder / "c.db")
    from seoulrec.inputs.ingest import IngestOptions, run_batch

    run_batch(catalog, [src], IngestOptions(jobs=1))
    apply(catalog, load_policy(), date(2026, 11, 26))
    catalog.close()
    return folder / "c.db"


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("withhold"), st.integers(1, 6)),
        st.tuples(st.just("release"), st.integers(1, 6)),
        st.tuples(st.just("withdraw"), st.integers(1, 6)),
        st.tuples(
            st.just("move"),
            st.integers(1, 6),
            st.sampled_from(["2024-01-15", "2025-09-30", "2025-12-01", None]),
        ),
        st.tuples(
            st.just("export"),
        ),
    ),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS, fmt=st.sampled_from(["jsonl", "seoul-csv"]))
def test_any_changes_and_incremental_exports_equal_a_full_export(
    template, tmp_path_factory, ops, fmt
):
    folder = tmp_path_factory.mktemp("prop")
    shutil.copy(template, folder / "c.db")
    catalog = Catalog.open(folder / "c.db")
    policy, today, masker = load_policy(), date(2026, 11, 26), Masker()
    out = folder / "out"
    run_export(catalog, fmt, out, True, {}, masker)
    for op in ops + [("export",)]:
        current = {
            r[0]: r[1]
            for r in catalog.db.execute(
                "SELECT regnumbercode, id FROM records WHERE is_current = 1"
            )
        }
        if op[0] == "export":
            apply(catalog, policy, today)
            run_export(catalog, fmt, out, True, {}, masker)
            continue
        record_id = current.get(f"6110000{op[1]:06d}")
        if record_id is None:
            continue
        if op[0] == "withhold":
            set_manual(catalog, record_id, "non_public", [6], "개인정보", None, today)
        elif op[0] == "release":
            set_manual(catalog, record_id, "public", [], "", None, today)
        elif op[0] == "withdraw":
            withdraw_record(catalog, record_id, "중복")
        elif op[0] == "move":  # a new version produced in another month
            with catalog.transaction():
                row = catalog.db.execute(
                    "SELECT * FROM records WHERE id = ?", [record_id]
                ).fetchone()
                columns = [
                    d[0] for d in catalog.db.execute("SELECT * FROM records LIMIT 0").description
                ]
                new = dict(zip(columns, row))
                new.update(
                    id=None,
                    version=new["version"] + 1,
                    enforcement_date=op[2],
                    sha256=new["sha256"] + "x",
                )
                catalog.db.execute("UPDATE records SET is_current = 0 WHERE id = ?", [record_id])
                catalog.db.execute(
                    f"INSERT INTO records ({', '.join(new)}) VALUES ({', '.join('?' for _ in new)})",
                    list(new.values()),
                )
    full = folder / "full"
    run_export(catalog, fmt, full, False, {}, masker)
    catalog.close()
    published = {
        k: v for k, v in tree(out).items() if k.startswith("parts/") or k == "partitions.json"
    }
    expected = {
        k: v for k, v in tree(full).items() if k.startswith("parts/") or k == "partitions.json"
    }
    assert published == expected
