"""The `pressroom` command. The only module of `pressroom/` that imports Prefect: it starts flows
and answers review gates through the Prefect API.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote, urlparse

import typer

from pressroom.errors import PressroomError
from pressroom.local_server import DEFAULT_API_URL, api_healthy, start_server, stop_server
from pressroom.models import Source
from pressroom.paths import assets_dir

app = typer.Typer(help="Pressroom: sources in, reviewed content out.", no_args_is_help=True)
review_app = typer.Typer(help="Answer review gates of paused runs.", no_args_is_help=True)
server_app = typer.Typer(help="A local Prefect server on 127.0.0.1.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The tamper-evident audit trail next to the bundles.", no_args_is_help=True
)
app.add_typer(review_app, name="review")
app.add_typer(server_app, name="server")
app.add_typer(audit_app, name="audit")
keys_app = typer.Typer(
    help="The keys that sign content credentials (C2PA) into generated media.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def reports_errors(command: F) -> F:
    """Print a PressroomError as one clear line (exit 1) instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PressroomError as error:
            raise _fail(str(error)) from None

    return wrapper  # type: ignore[return-value]


class _NoTracebackForKnownErrors(logging.Filter):
    """Prefect logs a run's exception with its traceback; ours say all there is to say."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PressroomError):
            record.exc_info = None
            record.exc_text = None
        return True


def _quiet_known_errors() -> None:
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler

    ensure_logging_setup()
    for handler in [*logging.getLogger().handlers, *logging.getLogger("prefect").handlers]:
        if isinstance(handler, PrefectConsoleHandler) and not any(
            isinstance(f, _NoTracebackForKnownErrors) for f in handler.filters
        ):
            handler.addFilter(_NoTracebackForKnownErrors())


@contextlib.contextmanager
def prefect_api() -> Iterator[str]:
    """Use the configured Prefect API, or the local server's; never a throw-away one.

    A review happens from another terminal or the UI, so the run must live on a server that
    outlives this process.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    _quiet_known_errors()
    configured = get_current_settings().api.url
    api_url = configured or DEFAULT_API_URL
    if not api_healthy(api_url):
        raise PressroomError(
            f"no Prefect server answers at {api_url}. Start one with `pressroom server start` "
            "(or `make demo`), or set PREFECT_API_URL."
        )
    if configured:
        yield api_url
    else:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield api_url


def _bundle_path(uri: str) -> str:
    return unquote(urlparse(uri).path)


def _run_social(
    url: str, brand: str, channels: list[str] | None, lang: str, out: str | None
) -> None:
    from flows.url_to_social import url_to_social

    result = url_to_social(url=url, brand=brand, channels=channels, language=lang, out_dir=out)
    typer.secho(f"Published, approved by {result.reviewer}.", fg=typer.colors.GREEN)
    typer.echo(f"Bundle: {_bundle_path(result.bundle_uri or '')}")


def _channels(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


@app.command()
@reports_errors
def social(
    url: str,
    brand: Annotated[str, typer.Option(help="A brand under configs/brands/")] = "default",
    channels: Annotated[
        str | None, typer.Option(help="Comma-separated, e.g. linkedin,x (default: pipeline.yaml)")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="auto, or the language to write in")] = "auto",
    out: Annotated[str | None, typer.Option(help="Where bundles go (default: out/)")] = None,
) -> None:
    """One post per network from an article URL; waits for review, then publishes."""
    with prefect_api():
        _run_social(url, brand, _channels(channels), lang, out)


