"""`ibt model`: fit the kind model from labelled corpora, and measure it writer by writer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "tests" / "fixtures"
SHIPPED = ROOT / "parsers" / "data" / "kind_model.json"
SHIPPED_FACTS = ROOT / "parsers" / "data" / "fact_model.json"
EXTERNAL = ROOT.parent / "shared" / "corpus" / "external"

model_app = typer.Typer(help="The kind model: fit it from labelled mail, measure it.", no_args_is_help=True)

_CORPORA_OPT = typer.Option("--corpora", help="A folder whose sub-folders are labelled corpora (labels.jsonl, "
                            "letters.csv, *.eml), one per writer.")
_EXTERNAL_OPT = typer.Option("--external", help="The external corpus (MANIFEST.tsv), read as a check: its automatic "
                             "mail recognised, its other mail not taken as automatic. Left out when not there.")


def _load(corpora: Path) -> tuple[list[Path], list[object]]:
    from bot.modelling import corpora_under, load_examples
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR

    found = corpora_under(corpora)
    if not found:
        typer.echo(f"no labelled corpus under {corpora}", err=True)
        raise typer.Exit(2)
    registry = load_registry(CONFIG_DIR)
    examples: list[object] = []
    for corpus in found:
        examples += load_examples(corpus, registry)
    return found, examples


@model_app.command("train")
def train(corpora: Annotated[Path, _CORPORA_OPT] = CORPORA,
          out: Annotated[Path, typer.Option("--out", help="Where to write the kind model (JSON).")] = SHIPPED,
          facts_out: Annotated[Path, typer.Option("--facts-out", help="Where to write the fact model (JSON).")]
          = SHIPPED_FACTS) -> None:
    """Fit the kind model and the fact model on every labelled corpus and write them (the same corpora give the
    same files)."""
    from bot.fact_training import write_fact_model
    from bot.modelling import Example, fit
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR

    _found, examples = _load(corpora)
    model = fit([e for e in examples if isinstance(e, Example)])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(model.to_json() + "\n", encoding="utf-8")
    tmp.replace(out)
    typer.echo(f"kind model: {model.version}; {len(model.weights)} features; written to {out}")
    facts = write_fact_model(facts_out, corpora, load_registry(CONFIG_DIR))
    typer.echo(f"fact model: {facts.version}; bar {facts.bar}; {len(facts.weights)} features; written to {facts_out}")


@model_app.command("evaluate")
def evaluate(corpora: Annotated[Path, _CORPORA_OPT] = CORPORA,
             external: Annotated[Path, _EXTERNAL_OPT] = EXTERNAL,
             as_json: Annotated[bool, typer.Option("--json", help="One JSON array of the scores.")] = False) -> None:
    """Leave-one-writer-out: each corpus read by a kind and a fact model fitted without it (what the next writer
    can expect). The fact model's bar is the shipped model's (chosen on all writers)."""
    from bot.evaluation import as_json as scores_json
    from bot.evaluation import external_score, leave_one_writer_out, total
    from bot.modelling import Example
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR

    found, examples = _load(corpora)
    kept = [e for e in examples if isinstance(e, Example)]
    registry = load_registry(CONFIG_DIR)
    from bot.fact_training import fact_mails_of
    from parsers.fact_model import shipped_fact_model

    scores = leave_one_writer_out(found, kept, registry, fact_mails_of(found, registry), shipped_fact_model().bar)
    outside = external_score(external, kept, registry)
    if as_json:
        typer.echo(scores_json(scores, outside))
        return
    for s in scores:
        typer.echo(s.line())
        for c in s.confusions:
            typer.echo(f"    {c}")
    typer.echo(total(scores).line())
    if outside is not None:
        typer.echo(f"external (automatic mail only): {outside.n} files | automatic recognised "
                   f"{outside.automatic - outside.automatic_missed}/{outside.automatic} | other taken as automatic "
                   f"{outside.false_automatic}/{outside.n - outside.automatic}")
        for c in outside.confusions:
            typer.echo(f"    {c}")
