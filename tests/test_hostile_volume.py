"""A batch over thousands of malformed files: every path accounted for in the report, memory
bounded (the peak is printed), nothing read from outside the input (symbolic links to files
and folders outside, a FIFO, files that disappear while the batch runs)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, hwpx_bytes, pubdoc_xml

OUTSIDE_SECRET = "바깥에있는비밀파일내용"


def hostile_tree(root: Path, count: int, seed: int) -> dict:
    rng = random.Random(seed)
    seeds = [
        pubdoc_xml(DemoDoc(number=1)),
        hwpx_bytes(["문단 " * 50], title="제목"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
        b"PK\x03\x04" + bytes(64),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "회의 결과 메모\n".encode("cp949"),
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ]
    exts = [".xml", ".hwpx", ".pdf", ".docx", ".hwp", ".txt", ".xml", ".bin", ".csv", ""]
    made = 0
    for i in range(count):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            if data:
                at = rng.randrange(len(data))
                choice = rng.random()
                if choice < 0.4:
                    data[at] ^= 1 << rng.randrange(8)
                elif choice < 0.7:
                    del data[at:]
                else:
                    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
        folder = root / f"d{i % 37:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05d}{rng.choice(exts)}").write_bytes(bytes(data))
        made += 1
    return {"files": made}


@pytest.mark.parametrize(
    "count", [pytest.param(300, id="300"), pytest.param(3000, id="3000", marks=pytest.mark.slow)]
)
def test_thousands_of_hostile_files_all_accounted_for(tmp_path, count, capsys):
    project, inbox, outside = tmp_path / "project", tmp_path / "inbox", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(OUTSIDE_SECRET, "utf-8")
    made = hostile_tree(inbox, count, seed=count)["files"]
    (inbox / "link-to-file.txt").symlink_to(outside / "secret.txt")
    (inbox / "link-to-folder").symlink_to(outside, target_is_directory=True)
    os.mkfifo(inbox / "pipe.xml")
    vanishing = []
    for i in range(20):
        path = inbox / "zz-vanishing" / f"gone{i:02d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("사라질 파일", "utf-8")
        vanishing.append(path)
    total = made + 3 + len(vanishing)

    assert subprocess.run([sys.executable, "-m", "seoulrec", "init"], cwd=project).returncode == 0
    # Run through a small wrapper whose RUSAGE_CHILDREN is the ingest and its workers alone
    # (this test process has had other children: browsers, other runs).
    peak_file = tmp_path / "peak-kib"
    wrapper = (
        "import resource, subprocess, sys; "
        "code = subprocess.run(sys.argv[2:]).returncode; "
        "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
        "sys.exit(code)"
    )
    command = [sys.executable, "-m", "seoulrec", "ingest", str(inbox), "--jobs", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, str(peak_file), *command, "--timeout", "20", "--json"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def vanish():
        # Once the batch is open, discovery is over: the files are listed but (sorting last)
        # not read yet. Then they disappear.
        import sqlite3

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                db = sqlite3.connect(f"file:{project / 'seoulrec.db'}?mode=ro", uri=True)
                running = db.execute("SELECT 1 FROM batches WHERE status = 'running'").fetchone()
                db.close()
            except sqlite3.Error:
                running = None
            if running:
                break
            time.sleep(0.02)
        for path in vanishing:
            path.unlink(missing_ok=True)

    threading.Thread(target=vanish, daemon=True).start()
    out, err = proc.communicate(timeout=1800)
    peak_mib = int(peak_file.read_text()) / 1024
    assert proc.returncode in (0, 3), err
    assert "Traceback" not in err
    report = json.loads(out)
    failed = report["failed"]
    accounted = report["items"] + len(report["ignored"])
    assert accounted == total, (accounted, total, len(failed))
    assert report["added"] + report["updated"] + report["unchanged"] + len(failed) >= report[
        "items"
    ] - len(report["incomplete"])
    reasons = {f["reason"] for f in failed}
    assert reasons <= {
        "corrupt",
        "unsafe",
        "unsupported_format",
        "empty",
        "unreadable",
        "encrypted",
        "drm_protected",
        "too_large",
        "timeout",
    }, reasons
    assert not any("unexpected" in f.get("message", "") for f in failed)
    by_path = {Path(f["path"]).name: f["reason"] for f in failed}
    assert by_path["link-to-file.txt"] == by_path["link-to-folder"] == "unsafe"  # never followed
    assert by_path["pipe.xml"] == "unreadable"
    assert all(by_path[p.name] == "unreadable" for p in vanishing)
    # Nothing from outside the input entered the catalog.
    dump = subprocess.run(
        [sys.executable, "-m", "seoulrec", "records", "list", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
    ).stdout
    assert OUTSIDE_SECRET not in dump
    import sqlite3

    db = sqlite3.connect(project / "seoulrec.db")
    texts = " ".join(t or "" for (t,) in db.execute("SELECT text FROM records"))
    db.close()
    assert OUTSIDE_SECRET not in texts
    assert peak_mib < 1024, peak_mib  # memory stays bounded: workers and parent
    with capsys.disabled():
        print(
            f"\nhostile volume: {total} paths ({made} malformed files, 2 links out, a FIFO, {len(vanishing)} vanishing), "
            f"{len(failed)} failed with documented outcomes, {report['items'] - len(failed)} read; peak RSS {peak_mib:.0f} MiB"
        )