@app.command()
@reports_errors
def video(
    script: Annotated[Path, typer.Argument(help="A script: language, title, scenes, source")],
    renderer: Annotated[str | None, typer.Option(help="ffmpeg (default, fast) or moviepy")] = None,
    video_format: Annotated[
        list[str] | None,
        typer.Option("--format", help="9:16 (default), 1:1 or 16:9; repeat for several"),
    ] = None,
    brand: Annotated[str, typer.Option(help="A brand under configs/brands/")] = "default",
    channels: Annotated[
        str | None, typer.Option(help="Where it goes, e.g. tiktok,youtube (default: pipeline)")
    ] = None,
    out: Annotated[str | None, typer.Option(help="Where bundles go (default: out/)")] = None,
) -> None:
    """A narrated, captioned video from a script; waits for review, then publishes."""
    from flows.video import script_to_video
    from pressroom.media.script import load_script

    load_script(script)  # a bad script is refused here, before any run is created
    unknown = [f for f in video_format or [] if f not in ("9:16", "1:1", "16:9")]
    if unknown:
        raise typer.BadParameter(f"unknown format(s) {unknown}; use 9:16, 1:1 or 16:9")
    with prefect_api():
        result = script_to_video(
            script=str(script.resolve()),
            brand=brand,
            channels=_channels(channels),
            formats=video_format or None,  # type: ignore[arg-type]
            renderer=renderer,
            out_dir=out,
        )
    typer.secho(f"Published, approved by {result.reviewer}.", fg=typer.colors.GREEN)
    typer.echo(f"Bundle: {_bundle_path(result.bundle_uri or '')}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (ephemeral port) for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@app.command()
@reports_errors
def demo(
    lang: Annotated[str, typer.Option("--lang", help="fr or en: which sample article")] = "fr",
    out: Annotated[str | None, typer.Option(help="Where bundles go (default: out/)")] = None,
) -> None:
    """The sample article, served on loopback, through the URL → social flow."""
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url and not api_healthy(DEFAULT_API_URL):
        typer.echo(
            "Starting a local Prefect server on 127.0.0.1:4200 (log: .pressroom/server.log)…"
        )
        start_server()
    page = "article.html" if lang == "fr" else "article-en.html"
    with serve_folder(assets_dir() / "sample") as base_url:
        os.environ["PRESSROOM_FETCH_ALLOW_HOSTS"] = "127.0.0.1"
        with prefect_api() as api_url:
            ui = api_url.removesuffix("/api")
            typer.echo(f"Prefect UI: {ui}  ·  sample article: {base_url}/{page}")
            _run_social(f"{base_url}/{page}", "default", None, "auto", out)


# ---------------------------------------------------------------- estimate

_API_KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "elevenlabs": "ELEVENLABS_API_KEY"}


def _read_article(url_or_file: str, min_words: int, max_bytes: int) -> Source:
    from pressroom.sources import read_article

    return read_article(url_or_file, min_words=min_words, max_bytes=max_bytes)


def _api_keys_from_environment() -> dict[str, str]:
    return {
        provider: os.environ[variable]
        for provider, variable in _API_KEY_VARIABLES.items()
        if os.environ.get(variable)
    }


@app.command()
@reports_errors
def estimate(
    url_or_file: Annotated[str, typer.Argument(help="An article URL, or a .html/.txt file")],
    brand: Annotated[str, typer.Option(help="A brand under configs/brands/")] = "default",
    channels: Annotated[
        str | None, typer.Option(help="Comma-separated, e.g. linkedin,x (default: pipeline.yaml)")
    ] = None,
    rounds: Annotated[
        int, typer.Option(min=1, help="Review rounds: the posts are drafted once per round")
    ] = 1,
) -> None:
    """What a run would cost with the configured providers, before running it (calls none)."""
    from pressroom import costs
    from pressroom.providers import ProviderContext, resolve_name
    from pressroom.settings import load_settings

    settings = load_settings(brand)
    source_settings = settings.pipeline.source
    source = _read_article(url_or_file, source_settings.min_words, source_settings.max_bytes)
    selected = settings.select_channels(_channels(channels))
    provider_settings = settings.pipeline.providers
    context = ProviderContext(provider_settings, _api_keys_from_environment())
    names = {medium: resolve_name(medium, context) for medium in ("text", "image")}
    pricing = costs.load_pricing(settings.config_dir)
    lines = costs.estimate(
        source.text,
        len(selected),
        names,
        costs.configured_models(names, provider_settings),
        pricing,
        rounds,
    )
    typer.echo(f"{source.title} — {len(source.text):,} characters, {len(selected)} channel(s)")
    typer.echo(costs.format_estimate(lines, pricing))


@app.command()
@reports_errors
def check(
    draft: Annotated[Path, typer.Argument(help="A text file holding the post as it would go out")],
    source: Annotated[str, typer.Option(help="The source: an article URL or a .html/.txt file")],
    channel: Annotated[
        str | None, typer.Option(help="The network (default: the first of pipeline.yaml)")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="fr or en (default: the source's)")
    ] = None,
    brand: Annotated[str, typer.Option(help="A brand under configs/brands/")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
) -> None:
    """Every text check on any draft against its source. Exit 1 on a blocker, 2 on bad usage."""
    from pressroom.compliance.draft import check_draft, format_report
    from pressroom.settings import load_settings

    if not draft.is_file():
        raise _fail(f"{draft}: no such file", code=2)
    settings = load_settings(brand)
    name = channel or settings.pipeline.default_channels[0]
    if name not in settings.channels:
        known = ", ".join(settings.channels)
        raise _fail(f"unknown channel {name!r}; known channels: {known}", code=2)
    article = _read_article(source, 1, settings.pipeline.source.max_bytes)
    report = check_draft(
        draft.read_text(encoding="utf-8").strip(),
        article,
        brand=settings.brand,
        channel=name,
        channels=settings.channels,
        language=lang or article.language,
    )
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        typer.echo(
            f"{draft}, checked as a post for {settings.channels[name].label}, against {article.url}"
        )
        typer.echo(format_report(report))
    if report.blockers:
        raise typer.Exit(1)


