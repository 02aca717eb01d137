"""`ibt model`: fit the kind model from labelled corpora, and measure it writer by writer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "tests" / "fixtures"
SHIPPED = ROOT / "parsers" / "data" / "kind_model.json"
EXTERNAL = ROOT.parent / "shared" / "corpus" / "external"

model_app = typer.Typer(help="The kind model: fit it from labelled mail, measure it.", no_args_is_help=True)

_CORPORA_OPT = typer.Option("--corpora", help="A folder whose sub-folders are labelled corpora (labels.jsonl, "
                            "letters.csv, *.eml), one per writer.")
_EXTERNAL_OPT = typer.Option("--external", help="The external corpus (MANIFEST.tsv): its automatic mails under a "
                             "permissive licence are one more writer. Left out when the folder is not there.")


def _load(corpora: Path, external: Path) -> tuple[list[Path], list[object]]:
    from bot.modelling import corpora_under, external_examples, load_examples
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
    examples += external_examples(external, registry)
    return found, examples


@model_app.command("train")
def train(corpora: Annotated[Path, _CORPORA_OPT] = CORPORA, external: Annotated[Path, _EXTERNAL_OPT] = EXTERNAL,
          out: Annotated[Path, typer.Option("--out", help="Where to write the model (JSON).")] = SHIPPED) -> None:
    """Fit the kind model on every labelled corpus and write it (the same corpora give the same file)."""
    from bot.modelling import Example, fit

    _found, examples = _load(corpora, external)
    model = fit([e for e in examples if isinstance(e, Example)])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(model.to_json() + "\n", encoding="utf-8")
    tmp.replace(out)
    typer.echo(f"kind model: {model.version}; {len(model.weights)} features; written to {out}")


@model_app.command("evaluate")
def evaluate(corpora: Annotated[Path, _CORPORA_OPT] = CORPORA,
             external: Annotated[Path, _EXTERNAL_OPT] = EXTERNAL,
             as_json: Annotated[bool, typer.Option("--json", help="One JSON array of the scores.")] = False) -> None:
    """Leave-one-writer-out: each corpus read by a kind model fitted without it (what the next writer can expect)."""
    from bot.evaluation import as_json as scores_json
    from bot.evaluation import leave_one_writer_out, total
    from bot.modelling import Example
    from bot.reference_data import load_registry
    from bot.settings import CONFIG_DIR

    found, examples = _load(corpora, external)
    scores = leave_one_writer_out(found, [e for e in examples if isinstance(e, Example)], load_registry(CONFIG_DIR))
    if as_json:
        typer.echo(scores_json(scores))
        return
    for s in scores:
        typer.echo(s.line())
        for c in s.confusions:
            typer.echo(f"    {c}")
    typer.echo(total(scores).line())
