"""Officers' work from the command line: case view, actions, triage, history and export."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import DEV

runner = CliRunner()


def ibt(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_case_actions_history_and_export(home: Path, tmp_path: Path) -> None:
    assert ibt("letters", "import", str(DEV / "letters.csv"))[0] == 0
    assert ibt("ingest", str(DEV / "d011-hilversum-reactie-ibt.eml"), str(DEV / "d009-breda-uitstel-beantwoording.eml"),
               str(DEV / "d005-prive-iphone-terugbelverzoek.eml"))[0] == 0
    code, out, _ = ibt("case", "do", "Breda", "--json")
    view = json.loads(out)
    assert code == 0 and view["letters"][0]["state"] == "extension_requested"
    code, _, err = ibt("case", "do", "Breda", "mark_sufficient", "--by", "jan")
    assert code == 1 and "beantwoorde brief" in err
    code, out, _ = ibt("case", "do", "Breda", "grant_extension", "--deadline", "2026-05-28", "--by", "jan")
    assert code == 0 and "jan" in out
    code, out, _ = ibt("history", "7468177", "--json")
    events = [json.loads(line)["event"] for line in out.splitlines()]
    assert "grant_extension" in events and "deadline_changed" in events
    code, out, _ = ibt("triage", "list", "--json")
    triaged = [json.loads(line) for line in out.splitlines()]
    assert [t["sender"] for t in triaged] == ["sandra.visser1977@gmail.com"]
    assert ibt("triage", "dismiss", str(triaged[0]["id"]), "--by", "jan")[0] == 0
    assert ibt("triage", "list", "--json")[1].strip() == ""
    code, out, _ = ibt("export", "Hilversum", "--out", str(tmp_path))
    folder = Path(out.strip())
    assert code == 0 and (folder / "timeline.md").exists() and len(list((folder / "mail").iterdir())) == 1
    assert ibt("case", "do", "Atlantis")[0] == 1