# ---------------------------------------------------------------- review


def _answer(decision: str, reviewer: str, comment: str) -> dict[str, Any]:
    return {"decision": decision, "reviewer": reviewer, "comments": comment}


def _submit(run: str, answer: dict[str, Any]) -> None:
    from tasks.review import submit_review

    with prefect_api():
        resumed = submit_review(run, answer)
    typer.echo(f"{answer['decision']}: sent for {resumed.name} ({resumed.id}).")


ReviewerOption = Annotated[str, typer.Option(help="Your name, recorded with the decision")]


@review_app.command("list")
@reports_errors
def review_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Runs waiting for a review."""
    from tasks.review import list_pending_reviews

    with prefect_api():
        pending = list_pending_reviews()
    if as_json:
        typer.echo(json.dumps([p.model_dump(mode="json") for p in pending], indent=2))
        return
    if not pending:
        typer.echo("Nothing waits for a review.")
        return
    for p in pending:
        since = f"{p.waiting_since:%Y-%m-%d %H:%M}" if p.waiting_since else "?"
        typer.echo(
            f"{p.run_id}  {p.run_name:<24} {p.flow_name:<16} gate {p.gate:<18} since {since}"
        )


@review_app.command("show")
@reports_errors
def review_show(run: str) -> None:
    """Print what the reviewer sees in the Resume dialog."""
    from tasks.review import review_description_of

    with prefect_api():
        typer.echo(review_description_of(run))


@review_app.command("approve")
@reports_errors
def review_approve(
    run: str,
    reviewer: ReviewerOption,
    comment: Annotated[str, typer.Option()] = "",
    waive: Annotated[
        str,
        typer.Option(
            "--waive",
            metavar="JUSTIFICATION",
            help="Let the blockers stand, for this reason (configs/reviewers.yaml: your role "
            "must allow each rule)",
        ),
    ] = "",
    source_checked: Annotated[
        bool,
        typer.Option(
            "--source-checked",
            help="For a quarantined source: you read it and it did not steer this draft",
        ),
    ] = False,
) -> None:
    """Approve exactly the content under review: it is published (if nothing stands in the way:
    blockers need a waiver, a quarantined source your confirmation)."""
    answer = _answer("approve", reviewer, comment)
    if waive:
        answer |= {"waive_blockers": True, "waiver_justification": waive}
    if source_checked:
        answer["source_checked"] = True
    _submit(run, answer)


@review_app.command("reject")
@reports_errors
def review_reject(
    run: str, reviewer: ReviewerOption, comment: Annotated[str, typer.Option()] = ""
) -> None:
    """Reject: nothing is published."""
    _submit(run, _answer("reject", reviewer, comment))


@review_app.command("changes")
@reports_errors
def review_changes(
    run: str,
    reviewer: ReviewerOption,
    comment: Annotated[list[str], typer.Option(help="What to change; repeat for several lines")],
) -> None:
    """Request changes: the writer drafts again with your comments, then asks again."""
    _submit(run, _answer("request_changes", reviewer, "\n".join(comment)))


# ---------------------------------------------------------------- audit

OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="The bundles folder (default: output_dir of pipeline.yaml)"),
]


def _out_dir(out: Path | None) -> Path:
    if out is not None:
        return out
    from pressroom.settings import load_settings

    return Path(load_settings().pipeline.output_dir)


@audit_app.command("verify")
@reports_errors
def audit_verify(
    bundle: Annotated[Path | None, typer.Argument(help="One published bundle folder")] = None,
    all_bundles: Annotated[bool, typer.Option("--all", help="Every bundle in the folder")] = False,
    out: OutOption = None,
) -> None:
    """Prove the trail is intact and each bundle is the approved content (exit 1 if not)."""
    from pressroom.audit_check import verify_trail

    if (bundle is None) == (not all_bundles):
        raise _fail("name one BUNDLE or pass --all", code=2)
    folder = bundle.parent if bundle is not None else _out_dir(out)
    report = verify_trail(folder, [bundle] if bundle is not None else None)
    for line in report.problems:
        typer.secho(f"✗ {line}", fg=typer.colors.RED)
    summary = f"{report.entries} audit entries, {report.bundles} bundle(s) checked"
    if report.problems:
        raise _fail(f"{len(report.problems)} problem(s); {summary}")
    typer.secho(f"✓ intact: {summary}", fg=typer.colors.GREEN)


@audit_app.command("show")
@reports_errors
def audit_show(
    run: Annotated[str, typer.Argument(help="A flow run id or name")],
    out: OutOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Who approved what, when, with which content hash, in one run."""
    from pressroom.audit_check import describe_entry, entries_of_run

    entries = entries_of_run(_out_dir(out), run)
    if not entries:
        raise _fail(f"no audit entry for run {run!r}")
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], indent=2))
        return
    for entry in entries:
        typer.echo(describe_entry(entry))


