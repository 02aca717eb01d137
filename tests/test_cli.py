"""The `ibt` commands as an operator and the scoring tool use them (contracts of DESIGN.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import DEV

runner = CliRunner()
LETTER_KEYS = {"reference", "municipality", "sent_on", "kind", "trede", "deadline", "state"}
EXPLAIN_KEYS = {"file", "message_id", "kind", "municipalities", "reference", "facts", "needs_triage", "evidence"}


def ibt(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_letters_import_list_and_reimport(home: Path) -> None:
    code, out, _ = ibt("letters", "import", str(DEV / "letters.csv"))
    assert code == 0 and out.startswith("44 letter(s) added")
    code, out, _ = ibt("letters", "list", "--json")
    letters = json.loads(out)
    assert len(letters) == 44 and all(set(x) == LETTER_KEYS for x in letters)
    hilversum = next(x for x in letters if x["reference"] == "7468089")
    assert hilversum["municipality"] == {"code": "GM0402", "name": "Hilversum"}
    assert (hilversum["deadline"], hilversum["state"], hilversum["trede"]) == ("2026-04-30", "awaiting_reply", 2)
    code, out, _ = ibt("letters", "import", str(DEV / "letters.csv"))
    assert code == 0 and out.startswith("0 letter(s) added, 44 already registered")


def test_letters_import_computes_an_empty_deadline(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "l.csv"
    f.write_text("reference,municipality,sent_on,kind,trede,deadline,to_address\n"
                 "1234567,Den Haag,2026-04-24,informatieverzoek,2,,\n"
                 "1234568,GM0402,2026-04-06,rappel,2,,info@hilversum.nl\n", encoding="utf-8")
    assert ibt("letters", "import", str(f))[0] == 0
    got = {x["reference"]: x["deadline"] for x in json.loads(ibt("letters", "list", "--json")[1])}
    assert got == {"1234567": "2026-05-18", "1234568": "2026-04-28"}


def test_bad_rows_refuse_the_whole_file_with_line_numbers(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("reference,municipality,sent_on,kind,trede,deadline,to_address\n"
                 "1234567,Hilversum,2026-04-09,informatieverzoek,2,,\n"
                 "1234568,Atlantis,2026-04-09,informatieverzoek,2,,\n"
                 "1234569,Utrecht,2026-13-09,informatieverzoek,2,,\n", encoding="utf-8")
    code, _, err = ibt("letters", "import", str(f))
    assert code == 1
    assert "line 3" in err and "Atlantis" in err and "line 4" in err
    assert json.loads(ibt("letters", "list", "--json")[1]) == []


def test_conflicting_reference_against_the_store_is_refused(home: Path, tmp_path: Path) -> None:
    head = "reference,municipality,sent_on,kind,trede,deadline,to_address\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(head + "1234567,Hilversum,2026-04-09,informatieverzoek,2,,\n", encoding="utf-8")
    b.write_text(head + "7654321,Utrecht,2026-04-09,informatieverzoek,2,,\n"
                 "1234567,Utrecht,2026-04-09,informatieverzoek,2,,\n", encoding="utf-8")
    assert ibt("letters", "import", str(a))[0] == 0
    code, _, err = ibt("letters", "import", str(b))
    assert code == 1 and "line 3" in err and "1234567" in err
    assert [x["reference"] for x in json.loads(ibt("letters", "list", "--json")[1])] == ["1234567"]


def test_explain_prints_the_contract_and_changes_nothing(home: Path) -> None:
    ibt("letters", "import", str(DEV / "letters.csv"))
    files = sorted(DEV.glob("*.eml"))
    code, out, _ = ibt("explain", "--json", *map(str, files))
    assert code == 0
    objs = [json.loads(line) for line in out.splitlines()]
    assert len(objs) == len(files) == 52
    for obj in objs:
        assert set(obj) >= EXPLAIN_KEYS
        assert set(obj["facts"]) == {"realised", "realised_amv", "planned", "planned_amv", "expected_date",
                                     "location_lost"}
        assert obj["reference"] is None or set(obj["reference"]) >= {"value", "as_written", "score"}
        # every mail shows the probability of each kind (1.0 for the kind a structural rule decided)
        assert set(obj["kind_scores"]) == {"reply", "article8", "extension_request", "question", "auto_reply",
                                           "bounce", "other"}
        assert abs(sum(obj["kind_scores"].values()) - 1) < 0.01 and obj["kind_scores"][obj["kind"]] > 0
        assert all(set(m) >= {"code", "name", "score"} for m in obj["municipalities"])
    assert json.loads(ibt("ingest", "--json", str(DEV))[1].splitlines()[-1])["duplicate"] == 0


def test_explain_without_a_database_creates_none(home: Path, db_url: str) -> None:
    code, out, _ = ibt("explain", "--json", str(DEV / "d011-hilversum-reactie-ibt.eml"))
    assert code == 0 and json.loads(out)["kind"]
    assert not (home / "var" / "ibt.db").exists()
    if db_url.startswith("postgresql"):
        from sqlalchemy import create_engine, inspect

        assert inspect(create_engine(db_url)).get_table_names() == []  # no schema created either


def test_explain_without_a_database_loads_no_store(tmp_path: Path) -> None:
    """A cold `ibt explain` (the start-up the benchmark times) loads the reader: the store, delivery and Slack are
    imported by the commands that use them (SQLAlchemy itself only parses the database URL)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("IBT_", "SLACK_"))}
    env.update(IBT_HOME=str(tmp_path), IBT_DATABASE_URL=f"sqlite:///{tmp_path}/var/ibt.db")
    probe = ("import sys\nfrom bot.cli import main\nsys.argv = ['ibt', 'explain', '--json', sys.argv[1]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "loaded = ('sqlmodel', 'bot.store.repo', 'bot.delivery', 'slack_sdk')\n"
             "print(sorted(m for m in loaded if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", probe, str(DEV / "d011-hilversum-reactie-ibt.eml")], env=env,
                       capture_output=True, text=True, check=True)
    assert json.loads(r.stdout.splitlines()[0])["kind"]
    assert r.stdout.splitlines()[-1] == "[]"


def test_ingest_json_counts(home: Path) -> None:
    code, out, _ = ibt("ingest", "--json", str(DEV))
    first = json.loads(out.splitlines()[-1])
    assert code == 0 and first["new"] + first["quarantined"] == 52 and first["duplicate"] == 0
    second = json.loads(ibt("ingest", "--json", str(DEV))[1].splitlines()[-1])
    assert second == {"new": 0, "duplicate": 52, "quarantined": 0}


def test_run_once_on_the_embedded_default_alerts_for_the_sample(home: Path) -> None:
    code, out, _ = ibt("run", "--once")
    assert code == 0
    for name in ("Hilversum", "Breda", "Ede"):
        assert name in out
    assert list((home / "var" / "sample-maildir" / "new").iterdir()) == []
    code, out, _ = ibt("status")
    assert code == 0 and "Hilversum" in out


def test_a_wrong_config_names_every_bad_key(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('colour = "blue"\nslack_bot_token = "xoxb-1"\n[mailbox]\nsource = "pigeon"\npoll_seconds = 1\n',
                   encoding="utf-8")
    monkeypatch.setenv("IBT_CONFIG", str(bad))
    code, _, err = ibt("status")
    assert code == 2
    for key in ("colour", "slack_bot_token", "mailbox.source", "mailbox.poll_seconds"):
        assert key in err
    assert "xoxb-1" not in err
