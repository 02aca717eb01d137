"""The learned fact reader: which fact (slot) each number and date of a mail is, and the facts it reads.

The model is multinomial logistic regression over slots (`SLOTS`) on the features of `parsers.fact_candidates`,
fitted by `bot.fact_training` and shipped as `parsers/data/fact_model.json`: per feature one weight per slot, read
once. Reading needs no machine-learning library.
`read_facts` turns the per-candidate probabilities into `Facts`: a value only when its probability clears the bar
(wrong is far worse than missed), then the rules a classifier per number cannot do (a total less its AMV places, a
sum over listed locations, "geen ... in voorbereiding" as 0).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

from parsers.fact_candidates import AMV_NEAR, Candidate, candidates
from parsers.fact_segments import segments
from parsers.model import Facts
from parsers.prefilter import prefiltered

SLOTS = ("none", "realised", "realised_amv", "planned", "planned_amv", "location_lost", "total_with_amv",
         "planned_with_amv", "expected_date")
FACT_MODEL_FORMAT = 1

# -- the model ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactModel:
    """Per feature one weight per slot, an intercept per slot, the probability bar, and what it was trained on."""

    slots: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    bar: float = 0.6
    trained_on: Mapping[str, int] = field(default_factory=dict)  # corpus → number of mails
    version: str = ""

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        ws = filter(None, map(self.weights.get, feats))  # (weights are never empty)
        z = list(map(sum, zip(self.intercept, *ws, strict=True)))  # added in the features' order
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return dict(zip(self.slots, [x / total for x in e], strict=True))

    def to_json(self) -> str:
        return json.dumps({"format": FACT_MODEL_FORMAT, "version": self.version, "slots": list(self.slots),
                           "bar": self.bar, "intercept": [round(x, 5) for x in self.intercept],
                           "trained_on": dict(self.trained_on),
                           "weights": {f: [round(x, 4) for x in w] for f, w in sorted(self.weights.items())}},
                          ensure_ascii=True, separators=(",", ":"))


def fact_model_from_json(text: str) -> FactModel:
    """Raises ValueError on a file that is not a fact model of this format."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FACT_MODEL_FORMAT:
        raise ValueError(f"not a fact model of format {FACT_MODEL_FORMAT}")
    slots = tuple(str(s) for s in data["slots"])
    if set(slots) != set(SLOTS):
        raise ValueError(f"fact model slots {slots} are not {SLOTS}")
    weights = {str(f): tuple(float(x) for x in w) for f, w in data["weights"].items()}
    if any(len(w) != len(slots) for w in weights.values()) or len(data["intercept"]) != len(slots):
        raise ValueError("fact model weights do not match its slots")
    return FactModel(slots, tuple(float(x) for x in data["intercept"]), weights, float(data.get("bar", 0.6)),
                     {str(k): int(v) for k, v in data.get("trained_on", {}).items()}, str(data.get("version", "")))


@lru_cache(maxsize=1)
def shipped_fact_model() -> FactModel:
    """The model shipped with the package (parsers/data/fact_model.json), read once."""
    return fact_model_from_json(resources.files("parsers").joinpath("data/fact_model.json").read_text(encoding="utf-8"))


# -- from probabilities to facts ------------------------------------------------------------------------------------

_NONE_PLANNED = prefiltered(r"\b(?:geen|niets|no)\b(?:\s+\S+){0,4}?\s+(?:in voorbereiding|gepland|in ontwikkeling|"
                           r"in preparation)|\bin voorbereiding\s*:\s*(?:geen|niets|0)\b", re.IGNORECASE)
_NONE_REALISED = prefiltered(r"\b(?:nog\s+)?geen\b(?:\s+\S+){0,3}?\s+(?:gerealiseerd|in gebruik)|"
                            r"\bgerealiseerd\s*:\s*(?:geen|0)\b", re.IGNORECASE)
_PLANNED_CUE = prefiltered(r"voorbereiding|gepland|pijplijn|in ontwikkeling|planned|preparation", re.IGNORECASE)
_PLACE_NUMBER = re.compile(r"(?<![\w.-])(\d{1,3}(?:\.\d{3})+|\d+)\s*\)?\s*(?:\w+\s+)?(?:plekken|plaatsen|places)\b|"
                           r"\((\d+)(?:\s+(?:plekken|plaatsen))?\)", re.IGNORECASE)


