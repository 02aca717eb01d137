"""How well the reader reads a labelled corpus: the measures of `../shared/tools/score_corpus.py`, in process.

`evaluate(corpus, ctx)` reads every labelled mail with exactly the service's reading step and counts what the
scorer counts (kind, artikel 8 raised, automatic mail, municipality and reference acted on, triage, facts).
`leave_one_writer_out(corpora)` reads each writer's corpus with a kind model fitted without it: the honest
estimate of how the reader does on the next writer's mail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.fact_training import FactMail, choose_bar, fact_outcomes, fit_fact_model
from bot.modelling import Example, corpus_context, fit, labels
from parsers.model import AUTOMATIC_KINDS, Reading
from parsers.registry import Registry, fold
from parsers.understand import ReadingContext, read_mail


@dataclass
class Score:
    corpus: str
    n: int = 0
    kind_ok: int = 0
    article8: int = 0
    article8_raised: int = 0
    automatic: int = 0
    automatic_missed: int = 0
    false_automatic: int = 0
    municipality_wrong: int = 0
    municipality_hit: int = 0
    municipality_total: int = 0
    reference_wrong: int = 0
    reference_hit: int = 0
    reference_total: int = 0
    ambiguous: int = 0
    ambiguous_triaged: int = 0
    facts_right: int = 0
    facts_wrong: int = 0
    facts_total: int = 0
    confusions: list[str] = field(default_factory=list)

    @staticmethod
    def pct(a: int, b: int) -> float:
        return 100.0 * a / b if b else 100.0

    def line(self) -> str:
        p = self.pct
        return (f"{self.corpus}: n={self.n} kind {p(self.kind_ok, self.n):.1f}% | article8 {self.article8_raised}/"
                f"{self.article8} | automatic {self.automatic - self.automatic_missed}/{self.automatic} false-auto "
                f"{self.false_automatic} | municipality wrong {self.municipality_wrong} recall "
                f"{p(self.municipality_hit, self.municipality_total):.1f}% | reference wrong {self.reference_wrong} "
                f"recall {p(self.reference_hit, self.reference_total):.1f}% | ambiguous->triage "
                f"{self.ambiguous_triaged}/{self.ambiguous} | facts right {self.facts_right}/{self.facts_total} "
                f"wrong {self.facts_wrong}")

    def as_dict(self) -> dict[str, object]:
        d = {k: v for k, v in self.__dict__.items() if k != "confusions"}
        d["kind_pct"] = round(self.pct(self.kind_ok, self.n), 1)
        return d


def _code(registry: Registry, name: str) -> str:
    m = registry.resolve(name) or next((x for x in registry.municipalities if fold(x.name) == fold(name)), None)
    return m.code if m else "?" + name


def score(corpus: str, pairs: Sequence[tuple[dict[str, object], Reading]], registry: Registry) -> Score:
    s = Score(corpus)
    for lab, r in pairs:
        s.n += 1
        want_kind = str(lab["kind"])
        s.kind_ok += r.kind == want_kind
        if r.kind != want_kind:
            s.confusions.append(f"{lab['file']}: {want_kind} -> {r.kind.value}")
        if want_kind == "article8":
            s.article8 += 1
            s.article8_raised += r.kind == "article8"
        if want_kind in AUTOMATIC_KINDS:
            s.automatic += 1
            s.automatic_missed += r.kind not in AUTOMATIC_KINDS
        elif r.kind in AUTOMATIC_KINDS:
            s.false_automatic += 1
        want = [_code(registry, str(m)) for m in lab["municipalities"]]  # type: ignore[attr-defined]
        have = [m.code for m in r.municipalities]
        ambiguous = bool(lab.get("ambiguous"))
        s.ambiguous += ambiguous
        s.ambiguous_triaged += ambiguous and r.needs_triage
        both_other = want_kind == "other" and r.kind == "other"
        if not r.needs_triage and have and not both_other and (ambiguous or not want or have[0] != want[0]):
            s.municipality_wrong += 1
        if want and not ambiguous:
            s.municipality_total += 1
            s.municipality_hit += not r.needs_triage and bool(have) and have[0] == want[0]
        ref = r.reference.value if r.reference else None
        if lab.get("reference"):
            s.reference_total += 1
            s.reference_hit += not r.needs_triage and ref == lab["reference"]
            s.reference_wrong += bool(ref) and not r.needs_triage and ref != lab["reference"]
        o = fact_outcomes(lab.get("facts") or {}, r.facts)  # type: ignore[arg-type]
        s.facts_total += o["right"] + o["wrong"] + o["missed"]
        s.facts_right += o["right"]
        s.facts_wrong += o["wrong"] + o["wrong_null"]
    return s


def read_corpus(corpus: Path, ctx: ReadingContext) -> list[tuple[dict[str, object], Reading]]:
    return [(lab, read_mail((corpus / str(lab["file"])).read_bytes(), ctx)) for lab in labels(corpus)]


def leave_one_writer_out(corpora: Sequence[Path], examples: Sequence[Example], registry: Registry,
                         fact_mails: Sequence[FactMail] = (), fact_bar: float | None = None) -> list[Score]:
    """Each corpus read in full by a kind model (and, given `fact_mails`, a fact model) fitted on every other
    corpus. The fact model's probability bar is `fact_bar` (the shipped model's, chosen on all writers) or, None,
    chosen again without the writer (eighteen times the work)."""
    out = []
    for corpus in corpora:
        model = fit([e for e in examples if e.writer != corpus.name])
        ctx = replace(corpus_context(corpus, registry, frozenset({"minjenv.nl"})), kind_model=model)
        if fact_mails:
            others = [m for m in fact_mails if m.writer != corpus.name]
            bar = fact_bar if fact_bar is not None else choose_bar(others)
            ctx = replace(ctx, fact_model=fit_fact_model(others, bar=bar))
        out.append(score(corpus.name, read_corpus(corpus, ctx), registry))
    return out


def external_score(root: Path, examples: Sequence[Example], registry: Registry) -> Score | None:
    """The external corpus (never trained on: real mail of other projects) read by the kind model fitted on the
    labelled corpora: automatic mail recognised, other mail not taken as automatic. None when it is not there."""
    manifest = root / "MANIFEST.tsv"
    if not manifest.exists():
        return None
    import csv

    model = fit(examples)
    ctx = ReadingContext(registry=registry, kind_model=model)
    s = Score("external")
    with manifest.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            r = read_mail((root / row["path"]).read_bytes(), ctx)
            automatic = row["category"] in ("auto_reply", "dsn_bounce")
            s.n += 1
            s.automatic += automatic
            if automatic and r.kind not in AUTOMATIC_KINDS:
                s.automatic_missed += 1
                s.confusions.append(f"{row['path']}: {row['category']} -> {r.kind.value}")
            if not automatic and r.kind in AUTOMATIC_KINDS:
                s.false_automatic += 1
            s.kind_ok += (r.kind in AUTOMATIC_KINDS) == automatic
    return s


def total(scores: Sequence[Score]) -> Score:
    t = Score("all")
    for s in scores:
        for k, v in s.__dict__.items():
            if isinstance(v, int):
                setattr(t, k, getattr(t, k) + v)
    return t


def as_json(scores: Sequence[Score], external: Score | None = None) -> str:
    """The writers' scores, their total, and the external corpus's check apart (not in the total)."""
    rows = [*scores, total(scores), *([external] if external else [])]
    return json.dumps([s.as_dict() for s in rows], ensure_ascii=False)


__all__ = ["Score", "as_json", "external_score", "leave_one_writer_out", "read_corpus", "score", "total"]
