"""Fitting and measuring the fact model from labelled corpora (for `ibt model train` / `ibt model evaluate`).

A corpus is a folder with `*.eml`, `labels.jsonl` and `letters.csv`; each corpus is one writer. The text read is
exactly the service's (`parsers.reading.mail_view`: the sender's own text and the attachments' text). Only mails
labelled reply or article8 teach or are scored.

Weak labels: a candidate (`parsers.fact_candidates.candidates`) belongs to a slot when its value equals the labelled
value of that slot; it is `total_with_amv` when it equals realised + realised_amv (`planned_with_amv` likewise), and
`none` otherwise. A value that two slots share teaches nothing. A feature is kept only when candidates of at least
`MIN_WRITERS` writers have it (no phrase of one writer; municipality names and references are never features).

The fit is multinomial logistic regression (scikit-learn, lbfgs, L2), deterministic for the same corpora. The
probability bar is chosen by leave-one-writer-out, a wrong fact costing ten missed ones (`choose_bar`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.modelling import corpora_under, corpus_context, labels, one_hot
from parsers.fact_candidates import Candidate, candidates
from parsers.fact_model import SLOTS, FactModel, read_facts
from parsers.mime import parse_mime
from parsers.model import Facts
from parsers.reading import mail_view
from parsers.registry import Registry

FACT_KEYS = ("realised", "planned", "expected_date", "location_lost", "realised_amv", "planned_amv")
MIN_WRITERS = 2
C = 0.3
BARS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_BAR = 0.6
WRONG_COST = 10
SCORED_KINDS = ("reply", "article8")


@dataclass(frozen=True)
class FactMail:
    writer: str
    file: str
    article8: bool
    text: str
    ref: date | None
    facts: dict[str, object]  # the label's facts (expected_date as ISO text)


@dataclass
class FactScore:
    writer: str
    right: int = 0
    wrong: int = 0
    missed: int = 0

    def line(self) -> str:
        return f"{self.writer}: facts right {self.right} wrong {self.wrong} missed {self.missed}"


def load_fact_mails(corpus: Path, registry: Registry) -> list[FactMail]:
    ctx = corpus_context(corpus, registry, frozenset({"minjenv.nl"}))
    out = []
    for lab in labels(corpus):
        if lab["kind"] not in SCORED_KINDS:
            continue
        mail = parse_mime((corpus / str(lab["file"])).read_bytes())
        body, _, view = mail_view(mail, ctx)
        facts = lab.get("facts") or {}
        assert isinstance(facts, dict)
        out.append(FactMail(corpus.name, str(lab["file"]), lab["kind"] == "article8",
                            body.new + "\n\n" + view.attachments, mail.date.date() if mail.date else None,
                            dict(facts)))
    return out


def fact_mails_of(corpora: Iterable[Path], registry: Registry) -> list[FactMail]:
    return [m for corpus in corpora for m in load_fact_mails(corpus, registry)]


def _targets(facts: dict[str, object]) -> dict[str, object]:
    """Slot → labelled value, with the totals that include AMV places."""
    out: dict[str, object] = {}
    for key in ("realised", "realised_amv", "planned", "planned_amv", "location_lost"):
        if isinstance(facts.get(key), int):
            out[key] = facts[key]
    if isinstance(facts.get("expected_date"), str):
        out["expected_date"] = date.fromisoformat(str(facts["expected_date"]))
    for total, a, b in (("total_with_amv", "realised", "realised_amv"), ("planned_with_amv", "planned", "planned_amv")):
        x, y = facts.get(a), facts.get(b)
        if isinstance(x, int) and isinstance(y, int) and y > 0:
            out[total] = x + y
    return out


def weak_labels(mail: FactMail, cands: Sequence[Candidate]) -> list[str | None]:
    """The slot of each candidate (None: ambiguous, not used)."""
    targets = _targets(mail.facts)
    out: list[str | None] = []
    for c in cands:
        hits = [slot for slot, v in targets.items() if v == c.value and (slot == "expected_date") == c.is_date]
        out.append("none" if not hits else hits[0] if len(hits) == 1 else None)
    return out


@dataclass(frozen=True)
class _Row:
    writer: str
    file: str
    slot: str
    features: frozenset[str]


def _rows(mails: Sequence[FactMail]) -> list[_Row]:
    rows = []
    for m in mails:
        cands = candidates(m.text, m.ref, m.article8)
        for c, slot in zip(cands, weak_labels(m, cands), strict=True):
            if slot is not None:
                rows.append(_Row(m.writer, m.file, slot, c.features))
    return rows


def _vocabulary(rows: Sequence[_Row]) -> list[str]:
    writers: dict[str, set[str]] = {}
    for r in rows:
        for f in r.features:
            writers.setdefault(f, set()).add(r.writer)
    return sorted(f for f, w in writers.items() if len(w) >= MIN_WRITERS)


def fit_rows(rows: Sequence[_Row], c: float = C, bar: float = DEFAULT_BAR) -> FactModel:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows = sorted(rows, key=lambda r: (r.writer, r.file, r.slot, sorted(r.features)))
    vocab = _vocabulary(rows)
    index = {f: i for i, f in enumerate(vocab)}
    x = one_hot([frozenset(r.features) for r in rows], index)
    y = [r.slot for r in rows]
    present = [s for s in SLOTS if s in set(y)]
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(x, y)
    classes = list(clf.classes_)
    coef = clf.coef_
    intercept = clf.intercept_
    if len(classes) == 2:  # binary fit: one row of weights, for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    rows_of = {s: classes.index(s) for s in present}
    weights = {}
    for f, i in index.items():
        w = tuple(float(coef[rows_of[s], i]) if s in rows_of else 0.0 for s in SLOTS)
        if max(abs(v) for v in w) >= 0.005:
            weights[f] = w
    icpt = tuple(float(intercept[rows_of[s]]) if s in rows_of else -30.0 for s in SLOTS)
    trained = dict(sorted(Counter(r.writer for r in {(r.writer, r.file): r for r in rows}.values()).items()))
    digest = hashlib.sha256(json.dumps([(r.writer, r.file, r.slot) for r in rows]).encode()).hexdigest()[:12]
    return FactModel(SLOTS, icpt, weights, bar, trained,
                     f"{sum(trained.values())} mails, {len(trained)} writers, C={c}, {digest}")


def fit_fact_model(mails: Sequence[FactMail], c: float = C, bar: float = DEFAULT_BAR) -> FactModel:
    """The fact model fitted on these mails, with the bar given."""
    return fit_rows(_rows(mails), c, bar)


def fact_outcomes(labelled: Mapping[str, object], facts: Facts) -> Counter[str]:
    """The scorer's rule, per labelled key: "right" when equal, "wrong" when another value is given, "wrong_null"
    when a value is given where the label says null ("no date given"), "missed" when none is given; keys the label
    leaves out are not scored."""
    out: Counter[str] = Counter()
    for key, want in labelled.items():
        if key not in FACT_KEYS:
            continue
        got = getattr(facts, key)
        got_s = got.isoformat() if isinstance(got, date) else got
        if want is None:
            out["wrong_null"] += got is not None
        elif got is None:
            out["missed"] += 1
        else:
            out["right" if str(got_s) == str(want) else "wrong"] += 1
    return out


def score_facts(writer: str, pairs: Iterable[tuple[FactMail, Facts]]) -> FactScore:
    s = FactScore(writer)
    for mail, facts in pairs:
        o = fact_outcomes(mail.facts, facts)
        s.right += o["right"]
        s.wrong += o["wrong"] + o["wrong_null"]
        s.missed += o["missed"]
    return s


def _folds(mails: Sequence[FactMail], c: float) -> dict[str, FactModel]:
    rows = _rows(mails)
    return {w: fit_rows([r for r in rows if r.writer != w], c) for w in sorted({m.writer for m in mails})}


def choose_bar(mails: Sequence[FactMail], c: float = C, bars: Sequence[float] = BARS) -> float:
    """The bar with the best leave-one-writer-out right − `WRONG_COST` × wrong (a wrong fact costs ten missed ones;
    ties: the higher bar)."""
    folds = _folds(mails, c)
    best = (float("-inf"), DEFAULT_BAR)
    for b in bars:
        right = wrong = 0
        for writer, model in folds.items():
            s = score_facts(writer, ((m, read_facts(model, m.text, m.ref, m.article8, b))
                                     for m in mails if m.writer == writer))
            right, wrong = right + s.right, wrong + s.wrong
        best = max(best, (right - WRONG_COST * wrong, b))
    return best[1]


def write_fact_model(path: Path, corpora_root: Path, registry: Registry) -> FactModel:
    """Fit on every labelled corpus under `corpora_root` (bar chosen by leave-one-writer-out) and write the JSON."""
    mails = fact_mails_of(corpora_under(corpora_root), registry)
    model = fit_fact_model(mails, C, choose_bar(mails))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(model.to_json() + "\n", encoding="utf-8")
    tmp.replace(path)
    return model


__all__ = ["FACT_KEYS", "FactMail", "FactScore", "choose_bar", "fact_mails_of", "fact_outcomes", "fit_fact_model",
           "load_fact_mails", "score_facts", "weak_labels", "write_fact_model"]
