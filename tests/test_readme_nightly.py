"""The README's nightly commands, run as written (twice) in a fresh project folder: the published
index is complete after both runs."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package

README = Path(__file__).resolve().parents[1] / "README.md"


def nightly_script() -> str:
    text = README.read_text("utf-8")
    section = text[text.index("## The nightly run") :]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_the_readme_nightly_commands_run_twice_and_publish_a_complete_index(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    inbox = tmp_path / "inbox"
    for n in range(1, 6):
        write_package(inbox / f"p{n}", DemoDoc(number=n, date=f"2025-{8 + n % 3:02d}-0{n}"), {})
    script = nightly_script().replace("/exports/today", str(inbox))
    prelude = f'seoulrec() {{ "{sys.executable}" -m seoulrec "$@"; }}\nset -e\nseoulrec init\n'
    for night in (1, 2):
        if night == 2:
            write_package(inbox / "p6", DemoDoc(number=6, date="2025-11-20"), {})
        proc = subprocess.run(
            ["bash", "-c", prelude + script], cwd=project, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        for fmt, name in (("index", "index.csv"), ("jsonl", "records.jsonl")):
            partitions = json.loads(
                (project / "public" / fmt / "partitions.json").read_text("utf-8")
            )["partitions"]
            assert sum(p["rows"] for p in partitions) == 4 + night, (fmt, night)
            for part in partitions:
                assert (project / "public" / fmt / part["path"] / name).is_file()
        assert (project / "public" / "site" / "index.html").is_file() and (
            project / "public" / "site" / "search"
        ).is_dir()
        assert len(list((project / "public" / "site" / "records").glob("*.html"))) == 4 + night
        assert (project / "public" / "feed" / "feed.xml").is_file() and (
            project / "public" / "sitemap" / "sitemap.xml"
        ).is_file()
