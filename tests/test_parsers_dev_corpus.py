"""The reading of the labelled dev corpus meets the product goals (same measures as score_corpus.py)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from parsers.model import AUTOMATIC_KINDS, LetterRef, Reading
from parsers.registry import Registry, fold
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "fixtures" / "dev"


def build_context(letters_csv: Path, registry: Registry) -> ReadingContext:
    letters: dict[str, LetterRef] = {}
    with letters_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            m = registry.resolve(row["municipality"])
            assert m is not None, row["municipality"]
            letters[row["reference"]] = LetterRef(row["reference"], m.code, date.fromisoformat(row["sent_on"]),
                                                  row.get("to_address", ""))
    return ReadingContext(registry=registry, letters=letters)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return shared_registry()


@pytest.fixture(scope="module")
def readings(registry: Registry) -> list[tuple[dict[str, object], Reading]]:
    ctx = build_context(DEV / "letters.csv", registry)
    labels = [json.loads(line) for line in (DEV / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [(lab, read_mail((DEV / str(lab["file"])).read_bytes(), ctx)) for lab in labels]


def _code(registry: Registry, name: str) -> str:
    m = registry.resolve(name) or next((x for x in registry.municipalities if fold(x.name) == fold(name)), None)
    return m.code if m else "?" + name


def test_dev_corpus_goals(readings: list[tuple[dict[str, object], Reading]], registry: Registry) -> None:
    n = len(readings)
    rows, kind_ok, mun_wrong, ref_wrong = [], 0, [], []
    mun_hit = mun_total = ref_hit = ref_total = 0
    auto_missed, false_auto, amb_missed = [], [], []
    for lab, r in readings:
        want = [_code(registry, str(x)) for x in lab["municipalities"]]  # type: ignore[attr-defined]
        have = [m.code for m in r.municipalities]
        ref = r.reference.value if r.reference else None
        kind_ok += r.kind == lab["kind"]
        if lab["kind"] in AUTOMATIC_KINDS and r.kind not in AUTOMATIC_KINDS:
            auto_missed.append(lab["file"])
        if lab["kind"] not in AUTOMATIC_KINDS and r.kind in AUTOMATIC_KINDS:
            false_auto.append(lab["file"])
        if lab["ambiguous"] and not r.needs_triage:
            amb_missed.append(lab["file"])
        both_other = lab["kind"] == "other" and r.kind == "other"
        if not r.needs_triage and have and not both_other and (lab["ambiguous"] or not want or have[0] != want[0]):
            mun_wrong.append(lab["file"])
        if want and not lab["ambiguous"]:
            mun_total += 1
            mun_hit += not r.needs_triage and bool(have) and have[0] == want[0]
        if lab["reference"]:
            ref_total += 1
            ref_hit += not r.needs_triage and ref == lab["reference"]
            if ref and not r.needs_triage and ref != lab["reference"]:
                ref_wrong.append(lab["file"])
        rows.append(f"{str(lab['file'])[:44]:44} {lab['kind']:>17}->{r.kind:<17} want {want[:2]} {lab['reference']}"
                    f" | got {have[:2]} {ref} triage={r.needs_triage}")
    report = "\n".join(rows)
    kind_pct = 100 * kind_ok / n
    mun_rec, ref_rec = 100 * mun_hit / mun_total, 100 * ref_hit / ref_total
    print(f"\nkind {kind_pct:.1f}% | municipality wrong {len(mun_wrong)} recall {mun_rec:.1f}% | reference wrong "
          f"{len(ref_wrong)} recall {ref_rec:.1f}% | auto missed {auto_missed} false {false_auto} | "
          f"ambiguous not triaged {amb_missed}")
    assert kind_pct >= 97, report
    assert not mun_wrong, f"wrong municipality acted on: {mun_wrong}\n{report}"
    assert not ref_wrong, f"wrong reference acted on: {ref_wrong}\n{report}"
    assert mun_rec >= 95 and ref_rec >= 95, report
    assert not auto_missed and not false_auto, report
    assert not amb_missed, report