def _listed_sum(text: str) -> int | None:
    """The plain sum of the locations listed as in preparation, when the mail gives no total (AMV places apart)."""
    segs = segments(text)
    for i, seg in enumerate(segs):
        s = seg.text
        if seg.row or "?" in s or not _PLANNED_CUE.search(s) or re.search(r"\bamv\b", s, re.IGNORECASE):
            continue
        if re.search(r"\b(?:totaal|samen|in totaal)\b", s, re.IGNORECASE):
            return None
        nums = [int((m.group(1) or m.group(2)).replace(".", "")) for m in _PLACE_NUMBER.finditer(s)]
        if len(nums) >= 2:
            return sum(nums)
        if not nums and s.rstrip().endswith(":"):
            listed = []
            for nxt in segs[i + 1:i + 8]:
                if nxt.row or re.search(r"\bamv\b|gerealiseerd|in gebruik", nxt.text, re.IGNORECASE):
                    break
                m = _PLACE_NUMBER.search(nxt.text)
                if not m:
                    break
                listed.append(int((m.group(1) or m.group(2)).replace(".", "")))
            if len(listed) >= 2:
                return sum(listed)
    return None


def _less_amv(cands: Sequence[Candidate], direct: Candidate | None, total: Candidate | None,
              amv: int | date | None) -> tuple[int | date | None, int | date | None]:
    """(regular places, AMV places): the direct value, or a total less its AMV places. A value that is the sum of
    listed parts of which some are AMV places, or "N, waarvan M AMV", is a total too."""
    if direct is not None and isinstance(direct.value, int):
        amv_parts = [cands[j].value for j in direct.parts if cands[j].amv]
        if amv_parts and len(amv_parts) < len(direct.parts):
            part_sum = sum(v for v in amv_parts if isinstance(v, int))
            if amv is None or amv == part_sum:
                return direct.value - part_sum, part_sum
        if direct.waarvan is not None and (amv is None or amv == direct.waarvan) and direct.value > direct.waarvan:
            return direct.value - direct.waarvan, direct.waarvan
    if not isinstance(amv, int):
        return (direct.value if direct else None), amv
    if total is not None and isinstance(total.value, int) and total.value > amv and (
            direct is None or direct.value == total.value):
        return total.value - amv, amv
    return (direct.value if direct else None), amv


def slot_scores(model: FactModel, cands: Sequence[Candidate]) -> list[dict[str, float]]:
    return [model.scores(c.features) for c in cands]


def read_facts(model: FactModel, text: str, ref: date | None, article8: bool = False,
               bar: float | None = None) -> Facts:
    cands = candidates(text, ref, article8)
    bar = model.bar if bar is None else bar
    best: dict[str, tuple[float, Candidate]] = {}
    # a text that names no AMV places at all: a total "with AMV" is the regular figure as it stands (the conventions:
    # a total with no AMV split is taken as it is), so the two slots count as one
    no_amv = AMV_NEAR.search(text) is None
    for c, sc in zip(cands, slot_scores(model, cands), strict=True):
        if no_amv:
            sc = {**sc, "realised": sc["realised"] + sc["total_with_amv"], "total_with_amv": 0.0,
                  "planned": sc["planned"] + sc["planned_with_amv"], "planned_with_amv": 0.0}
        slot = max(sc, key=sc.__getitem__)
        if slot == "none" or (slot == "expected_date") != c.is_date:
            continue
        if slot not in best or sc[slot] > best[slot][0]:
            best[slot] = (sc[slot], c)
    got = {slot: c for slot, (p, c) in best.items() if p >= bar}
    amv_c, pamv_c = got.get("realised_amv"), got.get("planned_amv")
    amv = amv_c.value if amv_c else None
    pamv = pamv_c.value if pamv_c else None
    realised, amv = _less_amv(cands, got.get("realised"), got.get("total_with_amv"), amv)
    planned, pamv = _less_amv(cands, got.get("planned"), got.get("planned_with_amv"), pamv)
    if planned is None:
        planned = 0 if _NONE_PLANNED.search(text) else _listed_sum(text)
    if realised is None and _NONE_REALISED.search(text):
        realised = 0
    lost = got["location_lost"].value if article8 and "location_lost" in got else None
    expected = got["expected_date"].value if "expected_date" in got else None
    return Facts(realised=realised if isinstance(realised, int) else None,
                 planned=planned if isinstance(planned, int) else None,
                 expected_date=expected if isinstance(expected, date) else None,
                 location_lost=lost if isinstance(lost, int) else None,
                 realised_amv=amv if isinstance(amv, int) else None,
                 planned_amv=pamv if isinstance(pamv, int) else None)


__all__ = ["FACT_MODEL_FORMAT", "SLOTS", "FactModel", "fact_model_from_json", "read_facts", "shipped_fact_model",
           "slot_scores"]
