"""The reminder (rappel) to a municipality: formal Dutch, from the template, checked against a golden file."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from replies.render import LETTER_SUBJECTS, render, render_subject
from tests.conftest import ROOT

CONTEXT = {"municipality": "Hilversum", "reference": "7468089", "sent_on": "2026-04-09", "deadline": "2026-04-30",
           "new_deadline": "2026-05-08", "letter_subject": LETTER_SUBJECTS["informatieverzoek"],
           "contact_address": "ibtspreidingswet@minjenv.nl"}


def test_reminder_golden() -> None:
    golden = ROOT / "tests" / "fixtures" / "golden" / "reminder_mail.txt"
    assert render("reminder_mail", CONTEXT) == golden.read_text(encoding="utf-8")


def test_reminder_refuses_a_missing_value() -> None:
    with pytest.raises(UndefinedError):
        render("reminder_mail", {k: v for k, v in CONTEXT.items() if k != "new_deadline"})


def test_every_letter_kind_has_a_subject() -> None:
    from bot.core.letters import LETTER_KINDS

    assert set(LETTER_KINDS) == set(LETTER_SUBJECTS)


def test_receipt_golden() -> None:
    ctx = {"subject": "Reactie gemeente Hilversum", "received": "2026-04-28", "reference": "7468089"}
    golden = ROOT / "tests" / "fixtures" / "golden" / "mail_receipt.txt"
    assert render("mail_receipt", ctx) == golden.read_text(encoding="utf-8")
    assert render_subject("mail_receipt", ctx) == "Ontvangstbevestiging: Reactie gemeente Hilversum"
