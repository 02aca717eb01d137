"""The kind of a mail: structure decides where it can (`kinds.HARD_RULES`), the kind model weighs everything else.

Costs are not symmetric, and the decision says so:
- a mail that may be an artikel 8 notification is raised as one (urgently, marked "mogelijk artikel 8" and sent to
  triage) once its probability reaches `ARTICLE8_RAISE`, even when another kind scores higher: a missed notice is
  worse than a false alarm;
- wording alone makes a mail automatic only with `AUTOMATIC_MIN` probability: human mail taken for an auto-reply
  would never count as an answer; below that the best human kind is taken, with triage when the automatic kind
  still has `AUTOMATIC_DOUBT` (an auto-reply taken for an answer would stop the chase);
- a mail a municipality wrote itself is dismissed as `other` (no alert at all) only with `OTHER_MIN` probability;
  any other mail read as `other` below that bar, with a human kind at a fifth or more, goes to triage with it;
- a forwarded mail ("FW: Onbestelbaar: ...") is a person's, never automatic;
- when the two best kinds are within `MARGIN`, the mail goes to triage with both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.kind_model import KindModel, features
from parsers.kind_signals import detect_signals
from parsers.kinds import structural_kind
from parsers.mailview import MailView
from parsers.model import AUTOMATIC_KINDS, Kind

ARTICLE8_RAISE = 0.25
AUTOMATIC_MIN = 0.6
AUTOMATIC_DOUBT = 0.5  # below AUTOMATIC_MIN the best human kind is taken; from here on with triage
MARGIN = 0.05
OTHER_MIN = 0.6  # a municipality's own mail is dismissed as "other" only this sure (it would raise no alert at all)
OTHER_DOUBT = 0.4
HUMAN_IN_REACH = 0.2  # mail read as other below OTHER_MIN with a human kind this likely goes to triage
THIRD_PARTY_DOUBT = 0.1  # a human kind with the signs of a third party and this much "other": triage


@dataclass(frozen=True)
class KindDecision:
    kind: Kind
    rule: str  # the structural rule that decided, or "model"
    reason: str
    scores: dict[str, float] = field(default_factory=dict)  # kind → probability
    signals: dict[str, str] = field(default_factory=dict)  # signal name → what it saw
    strongest: tuple[tuple[str, float], ...] = ()  # features that pushed most towards the kind
    candidates: tuple[Kind, ...] = ()  # when unsure: the two kinds an officer should choose from
    possible_article8: bool = False  # raised as artikel 8 although another kind scored higher

    @property
    def uncertain(self) -> bool:
        return bool(self.candidates)


def decide_kind(view: MailView, model: KindModel, names: frozenset[str] = frozenset()) -> KindDecision:
    hard = structural_kind(view)
    if hard is not None:
        kind, rule, reason = hard
        return KindDecision(kind, rule, reason, {k: float(k == kind.value) for k in model.classes})
    signals = detect_signals(view)
    feats = features(view, signals, names)
    scores = model.scores(feats)
    ranked = sorted(scores, key=lambda k: -scores[k])
    best, second = ranked[0], ranked[1]
    candidates: tuple[Kind, ...] = ()
    possible8 = False
    if best != Kind.ARTICLE8 and scores[Kind.ARTICLE8] >= ARTICLE8_RAISE:
        possible8 = True
        candidates = (Kind.ARTICLE8, Kind(best))
        best = Kind.ARTICLE8.value
    elif Kind(best) in AUTOMATIC_KINDS and "forward_subject" in signals:
        # "FW: Onbestelbaar: ...": a person forwarded it (a mail system forwards nothing), so it is theirs to answer
        human = next(k for k in ranked if Kind(k) not in AUTOMATIC_KINDS)
        candidates = (Kind(human), Kind(best))
        best = human
    elif Kind(best) in AUTOMATIC_KINDS and scores[best] < AUTOMATIC_MIN:
        human = next(k for k in ranked if Kind(k) not in AUTOMATIC_KINDS)
        if scores[best] >= AUTOMATIC_DOUBT:
            candidates = (Kind(human), Kind(best))
        best = human
    elif best == Kind.OTHER and view.municipal_writer and scores[best] < OTHER_MIN:
        human = next(k for k in ranked if Kind(k) not in (*AUTOMATIC_KINDS, Kind.OTHER))
        if scores[best] >= OTHER_DOUBT:
            candidates = (Kind(human), Kind.OTHER)
        best = human
    elif best == Kind.OTHER and scores[best] < OTHER_MIN and max(
            scores[k] for k in (Kind.REPLY, Kind.ARTICLE8, Kind.EXTENSION_REQUEST, Kind.QUESTION)) >= HUMAN_IN_REACH:
        # not a municipality's own mail by its sender, but it may still be one (a wethouder on a private address):
        # kept as other, and shown to an officer with the human kind it could be
        human = next(k for k in ranked if Kind(k) not in (*AUTOMATIC_KINDS, Kind.OTHER))
        candidates = (Kind.OTHER, Kind(human))
    elif Kind(best) not in (*AUTOMATIC_KINDS, Kind.OTHER) and scores[Kind.OTHER] >= THIRD_PARTY_DOUBT and (
            "private_person" in signals or "rule_third_party" in signals):
        # a resident, a council member, the press or a firm may write about a municipality without writing for it:
        # never acted on for that municipality unless the model is sure it is not such a third party
        candidates = (Kind(best), Kind.OTHER)
    elif scores[best] - scores[second] < MARGIN:
        candidates = (Kind(best), Kind(second))
    top = "; ".join(f"{k} {scores[k]:.2f}" for k in ranked[:3])
    reason = f"kind model: {top}"
    return KindDecision(Kind(best), "model", reason, scores, signals, tuple(model.strongest(feats, best)),
                        candidates, possible8)


__all__ = [
    "ARTICLE8_RAISE",
    "AUTOMATIC_DOUBT",
    "AUTOMATIC_MIN",
    "HUMAN_IN_REACH",
    "MARGIN",
    "OTHER_DOUBT",
    "OTHER_MIN",
    "THIRD_PARTY_DOUBT",
    "KindDecision",
    "decide_kind",
]
