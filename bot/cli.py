"""congress-bot: ask, index, add, remove, docs, eval, serve."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from .config import Settings
from .errors import CongressBotError
from .runtime import configure_process

log = logging.getLogger("congress_bot")


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _progress_bar(desc: str):
    """A tqdm bar on stderr, driven by the indexer's (done, total) callback."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _engine(ctx: click.Context, build: bool = True):
    """The engine; with ``build``, its index built on first use (or rebuilt when an older congress-bot
    wrote its format) and opened, with a note when the knowledge directory has changed since."""
    from .engine import Engine

    engine = Engine(_settings(ctx))
    if not build:
        return engine
    why = None
    if engine.store.current_version() is None:
        why = "No index yet: building it from the knowledge directory (first run)…"
    elif not engine.store.is_current_schema():
        why = "The index was written by an older congress-bot: rebuilding it…"
    if why:
        click.echo(why, err=True)
        report = engine.ensure_index(progress=_progress_bar("Indexing"))
        if report:
            _print_skipped(report)
    engine.searcher()  # a model mismatch or a broken index is reported here, not as a traceback
    if not why and (pending := engine.pending_changes()):
        # The live index keeps serving; only `index` changes it (it may take minutes).
        click.echo(
            f"note: {pending} document(s) in the knowledge directory are new, changed, removed or were indexed "
            "by an older congress-bot since the index was built; run `congress-bot index` to refresh it.",
            err=True,
        )
    return engine


def _print_skipped(report) -> None:
    """``skipped FILE: English reason (detail) / Vietnamese reason``, one line per file, on stderr."""
    for line in report.skipped_lines():
        click.echo(f"skipped {line}", err=True)


class _Cli(click.Group):
    """Turns the project's own errors into one-line messages (exit code 1), and anything unexpected
    into one line too, with the traceback only under ``--debug``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except CongressBotError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            raise click.ClickException(
                f"unexpected error: {exc.__class__.__name__}: {exc} (run with --debug for the traceback)"
            ) from exc


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--knowledge-dir",
    type=click.Path(path_type=Path),
    help="Documents folder [env CONGRESS_BOT_KNOWLEDGE_DIR, default ./knowledge]",
)
@click.option(
    "--index-dir", type=click.Path(path_type=Path), help="Index folder [env CONGRESS_BOT_INDEX_DIR, default ./index]"
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress details.")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error (and debug logs).")
@click.version_option(package_name="congress-bot")
@click.pass_context
def cli(ctx: click.Context, knowledge_dir: Path | None, index_dir: Path | None, verbose: bool, debug: bool) -> None:
    """Answer questions about Party congress guidance from local documents, with citations."""
    configure_process()
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"settings": Settings.from_env(knowledge_dir, index_dir), "debug": debug}


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object; with no QUESTION, one per stdin line.")
@click.pass_context
def ask(ctx: click.Context, question: str | None, as_json: bool) -> None:
    """Answer QUESTION from the documents, with citations.

    \b
    congress-bot ask "Quy trình nhân sự đại hội gồm mấy bước?"
    congress-bot ask --json "quy trinh nhan su co may buoc"
    printf 'câu 1\\ncâu 2\\n' | congress-bot ask --json
    """
    from .engine import QuestionError

    if question is None and not as_json:
        raise click.UsageError('give a question: congress-bot ask "…" (or --json to read questions from stdin)')
    engine = _engine(ctx)
    if question is None:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                result = engine.ask(line.rstrip("\n")).to_dict()
            except QuestionError as exc:
                result = _error_dict(line.rstrip("\n"), str(exc))
            click.echo(json.dumps(result, ensure_ascii=False), nl=True)
            sys.stdout.flush()
        return
    try:
        answer = engine.ask(question)
    except QuestionError as exc:
        if as_json:
            click.echo(json.dumps(_error_dict(question, str(exc)), ensure_ascii=False))
        else:
            click.echo(str(exc), err=True)
        ctx.exit(2)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nNguồn:")
        click.echo(answer.sources_text())


def _error_dict(question: str, message: str) -> dict:
    return {
        "question": question,
        "found": False,
        "answer": message,
        "citations": [],
        "latency_ms": 0.0,
        "error": message,
    }


# Indexing runs at this much lower CPU priority (nice) than the bot: a bot answering on the same cores
# while an admin re-indexes stays responsive; indexing may take longer, questions come first.
INDEX_NICENESS = 10


def yield_to_questions() -> None:
    """Lower this process's CPU priority for indexing work (no-op where the OS has no nice)."""
    try:
        os.nice(INDEX_NICENESS)
    except (AttributeError, OSError):
        pass


