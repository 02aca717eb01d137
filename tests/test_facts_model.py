"""The learned fact reader: candidates and their context, the rules on top, the model file, the shipped artefact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parsers.fact_candidates import candidates
from parsers.fact_model import (
    SLOTS,
    FactModel,
    fact_model_from_json,
    read_facts,
    shipped_fact_model,
)
from parsers.fact_numbers import number_word
from parsers.facts import find_facts

ROOT = Path(__file__).resolve().parents[1]
REF = date(2026, 5, 4)


def _values(text: str) -> list[object]:
    return [c.value for c in candidates(text, REF)]


@pytest.mark.parametrize(("word", "value"), [
    ("veertig", 40), ("zestig", 60), ("tweehonderdvijftig", 250), ("honderdtwintig", 120),
    ("vijfenzeventig", 75), ("tweeëntwintig", 22), ("honderdvijftig", 150), ("duizend", 1000),
    ("tweeduizendvijfhonderd", 2500), ("en", None), ("tiental", None),
])
def test_number_words(word: str, value: int | None) -> None:
    assert number_word(word) == value


def test_candidates_digits_words_and_dates() -> None:
    text = ("Goes biedt op dit moment opvang aan honderdvijftig asielzoekers. Daarnaast zijn zestig plekken in "
            "voorbereiding; in totaal 1.640 plekken. Wij verwachten per 1 juli 2027 te voldoen. Bel 06 41 28 73 90, "
            "Postbus 5000, 7400 GC Deventer, kenmerk 7468140, artikel 8.")
    values = _values(text)
    assert 150 in values and 60 in values and 1640 in values and date(2027, 7, 1) in values
    assert 7468140 not in values and 5000 not in values and 8 not in values and 7400 not in values


def test_periods_map_to_their_last_day() -> None:
    values = _values("Wij verwachten in september 2026 en uiterlijk in het tweede kwartaal van 2027 en in Q3 2027 "
                     "en in the first quarter of 2028 klaar te zijn.")
    assert date(2026, 9, 30) in values and date(2027, 6, 30) in values and date(2027, 9, 30) in values
    assert date(2028, 3, 31) in values


def _feats(text: str, value: int) -> frozenset[str]:
    return next(c.features for c in candidates(text, REF) if c.value == value)


def test_table_row_label_and_column_header_pdf_like() -> None:
    text = ("\tWettelijke taak\tGerealiseerd (mei 2026)\tIn voorbereiding\n"
            "Regulier\t448\t225\t140\nAMV\t38\t20\t20\nTotaal\t486\t245\t160\n")
    f = _feats(text, 225)
    assert "table" in f and "rl:regulier" in f and "ch:gerealiseerd" in f
    f = _feats(text, 140)
    assert "ch:voorbereiding" in f and "chc:voorbereiding" in f


def test_table_space_aligned_and_pipes() -> None:
    text = ("Locatie                      | soort    | plekken | status\n"
            "Hoofdweg (voormalig kantoor) | regulier | 110     | in gebruik\n"
            "AMV-woning Oostgaarde        | AMV      | 14      | in gebruik\n")
    f = _feats(text, 14)
    assert "ch:plekken" in f and "row:amv" in f and "row:gerealiseerd" in f
    spaced = ("Locatie                       Doelgroep  Plekken  Stand van zaken\n"
              "Kantoorpand Europapark        regulier   300      vergunning verleend\n")
    f = _feats(spaced, 300)
    assert "ch:plekken" in f and "rl:kantoorpand" in f and "row:voorbereiding" in f


def test_html_table_cells_one_per_line_see_the_lines_before() -> None:
    text = "Kleinschalige AMV-woning Westwijk\n\nAMV\n\n40\n\n1 juli 2027\n"
    assert "plc:amv" in _feats(text, 40)


def test_waarvan_amv_and_listed_parts() -> None:
    cands = candidates("Op dit moment zijn 96 opvangplekken gerealiseerd, waarvan 8 voor alleenstaande minderjarige "
                       "vreemdelingen.", REF)
    total = next(c for c in cands if c.value == 96)
    assert total.waarvan == 8
    cands = candidates("Er zijn 215 plekken in voorbereiding: Brandevoort (150 plekken) en AMV-woningen (65 plekken).",
                       REF)
    total = next(c for c in cands if c.value == 215)
    parts = [cands[j] for j in total.parts]
    assert sorted(p.value for p in parts) == [65, 150]  # type: ignore[type-var]
    assert [p.value for p in parts if p.amv] == [65]


def _model(bias: dict[str, float]) -> FactModel:
    """A hand-made model: each feature pushes one slot."""
    weights = {f: tuple(w if s == slot else 0.0 for s in SLOTS) for f, (slot, w) in
               {f: (s, 8.0) for f, s in bias.items()}.items()}
    return FactModel(SLOTS, tuple(2.0 if s == "none" else 0.0 for s in SLOTS), weights, 0.6)


def test_rules_total_less_amv_and_sum_over_locations() -> None:
    model = _model({"nb:gerealiseerd": "realised", "na:gerealiseerd": "realised", "b1:waarvan": "realised_amv"})
    facts = read_facts(model, "Op dit moment zijn 96 plekken gerealiseerd, waarvan 8 AMV. In voorbereiding: "
                       "Oranjestraat 54 plekken en Dorpsstraat 20 plekken.", REF)
    assert (facts.realised, facts.realised_amv, facts.planned) == (88, 8, 74)


def test_rules_none_in_preparation_is_zero() -> None:
    facts = read_facts(_model({}), "Er zijn op dit moment geen nieuwe locaties in voorbereiding.", REF)
    assert facts.planned == 0


def test_fact_model_file_round_trip(tmp_path: Path) -> None:
    model = _model({"c:amv": "realised_amv", "c:vervalt": "location_lost"})
    path = tmp_path / "fact_model.json"
    path.write_text(model.to_json(), encoding="utf-8")
    back = fact_model_from_json(path.read_text(encoding="utf-8"))
    assert back.slots == model.slots and back.bar == model.bar and dict(back.weights) == dict(model.weights)
    assert back.scores(["c:amv"]) == pytest.approx(model.scores(["c:amv"]))
    with pytest.raises(ValueError):
        fact_model_from_json('{"format": 99}')


# -- the shipped model on unseen phrasings --------------------------------------------------------------------------

def test_shipped_model_reads_a_plain_reply() -> None:
    facts = find_facts("Op dit moment zijn in onze gemeente 310 opvangplekken gerealiseerd, waarvan 24 AMV. Er zijn "
                       "120 plekken in voorbereiding. Wij verwachten per 1 oktober 2027 volledig aan de taak te "
                       "voldoen.", REF)
    assert facts.realised in (286, None) and facts.realised_amv in (24, None)
    assert facts.expected_date in (date(2027, 10, 1), None)
    assert facts.realised is not None or facts.expected_date is not None


def test_quoted_ministry_figures_are_not_facts() -> None:
    facts = find_facts("In uw brief staat dat per 1 juli 2025 in onze gemeente 120 plekken waren gerealiseerd en dat "
                       "de wettelijke taak 310 plekken bedraagt.", REF)
    assert facts.realised is None and facts.planned is None


def test_article8_lost_places() -> None:
    text = ("Hierbij melden wij op grond van artikel 8 dat de eigenaar van het hotel de huur heeft opgezegd. "
            "Daarmee vervallen de 70 reguliere plaatsen per 1 september 2026.")
    facts = find_facts(text, REF, article8=True)
    assert facts.location_lost in (70, None)
    assert find_facts(text, REF, article8=False).location_lost is None


def test_shipped_model_loads_once() -> None:
    assert shipped_fact_model() is shipped_fact_model()
    assert shipped_fact_model().slots == SLOTS


@pytest.mark.slow
def test_shipped_fact_model_is_what_fitting_makes(tmp_path: Path) -> None:
    from bot.fact_training import write_fact_model
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR

    out = tmp_path / "fact_model.json"
    write_fact_model(out, ROOT / "tests" / "fixtures", load_registry(CONFIG_DIR))
    assert out.read_bytes() == (ROOT / "parsers" / "data" / "fact_model.json").read_bytes()
