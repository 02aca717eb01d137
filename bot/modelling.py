"""Fitting and measuring the kind model from labelled corpora (`ibt model train`, `ibt model evaluate`).

A corpus is a folder with `*.eml`, `labels.jsonl` and `letters.csv` (the conventions of `tests/fixtures/dev/README.md`);
each corpus is one writer. Features come from exactly the reading path of the service (`parsers.reading.mail_view`,
`kind_signals`, `kind_model.features`), so what is trained is what is read. A word or word pair becomes a feature
only when the mails of at least `MIN_WRITERS` writers contain it: no feature is a phrase of one writer.

The fit is multinomial logistic regression (scikit-learn, lbfgs, L2): deterministic for the same corpora, and its
weights are all that reading needs. Leave-one-writer-out (`bot.evaluation`): each writer's corpus is read by a model
fitted without it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from parsers.kind_model import KINDS, KindModel, features
from parsers.kind_signals import detect_signals
from parsers.kinds import structural_kind
from parsers.mime import parse_mime
from parsers.model import LetterRef
from parsers.reading import mail_view
from parsers.registry import Registry
from parsers.understand import ReadingContext

MIN_WRITERS = 2
MIN_MAILS = 2
C = 1.0  # inverse L2 strength; chosen by leave-one-writer-out accuracy (README, "Reading unseen mail")


@dataclass(frozen=True)
class Example:
    writer: str
    file: str
    kind: str
    features: frozenset[str]
    structural: bool  # a structural rule decides this mail; the model does not see it in service


def corpora_under(root: Path) -> list[Path]:
    """Every folder below `root` that holds a labelled corpus, sorted by name."""
    return sorted(p.parent for p in root.glob("*/labels.jsonl") if (p.parent / "letters.csv").exists())


def corpus_context(corpus: Path, registry: Registry, own_domains: frozenset[str]) -> ReadingContext:
    letters: dict[str, LetterRef] = {}
    with (corpus / "letters.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            m = registry.resolve(row["municipality"])
            if m is not None:
                letters[row["reference"]] = LetterRef(row["reference"], m.code, date.fromisoformat(row["sent_on"]),
                                                      row.get("to_address", ""), row.get("kind", ""))
    return ReadingContext(registry=registry, letters=letters, own_domains=own_domains)


def labels(corpus: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def load_examples(corpus: Path, registry: Registry, own_domains: frozenset[str] = frozenset({"minjenv.nl"})
                  ) -> list[Example]:
    ctx = corpus_context(corpus, registry, own_domains)
    out = []
    for lab in labels(corpus):
        mail = parse_mime((corpus / str(lab["file"])).read_bytes())
        _, _, view = mail_view(mail, ctx)
        feats = features(view, detect_signals(view), ctx.name_words)
        out.append(Example(corpus.name, str(lab["file"]), str(lab["kind"]), frozenset(feats),
                           structural_kind(view) is not None))
    return out


def _vocabulary(examples: Sequence[Example]) -> list[str]:
    writers: dict[str, set[str]] = {}
    mails: Counter[str] = Counter()
    for ex in examples:
        for f in ex.features:
            writers.setdefault(f, set()).add(ex.writer)
            mails[f] += 1
    return sorted(f for f, w in writers.items()
                  if f.startswith("sig:") or (len(w) >= MIN_WRITERS and mails[f] >= MIN_MAILS))


def one_hot(feature_sets: Sequence[frozenset[str]], index: Mapping[str, int]) -> Any:
    """The rows' features as a sparse 0/1 matrix over `index` (feature → column); features not in it are left out."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for r, feats in enumerate(feature_sets):
        for f in feats:
            if f in index:
                rows.append(r)
                cols.append(index[f])
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feature_sets), len(index)))


def fit(examples: Sequence[Example], c: float = C) -> KindModel:
    """The model fitted on these examples (all seven kinds must occur)."""
    from sklearn.linear_model import LogisticRegression

    examples = sorted(examples, key=lambda e: (e.writer, e.file))
    vocab = _vocabulary(examples)
    index = {f: i for i, f in enumerate(vocab)}
    x = one_hot([ex.features for ex in examples], index)
    y = [ex.kind for ex in examples]
    missing = set(KINDS) - set(y)
    if missing:
        raise ValueError(f"no labelled mail of kind {', '.join(sorted(missing))}: cannot fit the kind model")
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    clf.fit(x, y)
    order = [list(clf.classes_).index(k) for k in KINDS]
    coef = clf.coef_[order]
    weights = {f: tuple(float(coef[k, i]) for k in range(len(KINDS))) for f, i in index.items()
               if float(abs(coef[:, i]).max()) >= 0.005}
    trained = dict(sorted(Counter(ex.writer for ex in examples).items()))
    digest = hashlib.sha256(json.dumps([(e.writer, e.file, e.kind) for e in examples]).encode()).hexdigest()[:12]
    return KindModel(KINDS, tuple(float(clf.intercept_[k]) for k in order), weights, trained,
                     f"{sum(trained.values())} mails, {len(trained)} writers, C={c}, {digest}")


__all__ = ["Example", "corpora_under", "corpus_context", "fit", "labels", "load_examples", "one_hot"]