@cli.command()
@click.option("--rebuild", is_flag=True, help="Re-embed everything from scratch (e.g. after changing the model).")
@click.pass_context
def index(ctx: click.Context, rebuild: bool) -> None:
    """Bring the index up to date with the knowledge directory."""
    yield_to_questions()
    engine = _engine(ctx, build=False)
    report = engine.index(rebuild=rebuild, progress=_progress_bar("Embedding"))
    _print_skipped(report)
    click.echo(
        report.summary(with_skipped=False)
        + (f" → {report.version}" if report.version else " (index already up to date)")
    )


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Copy FILES (PDF, DOCX, TXT, MD, HTML) into the knowledge directory and index them."""
    yield_to_questions()
    engine = _engine(ctx)
    report = engine.add_files(list(files), progress=_progress_bar("Embedding"))
    _print_skipped(report)
    for doc in report.documents:
        click.echo(
            f"added {doc['doc_id']}: {doc['title']} ({doc['doc_type']}, {doc['published'] or 'no date'}, {doc['passages']} passages)"
        )
        for change in doc.get("changes", []):
            what = "replaces" if change["kind"] == "replaces" else "amends"
            click.echo(
                f"  {what} {change['label']} ({change['doc_id']}): {len(change['added'])} sections added, "
                f"{len(change['removed'])} removed, {len(change['changed'])} changed"
            )
            for line in change["lines"]:
                click.echo(f"    {line}")
    click.echo(report.summary(with_skipped=False))
    if report.skipped and not report.documents:
        ctx.exit(1)


@cli.command()
@click.argument("doc_id")
@click.pass_context
def remove(ctx: click.Context, doc_id: str) -> None:
    """Remove document DOC_ID (see `congress-bot docs`) from the index and the knowledge directory."""
    engine = _engine(ctx)
    if not engine.remove(doc_id):
        raise click.ClickException(f"no document with id {doc_id!r}; list them with: congress-bot docs")
    click.echo(f"removed {doc_id}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the indexed documents: id, date, type, status (in force / replaced / amended), passages,
    title, and what each official document replaces or amends (or what replaced it)."""
    engine = _engine(ctx)
    for d in engine.documents():
        if as_json:
            click.echo(json.dumps(d, ensure_ascii=False))
            continue
        notes = []
        if d["replaced_by"]:
            notes.append(f"replaced by {d['replaced_by']['label']}")
        notes += [f"amended by {a['label']}" for a in d["amended_by"]]
        if d["official"]:
            for r in d["relations"]:
                if r["kind"] in ("replaces", "repeals", "amends", "implements") and r["target"]:
                    absent = "" if r["in_knowledge_base"] else " (not in the knowledge base)"
                    notes.append(f"{r['kind']} {r['target']}{absent}")
        title = d["title"] + (f" ({d['issuer']})" if d["issuer"] else "")
        line = f"{d['doc_id']}\t{d['published'] or '-'}\t{d['doc_type']}\t{d['status']}\t{d['n_passages']}\t{title}"
        click.echo(line + (f"\t{'; '.join(notes)}" if notes else ""))


@cli.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--show-failures", is_flag=True, help="List the questions that missed.")
@click.pass_context
def eval_command(ctx: click.Context, file: Path, as_json: bool, show_failures: bool) -> None:
    """Evaluate on a JSONL question set: Recall@1/5, MRR@10, answer-hit, refusal accuracy,
    doc cited, list completeness (for questions with all_phrases), median answer length."""
    from .evaluate import evaluate, load_cases

    engine = _engine(ctx)
    result = evaluate(engine, load_cases(file))
    if as_json:
        click.echo(json.dumps(result.metrics, ensure_ascii=False))
    else:
        click.echo(result.table())
    if show_failures:
        for line in result.failures:
            click.echo(line)


@cli.command()
@click.option("--webhook-url", help="Public HTTPS URL for webhook mode (default: long polling).")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook listen address.")
@click.option("--port", default=8443, show_default=True, type=int, help="Webhook listen port.")
@click.option(
    "--secret-token", envvar="TELEGRAM_WEBHOOK_SECRET", help="Webhook secret token [env TELEGRAM_WEBHOOK_SECRET]."
)
@click.pass_context
def serve(ctx: click.Context, webhook_url: str | None, listen: str, port: int, secret_token: str | None) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN)."""
    from .telegram import BotConfig, ConfigError, run

    try:
        config = BotConfig.from_env(_settings(ctx))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    engine = _engine(ctx)
    stats = engine.stats()
    mode = f"webhook {webhook_url} (listening on {listen}:{port})" if webhook_url else "long polling"
    click.echo(
        f"congress-bot: serving {stats['documents']} documents ({stats['passages']} passages, index {stats['version']})"
        f" over {mode}; {len(config.admin_ids)} admin(s). Ctrl+C to stop.",
        err=True,
    )
    try:
        run(engine, config, webhook_url=webhook_url, listen=listen, port=port, secret_token=secret_token)
    except ConfigError as exc:  # e.g. Telegram rejected the token
        raise click.ClickException(str(exc)) from exc


def main() -> None:
    cli(prog_name="congress-bot")


if __name__ == "__main__":
    main()
