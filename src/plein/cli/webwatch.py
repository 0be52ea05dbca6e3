"""``plein webwatch``: internettoezicht from the command line (single-page tools, crawls, exports)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, TextColumn

from plein.core.labels import number, plural
from plein.core.progress import duration
from plein.core.vocabulary import RunStatus
from plein.errors import PleinError, ValidationError

webwatch_app = typer.Typer(
    help="Internettoezicht: webshops crawlen, aanbod extraheren en beoordelen.", no_args_is_help=True
)
console = Console()
progress_console = Console(stderr=True)  # the crawl's result goes to standard output as JSON
MAX_INPUT_BYTES = 50_000_000


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@webwatch_app.command("extract")
def extract_command(
    page: Path = typer.Argument(..., help="Opgeslagen HTML-pagina ('-' leest standaardinvoer)."),
    url: str = typer.Option("", "--url", help="Adres waarvandaan de pagina komt (voor relatieve links)."),
) -> None:
    """Toon het aanbod op één opgeslagen pagina als JSON."""
    from plein.webwatch.extract import extract_page

    if str(page) == "-":
        body = sys.stdin.buffer.read(MAX_INPUT_BYTES)
    else:
        if not page.is_file():
            raise ValidationError(f"Bestand {page} bestaat niet of is geen bestand.")
        body = page.read_bytes()[:MAX_INPUT_BYTES]
    result = extract_page(body, url or page.resolve().as_uri())
    _print_json({"url": result.url, "offers": [o.as_json() for o in result.offers], "problems": result.problems})


@webwatch_app.command("scrub")
def scrub_command() -> None:
    """Lees tekst op standaardinvoer; toon de geschoonde tekst en de gevonden persoonsgegevens als JSON."""
    from plein.webwatch.scrub import default_scrubber

    raw = sys.stdin.buffer.read(MAX_INPUT_BYTES)
    text = raw.decode("utf-8", errors="replace")
    result = default_scrubber().scrub(text)
    _print_json(
        {
            "text": result.text,
            "findings": [
                {"type": f.entity_type, "start": f.start, "end": f.end, "score": round(f.score, 2)}
                for f in result.findings
            ],
        }
    )


@webwatch_app.command("crawl")
def crawl_command(
    themes: list[str] = typer.Argument(..., help="Eén of meer themacodes, bv. f-gassen e-steps."),
    start_url: list[str] = typer.Option([], "--start-url", help="Startadres (herhaalbaar)."),
    demo: bool = typer.Option(False, "--demo", help="Crawl de draaiende demowebwinkels."),
    crawl_id: str | None = typer.Option(None, "--crawl-id", help="Hervat (of deel) deze crawl."),
    redis_url: str = typer.Option("", "--redis", help="Gedeelde frontier in Redis, bv. redis://127.0.0.1:6379/0."),
    redis_prefix: str = typer.Option("", "--redis-prefix", help="Voorvoegsel van de Redis-sleutels."),
    organisation: str = typer.Option("ILT", "--organisation", help="Code van de crawlende organisatie."),
    delay: float = typer.Option(1.0, "--delay", min=0.0, max=60.0, help="Minimale wachttijd per site (s)."),
    max_pagination: int = typer.Option(50, "--max-pagination", min=1, help="Maximaal pagina's per lijst."),
    max_pages: int = typer.Option(2000, "--max-pages", min=1, help="Maximaal pagina's per site."),
    idle: float = typer.Option(6.0, "--idle-wait", min=0.0, help="Gedeelde crawl: wachttijd bij lege wachtrij (s)."),
    verbose: bool = typer.Option(False, "--verbose", help="Toon Scrapy's log."),
) -> None:
    """Crawl webwinkels voor één of meer thema's: ophalen, bewijs bewaren, extraheren, schonen, beoordelen."""
    from plein.webwatch.crawl.runner import demo_start_urls, theme_start_urls
    from plein.webwatch.themes import get_theme

    chosen = [get_theme(code) for code in themes]
    urls = list(start_url)
    if demo:
        urls += demo_start_urls(chosen)
    if not urls:
        urls = theme_start_urls(chosen)
    started = time.monotonic()
    with Progress(TextColumn("[bold]Crawl[/bold] {task.fields[line]}"), console=progress_console) as bar:
        line = bar.add_task("crawl", total=None, line="starten…")

        def report(pages: int, offers: int) -> None:
            bar.update(line, line=crawl_line(pages, offers, time.monotonic() - started))

        result = _crawl(
            themes,
            urls,
            crawl_id,
            redis_url,
            redis_prefix,
            organisation,
            delay,
            max_pagination,
            max_pages,
            verbose,
            idle,
            report,
        )
    _print_json(result)
    if result["status"] == RunStatus.FAILED:
        raise typer.Exit(1)


def crawl_line(pages: int, offers: int, elapsed: float) -> str:
    """``12 pagina's opgehaald · 5 aanbiedingen · 40 per minuut · bezig sinds 18 s``."""
    parts = [plural(pages, "pagina opgehaald", "pagina's opgehaald"), plural(offers, "aanbieding", "aanbiedingen")]
    if elapsed > 0 and pages:
        parts.append(f"{number(round(pages / elapsed * 60))} per minuut")
    parts.append(f"bezig sinds {duration(elapsed)}")
    return " · ".join(parts)