# ---------------------------------------------------------------- keys

KeysDirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Key folder (default: $PRESSROOM_KEYS_DIR or .pressroom/keys)"),
]


@keys_app.command("init")
@reports_errors
def keys_init(
    directory: KeysDirOption = None,
    organisation: Annotated[
        str, typer.Option("--organisation", help="Organisation named in the certificates")
    ] = "Pressroom",
    force: Annotated[bool, typer.Option("--force", help="Replace existing keys")] = False,
) -> None:
    """Create an ES256 root and signing certificate, offline."""
    from pressroom.provenance import create_keys, describe_keys

    keys = create_keys(directory, organisation=organisation, force=force)
    typer.secho(f"Signing keys created in {keys.directory}", fg=typer.colors.GREEN)
    typer.echo(describe_keys(keys).text())


@keys_app.command("show")
@reports_errors
def keys_show(directory: KeysDirOption = None) -> None:
    """Where the keys are, whom they name, and the root's fingerprint."""
    from pressroom.provenance import describe_keys, load_keys

    typer.echo(describe_keys(load_keys(directory)).text())


# ---------------------------------------------------------------- briefs and deployments


@app.command("run")
@reports_errors
def run_brief_file(
    brief: Annotated[Path, typer.Argument(help="A brief file, e.g. briefs/air-quality-fr.yaml")],
) -> None:
    """Check a brief (every problem named), then run it here; waits for review, then publishes."""
    from pressroom.briefs import load_brief

    checked = load_brief(brief)
    with prefect_api():
        from flows.brief_runner import run_brief

        outcome = run_brief(brief=checked)
    for line in outcome.gates:
        typer.echo(line)
    colour = typer.colors.GREEN if outcome.status == "published" else typer.colors.YELLOW
    typer.secho(f"Brief {outcome.brief_id}: {outcome.status}.", fg=colour)
    if outcome.bundle_uri:
        typer.echo(f"Bundle: {_bundle_path(outcome.bundle_uri)}")


def _parameter(assignment: str) -> tuple[str, Any]:
    name, equals, value = assignment.partition("=")
    if not equals or not name.strip():
        raise _fail(f"--param {assignment!r}: write NAME=VALUE", code=2)
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


@app.command()
@reports_errors
def trigger(
    url: str,
    brand: Annotated[str | None, typer.Option(help="A brand under configs/brands/")] = None,
    channels: Annotated[
        str | None, typer.Option(help="Comma-separated, e.g. linkedin,x (default: pipeline.yaml)")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="auto, fr, en...")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Any other flow parameter, NAME=VALUE (JSON or text)"),
    ] = None,
) -> None:
    """Start a url-to-social run on the server (`pressroom serve` or a worker runs it) and
    return at once; the same URL and options twice make one run."""
    from flows.deployments import URL_DEPLOYMENT, trigger
    from pressroom.settings import load_settings

    parameters: dict[str, Any] = dict(_parameter(p) for p in param or [])
    parameters["url"] = url
    if brand is not None:
        parameters["brand"] = brand
    if channels is not None:
        parameters["channels"] = _channels(channels)
    if lang is not None:
        parameters["language"] = lang
    settings = load_settings(str(parameters.get("brand", "default")))
    settings.select_channels(parameters.get("channels"))  # unknown channels: refused here
    with prefect_api() as api_url:
        run = trigger(URL_DEPLOYMENT, parameters)
    typer.echo(
        f"{'Started' if run.created else 'Already started (same parameters)'}: "
        f"{run.run_name} ({run.run_id})"
    )
    typer.echo(f"    {api_url.removesuffix('/api')}/runs/flow-run/{run.run_id}")


@app.command()
@reports_errors
def serve() -> None:
    """Serve every deployment (url-to-social, brief, weekly-batch, pending-reviews) from this
    process to the configured or local server, schedules included, until Ctrl-C."""
    from prefect import serve as prefect_serve

    from flows.deployments import DEPLOYMENTS, runner_deployments

    with prefect_api() as api_url:
        typer.echo(f"Serving {', '.join(s.name for s in DEPLOYMENTS)} to {api_url}")
        prefect_serve(*runner_deployments())


# ---------------------------------------------------------------- server


@server_app.command("start")
@reports_errors
def server_start() -> None:
    """Start a Prefect server on 127.0.0.1:4200 unless one already answers."""
    api_url = start_server()
    typer.echo(f"Prefect server up: {api_url.removesuffix('/api')}")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the server started from this folder."""
    typer.echo("Stopped." if stop_server() else "No server started from this folder is running.")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
