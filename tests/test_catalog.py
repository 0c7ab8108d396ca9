import json
import sqlite3
import subprocess
import sys
import venv

import pytest

from seoulrec.store.catalog import SCHEMA_VERSION, Catalog
from seoulrec.config import CONFIG_NAME


def test_init_creates_wal_catalog_and_commented_config(cli, isolated):
    result = cli("init", "--json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["created"] and info["schema_version"] == SCHEMA_VERSION
    db = sqlite3.connect(isolated / "seoulrec.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {
        "records",
        "approvals",
        "attachments",
        "batches",
        "failures",
        "audit",
        "sources",
        "meta",
    } <= {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    config = (isolated / CONFIG_NAME).read_text("utf-8")
    assert config.startswith("#") and 'path = "seoulrec.db"' in config
    again = json.loads(cli("init", "--json").stdout)
    assert not again["created"] and not again["config_written"]


def test_catalog_is_found_from_option_env_then_config(cli, isolated, tmp_path, monkeypatch):
    assert cli("init").exit_code == 0  # writes seoulrec.toml naming ./seoulrec.db
    other = tmp_path / "other.db"
    assert cli("init", "--catalog", other, "--folder", tmp_path / "elsewhere").exit_code == 0
    assert cli("records", "list", "--json").exit_code == 0  # from seoulrec.toml
    monkeypatch.setenv("SEOULREC_CATALOG", str(tmp_path / "absent.db"))
    assert cli("records", "list").exit_code == 2  # env wins over the config file
    assert (
        cli("records", "list", "--catalog", other, "--json").exit_code == 0
    )  # option wins over env
    monkeypatch.delenv("SEOULREC_CATALOG")
    (isolated / CONFIG_NAME).unlink()
    result = cli("records", "list")
    assert result.exit_code == 2 and "--catalog" in result.stderr


def test_the_schema_version_is_the_last_migration():
    """The catalog declares the version it writes apart from the migrations (so that opening an
    up-to-date catalog does not import them): the two must not drift apart."""
    from seoulrec.store.schema import MIGRATIONS

    assert SCHEMA_VERSION == max(MIGRATIONS)


def test_old_catalog_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"
    ).connection.commit()
    catalog = Catalog.open(path)
    assert catalog.schema_version() == SCHEMA_VERSION
    assert "records" in catalog.db.table_names()


def test_not_a_catalog_is_a_clear_error(tmp_path, cli):
    path = tmp_path / "notes.db"
    path.write_text("hello, not sqlite")
    result = cli("records", "list", "--catalog", path)
    assert result.exit_code == 2 and "not a seoulrec catalog" in result.stderr


def test_audit_log_is_append_only(tmp_path):
    catalog = Catalog.create(tmp_path / "c.db")
    with catalog.transaction():
        catalog.audit("test", detail={"why": "because"})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        catalog.db.execute("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        catalog.db.execute("DELETE FROM audit")


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, root],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("seoulrec-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The running environment's site-packages supply the dependencies offline (a .pth file);
    # the seoulrec wheel itself is installed fresh, and the running checkout is not on the path.
    import sysconfig

    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(target) / "deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    help_out = subprocess.run(
        [env_dir / "bin" / "seoulrec", "--help"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "seoulrec" in help_out.stdout and "ingest" in help_out.stdout
    names = subprocess.run(
        [
            python,
            "-c",
            "import seoulrec.commands, seoulrec.classifiers, seoulrec.exporters, importlib.util as u; print(u.find_spec('commands'), u.find_spec('exporters'), u.find_spec('classifiers'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert names.stdout.split() == ["None", "None", "None"]  # no generic top-level names
    # The README's first command runs `python -m seoulrec` from the checkout's root, where the
    # source folder shadows the installed wheel: it must work there too.
    from_root = subprocess.run(
        [python, "-m", "seoulrec", "--help"], capture_output=True, text=True, cwd=root
    )
    assert from_root.returncode == 0, from_root.stderr


def test_init_refuses_another_applications_database_and_a_text_file(cli, isolated):
    foreign = isolated / "foreign.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO customers(name) VALUES ('kim')")
    db.commit()
    db.close()
    before = foreign.read_bytes()
    result = cli("init", "--catalog", foreign)
    assert result.exit_code == 2 and "another application's database" in result.stderr
    assert foreign.read_bytes() == before  # no tables added, not switched to WAL
    assert sqlite3.connect(foreign).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    notes = isolated / "notes.txt"
    notes.write_text("my notes")
    result = cli("init", "--catalog", notes)
    assert (
        result.exit_code == 2
        and "not an SQLite database" in result.stderr
        and notes.read_text() == "my notes"
    )


def test_init_follows_seoulrec_catalog_like_every_command(cli, isolated, tmp_path, monkeypatch):
    target = tmp_path / "env.db"
    monkeypatch.setenv("SEOULREC_CATALOG", str(target))
    assert cli("init").exit_code == 0
    assert target.is_file() and not (isolated / "seoulrec.db").exists()
    assert cli("records", "list").exit_code == 0


def test_outside_write_commits_on_its_own_and_a_transaction_rolls_back(tmp_path):
    """The catalog's connection is in autocommit mode outside its transactions (as it was
    through sqlite-utils): another connection sees a lone write at once, and nothing of a
    transaction that failed."""
    path = tmp_path / "c.db"
    catalog = Catalog.create(path)
    catalog.set_meta("lone", "1")
    other = sqlite3.connect(path)
    assert other.execute("SELECT value FROM meta WHERE key = 'lone'").fetchone() == ("1",)
    with pytest.raises(RuntimeError):
        with catalog.transaction():
            catalog.set_meta("half", "1")
            raise RuntimeError("stop")
    assert other.execute("SELECT value FROM meta WHERE key = 'half'").fetchone() is None
    assert not catalog.db.conn.in_transaction


def test_sqlite_utils_explores_the_catalog(catalog_path, cli):
    """Records officers can read the catalog with the sqlite-utils command (README)."""
    src = catalog_path.parent / "inbox"
    src.mkdir()
    (src / "note.txt").write_text("회의 결과 보고", encoding="utf-8")
    cli("ingest", "--catalog", catalog_path, src)
    run = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "tables", str(catalog_path), "--counts"],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {t["table"]: t["count"] for t in json.loads(run.stdout)}
    assert counts["meta"] > 0 and "records" in counts
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sqlite_utils",
            "query",
            str(catalog_path),
            "select count(*) as n from records",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == [{"n": counts["records"]}]