def _crawl(
    themes: list[str],
    urls: list[str],
    crawl_id: str | None,
    redis_url: str,
    redis_prefix: str,
    organisation: str,
    delay: float,
    max_pagination: int,
    max_pages: int,
    verbose: bool,
    idle: float,
    report: Callable[[int, int], None],
) -> dict[str, Any]:
    from plein.webwatch.crawl.runner import run_crawl

    return run_crawl(
        themes,
        urls,
        crawl_id=crawl_id,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        organisation=organisation,
        delay=delay,
        max_pagination=max_pagination,
        max_pages_per_site=max_pages,
        log_level="INFO" if verbose else "WARNING",
        idle_seconds=idle,
        progress=report,
    )


@webwatch_app.command("themes")
def themes_command(
    export: str | None = typer.Option(None, "--export", help="Kopieer dit thema naar var/ om het te bewerken."),
) -> None:
    """Toon de thema's (of zet er één klaar om te bewerken)."""
    from plein.webwatch.themes import export_theme, load_themes

    if export:
        console.print(f"Bewerk {export_theme(export)}; plein gebruikt voortaan die versie.")
        return
    for theme in load_themes().values():
        console.print(
            f"[bold]{theme.code}[/] {theme.name}: {len(theme.rules)} regels, zoektermen {', '.join(theme.search_terms)}"
        )


def webshops_command(
    port: int = typer.Option(8100, "--port", min=0, max=65532, help="Eerste poort; de vier sites nemen er vier."),
    seed: int = typer.Option(1, "--seed", help="Zelfde seed geeft hetzelfde aanbod."),
    scale: int = typer.Option(2, "--scale", min=1, max=50, help="Aanbod per site (×)."),
    crawl_delay: float = typer.Option(0.5, "--crawl-delay", min=0.0, max=30.0, help="Crawl-delay van bouwshop (s)."),
    out_dir: Path | None = typer.Option(None, "--out", help="Map voor grondwaarheid en verzoekenlog."),
) -> None:
    """Start vier demowebwinkels op 127.0.0.1 (met grondwaarheid) tot Ctrl-C."""
    import time

    from plein.demo.webshops import start_webshops
    from plein.settings import get_settings

    directory = out_dir or get_settings().var_dir / "demo" / "webshops"
    directory.mkdir(parents=True, exist_ok=True)
    sellers = _demo_world_sellers()
    try:
        shops = start_webshops(
            seed=seed,
            base_port=port,
            crawl_delay=crawl_delay,
            scale=scale,
            log_path=directory / "requests.jsonl",
            sellers=sellers,
        )
    except OSError as exc:
        raise ValidationError(
            f"Poort {port}–{port + 3} is niet vrij ({exc.strerror}); kies een andere met --port."
        ) from exc
    truth = shops.write_ground_truth(directory / "ground_truth.json")
    (directory / "sites.json").write_text(json.dumps({"sites": shops.sites}, indent=1), encoding="utf-8")
    for name, url in shops.sites.items():
        console.print(f"{name:12} {url}")
    if sellers:
        console.print(
            "Zakelijke verkopers zijn bedrijven uit de demowereld; hun dossiers tonen het aanbod na een crawl."
        )
    console.print(f"Grondwaarheid: {truth} ({len(shops.offers)} aanbiedingen). Stop met Ctrl-C.")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        shops.stop()


def _demo_world_sellers() -> list[tuple[str, str]] | None:
    """Companies of the demo world in this database as the shops' sellers; None without a demo world."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from plein.core.models import DemoSeedRun
    from plein.demo.webshops.catalog import SELLERS_NEEDED
    from plein.demo.webshops.sellers import demo_world_sellers
    from plein.runtime import ready_engine

    try:
        engine = ready_engine()
    except (PleinError, SQLAlchemyError):  # no database (or an old one): the built-in sellers
        return None
    try:
        with Session(engine) as session:
            if session.scalar(select(DemoSeedRun.id).limit(1)) is None:
                return None
            sellers = demo_world_sellers(session)
    finally:
        engine.dispose()
    return sellers if len(sellers) >= SELLERS_NEEDED else None


@webwatch_app.command("train")
def train_command(
    theme: str = typer.Argument(..., help="Themacode."),
    ground_truth: Path | None = typer.Option(
        None, "--ground-truth", help="Grondwaarheid van de demowebwinkels: het trainingsdeel als labels."
    ),
) -> None:
    """Train het tekstmodel van een thema opnieuw op alle labels (correcties van analisten gaan voor)."""
    from plein.runtime import ready_engine
    from plein.webwatch.scrub import default_scrubber
    from plein.webwatch.themes import get_theme
    from plein.webwatch.training import add_training_labels, retrain

    get_theme(theme)
    engine = ready_engine()
    if ground_truth is not None:
        try:
            offers = json.loads(ground_truth.read_text(encoding="utf-8"))["offers"]
        except (OSError, ValueError, KeyError) as exc:
            raise ValidationError(f"Grondwaarheid {ground_truth} is niet te lezen: {exc}.") from exc
        scrubber = default_scrubber()
        labelled = [
            (scrubber.scrub(f"{o['title']}\n\n{o['description']}").text, bool(o["violation"]))
            for o in offers
            if o.get("theme") == theme and o.get("split") == "train"
        ]
        console.print(f"{add_training_labels(engine, theme, labelled, 'grondwaarheid')} labels toegevoegd.")
    model = retrain(engine, theme)
    console.print(f"Model {theme} getraind op {model.trained_on} labels; aanbod opnieuw beoordeeld.")
