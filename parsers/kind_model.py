"""The learned kind decision: features of a mail, and a linear model over them that gives each kind a probability.

Features are the mail's words (the sender's own text, the subject, the attachment's text; single words and pairs
of words, folded to ASCII lower case; numbers by their shape; municipality names as one token) and the named
signals of `kind_signals`. The model is multinomial logistic regression, fitted by `ibt model train`
(bot/modelling) from the labelled corpora and shipped as `parsers/data/kind_model.json`: a table of weights,
read once at start-up. Reading needs no machine-learning library: a probability is a sum of weights and a softmax.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from parsers.mailview import MailView

KINDS = ("reply", "article8", "extension_request", "question", "auto_reply", "bounce", "other")
MODEL_FORMAT = 1

_WORD = re.compile(r"[a-z]+|\d+")
_STOP = frozenset({"de", "het", "een", "en", "van", "in", "op", "te", "is", "dat", "die", "met", "voor", "aan", "er",
                   "the", "to", "of", "and", "a"})


def fold_text(text: str) -> str:
    """Lower case ASCII: accents taken off (ĳ → ij), so that "Súdwest" and "sudwest" are one word."""
    text = unicodedata.normalize("NFKD", text.lower())
    return text.encode("ascii", "ignore").decode("ascii")


def _token(word: str, names: frozenset[str]) -> str:
    if word.isdigit():
        return "<num4>" if len(word) <= 4 else ("<ref>" if len(word) == 7 else "<numlong>")
    if word in names:
        return "<naam>"
    return word


def words(text: str, names: frozenset[str] = frozenset(), limit: int = 4000) -> list[str]:
    return [_token(w, names) for w in _WORD.findall(fold_text(text[:limit])) if len(w) > 1 or w.isdigit()]


def features(view: MailView, signals: Mapping[str, str], names: frozenset[str] = frozenset()) -> set[str]:
    """The mail as a set of feature names (`w:` a word of its own text, `b:` a pair of them, `s:` a subject word,
    `a:` an attachment word, `sig:` a signal)."""
    out: set[str] = {f"sig:{name}" for name in signals}
    own = words(view.new, names)
    out.update(f"w:{w}" for w in own if w not in _STOP)
    out.update(f"b:{a}_{b}" for a, b in itertools.pairwise(own))
    subject = re.sub(r"^\s*(?:(?:re|aw|antw|fw|fwd|wg|doorst|tr|sv)\s*:\s*)+", "", view.mail.subject, flags=re.I)
    out.update(f"s:{w}" for w in words(subject, names, 300) if w not in _STOP)
    if view.attachments:
        out.update(f"a:{w}" for w in words(view.attachments, names, 3000) if w not in _STOP)
    return out


@dataclass(frozen=True)
class KindModel:
    """A fitted model: per feature one weight per kind, an intercept per kind, and what it was trained on."""

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    trained_on: Mapping[str, int] = field(default_factory=dict)  # corpus → number of mails
    version: str = ""

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        """Probability of each kind (softmax of the summed weights)."""
        z = list(self.intercept)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for i, x in enumerate(w):
                    z[i] += x
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {k: e[i] / total for i, k in enumerate(self.classes)}

    def strongest(self, feats: Iterable[str], kind: str, n: int = 5) -> list[tuple[str, float]]:
        """The features that pushed most towards `kind` (its weight above the mean of the other kinds)."""
        i = self.classes.index(kind)
        pushes = []
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                others = (sum(w) - w[i]) / (len(w) - 1)
                if w[i] - others > 0:
                    pushes.append((f, w[i] - others))
        pushes.sort(key=lambda p: (-p[1], p[0]))
        return pushes[:n]

    def to_json(self) -> str:
        return json.dumps({"format": MODEL_FORMAT, "version": self.version, "classes": list(self.classes),
                           "intercept": [round(x, 5) for x in self.intercept], "trained_on": dict(self.trained_on),
                           "weights": {f: [round(x, 4) for x in w] for f, w in sorted(self.weights.items())}},
                          ensure_ascii=True, separators=(",", ":"), sort_keys=False)


def model_from_json(text: str) -> KindModel:
    """Raises ValueError on a file that is not a kind model of this format."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
        raise ValueError(f"not a kind model of format {MODEL_FORMAT}")
    classes = tuple(data["classes"])
    if set(classes) != set(KINDS):
        raise ValueError(f"kind model classes {classes} are not {KINDS}")
    weights = {str(f): tuple(float(x) for x in w) for f, w in data["weights"].items()}
    if any(len(w) != len(classes) for w in weights.values()) or len(data["intercept"]) != len(classes):
        raise ValueError("kind model weights do not match its classes")
    return KindModel(classes, tuple(float(x) for x in data["intercept"]), weights,
                     {str(k): int(v) for k, v in data.get("trained_on", {}).items()}, str(data.get("version", "")))


@lru_cache(maxsize=1)
def shipped_kind_model() -> KindModel:
    """The model shipped with the package (parsers/data/kind_model.json), read once."""
    return model_from_json(resources.files("parsers").joinpath("data/kind_model.json").read_text(encoding="utf-8"))


__all__ = ["KINDS", "KindModel", "features", "fold_text", "model_from_json",
           "shipped_kind_model", "words"]
