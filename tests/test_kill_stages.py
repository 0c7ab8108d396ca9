"""SIGKILL every writing stage at random moments: ``ingest``, ``disclose apply``, ``export
index``, ``export site`` and ``nightly``. After each kill the previous published output is
intact (or the new one is complete), ``seoulrec check --repair`` leaves a sound catalog once
the killed stage is run again (the documented recovery), and finishing the night gives the
same catalog and the same published bytes as a night without kills.

One kill per stage in the default run; ``-m slow`` runs 20 per stage.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seoulrec.run.check import verify_output
from seoulrec.run.demo import DemoDoc, random_doc, write_package

TODAY = "2026-11-27"
STEPS = {
    "ingest": ["ingest", "{inbox}", "--jobs", "1"],
    "apply": ["disclose", "apply", "--today", TODAY],
    "export": [
        "export",
        "index",
        "--format",
        "seoul-csv",
        "--out",
        "public/index",
        "--since",
        "last",
    ],
    "site": ["export", "site", "--out", "public/site", "--since", "last"],
    "nightly": ["nightly", "--inbox", "{inbox}", "--out", "public", "--today", TODAY],
}
ORDER = ["ingest", "apply", "export", "site"]
ENV = dict(os.environ, SEOULREC_ACTOR="kill-test")


def run(project: Path, args: list[str], inbox: Path) -> subprocess.CompletedProcess:
    args = [a.format(inbox=inbox) for a in args]
    return subprocess.run(
        [sys.executable, "-m", "seoulrec", *args],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
    )


def started(project: Path, args: list[str], inbox: Path) -> subprocess.Popen:
    args = [a.format(inbox=inbox) for a in args]
    return subprocess.Popen(
        [sys.executable, "-m", "seoulrec", *args],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """A project after one night (its outputs published), tonight's new inbox, and the result
    of tonight without kills: the reference."""
    base = tmp_path_factory.mktemp("kill")
    first, tonight = base / "inbox-1", base / "inbox-2"
    rng = random.Random(5)
    for n in range(1, 31):
        write_package(first / f"p{n}", random_doc(rng, n), {})
    for n in range(31, 61):
        doc = random_doc(rng, n)
        doc.attachments = ["붙임.txt"]
        write_package(tonight / f"p{n}", doc, {"붙임.txt": f"붙임 {n}".encode()})
    write_package(tonight / "p5", DemoDoc(number=5, title="정정된 제목"), {})  # a new version
    template = base / "template"
    template.mkdir()
    assert run(template, ["init"], first).returncode == 0
    for step in ORDER:
        done = run(template, STEPS[step], first)
        assert done.returncode == 0, done.stderr
    reference = base / "reference"
    shutil.copytree(template, reference)
    seconds = {}
    for step in ORDER:
        t0 = time.monotonic()
        done = run(reference, STEPS[step], tonight)
        seconds[step] = time.monotonic() - t0
        assert done.returncode == 0, done.stderr
    reference_nightly = base / "reference-nightly"
    shutil.copytree(template, reference_nightly)
    t0 = time.monotonic()
    done = run(reference_nightly, STEPS["nightly"], tonight)
    seconds["nightly"] = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    return {
        "base": base,
        "template": template,
        "reference": reference,
        "reference-nightly": reference_nightly,
        "tonight": tonight,
        "seconds": seconds,
    }


def catalog_state(project: Path) -> dict:
    db = sqlite3.connect(project / "seoulrec.db")
    try:
        return {
            "records": sorted(
                db.execute(
                    "SELECT record_key, version, is_current, title, sha256 FROM records"
                ).fetchall()
            ),
            "decisions": sorted(
                db.execute(
                    "SELECT record_key, disclosure_class, original_public, row_hash FROM disclosures"
                ).fetchall()
            ),
            "attachments": sorted(
                db.execute(
                    "SELECT r.record_key, a.name, a.sha256, ad.published FROM attachments a JOIN records r ON r.id = a.record_id "
                    "LEFT JOIN attachment_disclosures ad ON ad.attachment_id = a.id"
                ).fetchall()
            ),
        }
    finally:
        db.close()


def published(project: Path, folder: str) -> dict:
    root = project / "public" / folder
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    # The index's change sets are named by the runs that made them; the index itself must match.
    # The folder's signature is a random id per folder.
    return {
        k: v
        for k, v in files.items()
        if not k.startswith(("changes/", "manifest.json", ".seoulrec/folder-id"))
    }


def before_the_kill(night: dict, step: str) -> Path:
    """The project as it stands when ``step`` starts tonight (the stages before it run), made
    once per stage and copied for every kill: the same for every seed."""
    ready = night["base"] / f"before-{step}"
    if not ready.exists():
        shutil.copytree(night["template"], ready)
        steps = ORDER if step in ORDER else [step]
        for previous in steps[: steps.index(step)]:
            assert run(ready, STEPS[previous], night["tonight"]).returncode == 0
    return ready


def kill_once(night: dict, step: str, seed: int) -> None:
    rng = random.Random(seed)
    project = night["base"] / f"{step}-{seed}"
    shutil.copytree(before_the_kill(night, step), project)
    tonight = night["tonight"]
    before = {f: verify_output(project / "public" / f) for f in ("index", "site")}
    assert before == {"index": [], "site": []}
    steps = ORDER if step in ORDER else [step]
    reference = night["reference"] if step in ORDER else night["reference-nightly"]
    proc = started(project, STEPS[step], tonight)
    time.sleep(rng.uniform(0.2, max(0.3, night["seconds"][step] * 1.1)))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The published outputs are whole: the old ones or the new ones, never half.
    for folder in ("index", "site"):
        assert verify_output(project / "public" / folder) == [], (step, seed, folder)
    # Documented recovery: run the killed stage again, then check --repair; sound.
    again = run(project, STEPS[step], tonight)
    assert again.returncode == 0, (step, seed, again.stderr)
    checked = run(project, ["check", "--repair", "--json"], tonight)
    assert checked.returncode == 0, (step, seed, checked.stdout)
    assert json.loads(checked.stdout)["sound"]
    for following in steps[steps.index(step) + 1 :]:
        assert run(project, STEPS[following], tonight).returncode == 0
    assert catalog_state(project) == catalog_state(reference), (step, seed)
    for folder in ("index", "site"):
        assert published(project, folder) == published(reference, folder), (
            step,
            seed,
            folder,
        )
    shutil.rmtree(project)


@pytest.mark.parametrize("step", [*ORDER, "nightly"])
def test_a_kill_in_each_stage_loses_nothing(night, step):
    for seed in range(1):
        kill_once(night, step, seed)


@pytest.mark.slow
@pytest.mark.parametrize("step", [*ORDER, "nightly"])
def test_twenty_kills_in_each_stage_lose_nothing(night, step):
    for seed in range(100, 120):
        kill_once(night, step, seed)
