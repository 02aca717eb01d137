"""The municipality registry resolves names, aliases, folded spellings, CBS codes and mail domains."""

from __future__ import annotations

import pytest

from bot.reference_data import load_registry
from bot.settings import CONFIG_DIR
from parsers.registry import Registry, fold

REGISTRY: Registry = load_registry(CONFIG_DIR)


def test_all_342_municipalities_load() -> None:
    assert len(REGISTRY) == 342
    assert len({m.code for m in REGISTRY.municipalities}) == 342


@pytest.mark.parametrize(("text", "code"), [
    ("Hilversum", "GM0402"),
    ("GM0402", "GM0402"),
    ("0402", "GM0402"),
    ("gm0402", "GM0402"),
    ("Den Haag", "GM0518"),
    ("'s-Gravenhage", "GM0518"),
    ("’s-Gravenhage", "GM0518"),
    ("Den Bosch", "GM0796"),
    ("s-Hertogenbosch", "GM0796"),
    ("Sudwest Fryslan", "GM1900"),
    ("SÚDWEST-FRYSLÂN", "GM1900"),
    ("gemeente Súdwest-Fryslân", "GM1900"),
    ("Nuenen", "GM0820"),
    ("Bergen (NH.)", "GM0373"),
    ("Bergen NH", "GM0373"),
    ("Bergen (L.)", "GM0893"),
    ("Hengelo (O.)", "GM0164"),
])
def test_resolve(text: str, code: str) -> None:
    m = REGISTRY.resolve(text)
    assert m is not None and m.code == code


@pytest.mark.parametrize("text", ["Bergen", "Atlantis", "", "GM9999", "Weesp"])
def test_unknown_or_ambiguous_names_do_not_resolve(text: str) -> None:
    assert REGISTRY.resolve(text) is None


def test_former_municipality_points_to_the_current_one() -> None:
    m = REGISTRY.former_of("Weesp")
    assert m is not None and m.name == "Amsterdam"


@pytest.mark.parametrize(("domain", "name"), [
    ("hilversum.nl", "Hilversum"),
    ("mail.hilversum.nl", "Hilversum"),
    ("HILVERSUM.NL.", "Hilversum"),
    ("gemeentemaastricht.nl", "Maastricht"),
    ("bergen-nh.nl", "Bergen (NH.)"),
])
def test_by_domain(domain: str, name: str) -> None:
    m = REGISTRY.by_domain(domain)
    assert m is not None and m.name == name


@pytest.mark.parametrize("domain", ["gmail.com", "minjenv.nl", "nl", "", "hilversum.nl.evil.com"])
def test_foreign_domains_are_no_municipality(domain: str) -> None:
    assert REGISTRY.by_domain(domain) is None


def test_no_domain_is_shared_by_two_municipalities() -> None:
    seen: dict[str, str] = {}
    for m in REGISTRY.municipalities:
        for d in m.domains:
            assert seen.setdefault(d, m.code) == m.code, d


def test_fold() -> None:
    assert fold("’s-Hertogenbosch") == fold("'s-Hertogenbosch") == "s hertogenbosch"
    assert fold("Súdwest-Fryslân") == "sudwest fryslan"
