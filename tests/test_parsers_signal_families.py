"""Families of wording from held-out corpus 6: article-8 abbreviations, cover notes, questions that repeat our
request, mandates of consultancies, joint answers, machine notifications, file-name references, past letter dates
and conflicting letter signals. Each test is a family of wordings, not one fixture's sentence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from parsers.dates import find_dates
from parsers.human_kinds import sentences
from parsers.model import Kind, LetterRef
from parsers.understand import ReadingContext, read_mail
from tests.support.reading import shared_registry

ROOT = Path(__file__).resolve().parents[1]
ZEIST, BUNNIK, BERGEN_L, BERGEN_NH = "GM0355", "GM0312", "GM0893", "GM0373"


@pytest.fixture(scope="module")
def ctx() -> ReadingContext:
    registry = shared_registry()
    letters = {
        "7700001": LetterRef("7700001", ZEIST, date(2026, 4, 9)),
        "7700002": LetterRef("7700002", ZEIST, date(2026, 5, 21)),
        "7700003": LetterRef("7700003", ZEIST, date(2026, 7, 2)),
        "7700010": LetterRef("7700010", BUNNIK, date(2026, 4, 9)),
        "7700020": LetterRef("7700020", BERGEN_L, date(2026, 4, 9)),
        "7700021": LetterRef("7700021", BERGEN_NH, date(2026, 4, 9)),
    }
    return ReadingContext(registry=registry, letters=letters)


def _mail(body: str, subject: str = "Spreidingswet", sender: str = "a.b@zeist.nl", sign: str = "Gemeente Zeist",
          headers: str = "", when: str = "Mon, 20 Jul 2026 10:00:00 +0200") -> bytes:
    return (f"From: A B <{sender}>\r\nTo: ibtspreidingswet@minjenv.nl\r\nSubject: {subject}\r\n{headers}"
            f"Date: {when}\r\nMessage-ID: <x@{sender.split('@')[1]}>\r\n\r\n{body}\r\n\r\n"
            f"Met vriendelijke groet,\r\n\r\nA. B.\r\n{sign}\r\n").encode()


def _with_attachment(body: str, filename: str, text: str, subject: str = "Brief college") -> bytes:
    return ("From: A B <a.b@zeist.nl>\r\nTo: ibtspreidingswet@minjenv.nl\r\n"
            f"Subject: {subject}\r\nDate: Mon, 20 Jul 2026 10:00:00 +0200\r\nMessage-ID: <y@zeist.nl>\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n\r\nMet vriendelijke groet,\r\n\r\nA. B.\r\nGemeente Zeist\r\n"
            f'--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename="{filename}"'
            f"\r\n\r\n{text}\r\n--b--\r\n").encode()


@pytest.mark.parametrize("notice", [
    "Hierbij doet het college melding ex art. 8 Wgtmma.",
    "Conform art. 8, eerste lid, Wgtmma melden wij u het volgende.",
    "Hierbij melden wij op grond van art 8 van de Spreidingswet het volgende.",
    "Dit is een melding als bedoeld in artikel 8 Wgtmma.",
    "Wij doen u hierbij een melding o.g.v. art. 8 Spreidingswet.",
])
def test_article8_abbreviations_beside_a_meeting_request(ctx: ReadingContext, notice: str) -> None:
    body = (f"{notice}\r\n\r\nDe eigenaar heeft zich teruggetrokken; 48 opvangplaatsen in voorbereiding vervallen. "
            "Wij verzoeken u om een gesprek over de gevolgen.")
    assert read_mail(_mail(body, subject="Melding"), ctx).kind is Kind.ARTICLE8


def test_abbreviation_does_not_end_a_sentence_but_a_capital_after_jl_does() -> None:
    assert sentences("Melding ex art. 8 Wgtmma. Wij melden.") == ["Melding ex art. 8 Wgtmma.", "Wij melden."]
    assert sentences("Uw brief van 9 april jl. Op dit moment.") == ["Uw brief van 9 april jl.", "Op dit moment."]


@pytest.mark.parametrize("cover", [
    "Bijgaand treft u een brief van ons college aan.",
    "In de bijlage vindt u het schrijven van ons college.",
    "Hierbij stuur ik u de brief van het college.",
])
def test_cover_note_takes_the_kind_from_the_attachment(ctx: ReadingContext, cover: str) -> None:
    letter = ("Uw kenmerk: 7700003\nGeachte minister,\nWij verzoeken u daarom de termijn voor onze reactie te "
              "verlengen tot en met 28 augustus 2026.\nHoogachtend,\nburgemeester en wethouders van Zeist")
    assert read_mail(_with_attachment(cover, "brief.txt", letter), ctx).kind is Kind.EXTENSION_REQUEST


def test_thanks_for_an_extension_in_an_attached_reply_is_no_request(ctx: ReadingContext) -> None:
    letter = ("Uw kenmerk: 7700003\nWij danken u voor de verlenging van de termijn. Op dit moment zijn 40 plaatsen "
              "gerealiseerd; 20 plaatsen zijn in voorbereiding.")
    assert read_mail(_with_attachment("Bijgaand onze reactie.", "reactie.txt", letter), ctx).kind is Kind.REPLY


@pytest.mark.parametrize("repeat", [
    "In uw brief van 9 april vraagt u ons om de stand van zaken.",
    "U verzoekt ons om de stand van zaken en de plaatsen in voorbereiding.",
    "Wij zijn gevraagd naar de stand van zaken; u vraagt ons ook naar het aantal gerealiseerde plaatsen.",
])
def test_question_that_repeats_our_request_is_a_question(ctx: ReadingContext, repeat: str) -> None:
    body = f"{repeat} Voordat wij reageren: tellen chalets met 4 bedden als 4 plaatsen?"
    assert read_mail(_mail(body), ctx).kind is Kind.QUESTION


def test_indirect_question_about_what_counts_as_realised(ctx: ReadingContext) -> None:
    body = "Het is ons niet duidelijk of tijdelijke units als gerealiseerd gelden. Kunt u dat toelichten?"
    assert read_mail(_mail(body), ctx).kind is Kind.QUESTION


@pytest.mark.parametrize("mandate", [
    "Namens het college van burgemeester en wethouders van de gemeente Bergen verzoek ik u om uitstel tot 1 juni.",
    "In opdracht van het college van Bergen vraag ik u om verlenging van de termijn.",
])
def test_consultancy_for_an_ambiguous_municipality_goes_to_triage(ctx: ReadingContext, mandate: str) -> None:
    r = read_mail(_mail(mandate, sender="m.v@kaderadvies.nl", sign="Kader Advies B.V."), ctx)
    assert r.kind is Kind.EXTENSION_REQUEST and r.needs_triage


def test_consultancy_with_a_clear_mandate_speaks_for_the_municipality(ctx: ReadingContext) -> None:
    body = "Namens het college van Zeist verzoek ik u om uitstel tot 1 juni (uw kenmerk 7700001)."
    r = read_mail(_mail(body, sender="m.v@kaderadvies.nl", sign="Kader Advies B.V."), ctx)
    assert r.kind is Kind.EXTENSION_REQUEST and [m.code for m in r.municipalities][:1] == [ZEIST]


@pytest.mark.parametrize("joint", [
    "Dit is de gezamenlijke reactie van de gemeenten Zeist en Bunnik op uw brieven van 9 april.",
    "Namens beide colleges ontvangt u één reactie van Zeist en Bunnik op uw brieven van 9 april.",
])
def test_joint_reply_lists_both_municipalities(ctx: ReadingContext, joint: str) -> None:
    r = read_mail(_mail(joint + " Op dit moment zijn 60 plaatsen gerealiseerd.", when="Mon, 20 Apr 2026 10:00:00 "
                        "+0200"), ctx)
    assert [m.code for m in r.municipalities] == [ZEIST, BUNNIK] and not r.needs_triage


def test_machine_notification_answering_nothing_is_other(ctx: ReadingContext) -> None:
    raw = _mail("Femke heeft een bestand met u gedeeld: overzicht reacties Zeist.", subject="Femke heeft een "
                "bestand met u gedeeld", sender="no-reply@sharepointonline.com", sign="Microsoft",
                headers="Auto-Submitted: auto-generated\r\n")
    assert read_mail(raw, ctx).kind is Kind.OTHER


def test_auto_generated_answer_to_our_mail_stays_automatic(ctx: ReadingContext) -> None:
    raw = _mail("Uw bericht is in goede orde ontvangen.", subject="Re: Spreidingswet kenmerk 7700001",
                headers="Auto-Submitted: auto-generated\r\nIn-Reply-To: <ours@minjenv.nl>\r\n")
    assert read_mail(raw, ctx).kind is Kind.AUTO_REPLY


@pytest.mark.parametrize(("text", "sent", "want"), [
    ("uw brief van 9 april", date(2026, 6, 10), date(2026, 4, 9)),
    ("uw brief van 14 september", date(2027, 1, 5), date(2026, 9, 14)),
    ("uw brief van 10 juni", date(2026, 6, 10), date(2026, 6, 10)),
])
def test_past_dates_take_the_latest_year_not_after_the_mail(text: str, sent: date, want: date) -> None:
    assert find_dates(text, sent, past=True)[0].value == want


@pytest.mark.parametrize("filename", ["Reactie kenmerk 7700002.pdf", "Reactie_kenmerk_7700002.txt"])
def test_reference_in_an_attachment_file_name(ctx: ReadingContext, filename: str) -> None:
    letter = ("Excuses dat onze reactie op uw brief van 9 april en uw herinnering van 21 mei later komt. "
              "Op dit moment zijn 125 plaatsen gerealiseerd.")
    r = read_mail(_with_attachment("Bijgaand onze reactie.", filename, letter, subject="Reactie Zeist"), ctx)
    assert r.reference is not None and r.reference.value == "7700002" and not r.needs_triage


def test_most_recent_named_letter_without_a_reference(ctx: ReadingContext) -> None:
    body = "Onze reactie op uw brief van 9 april en uw herinnering van 21 mei: 125 plaatsen zijn gerealiseerd."
    r = read_mail(_mail(body, subject="Reactie"), ctx)
    assert r.reference is not None and r.reference.value == "7700002"


@pytest.mark.parametrize("answer", [
    "In reactie op uw brief van 2 juli sturen wij u ons plan van aanpak.",
    "Hierbij ontvangt u ons antwoord op uw schrijven van 2 juli.",
    "Naar aanleiding van uw brief van 2 juli ontvangt u ons plan van aanpak.",
])
def test_newer_letter_answered_by_date_beats_a_stale_cited_reference(ctx: ReadingContext, answer: str) -> None:
    r = read_mail(_mail(answer + " Er zijn 210 plaatsen gerealiseerd.", subject="Plan van aanpak - uw kenmerk "
                        "7700001"), ctx)
    assert r.reference is not None and r.reference.value == "7700003" and not r.needs_triage


def test_newer_letter_named_in_passing_against_a_cited_reference_goes_to_triage(ctx: ReadingContext) -> None:
    body = "Wij kennen uw brief van 2 juli. Er zijn 210 plaatsen gerealiseerd."
    assert read_mail(_mail(body, subject="Reactie - uw kenmerk 7700001"), ctx).needs_triage


def test_older_named_letter_yields_to_the_newer_cited_reference(ctx: ReadingContext) -> None:
    body = "In reactie op uw brief van 9 april: er zijn 210 plaatsen gerealiseerd."
    r = read_mail(_mail(body, subject="Reactie op uw herinnering, kenmerk 7700002"), ctx)
    assert r.reference is not None and r.reference.value == "7700002" and not r.needs_triage
