"""Orchestration overhead of a provider call. Prints figures; asserts nothing.

Against the fake OpenAI server on 127.0.0.1 (tests/fakes/openai_server.py), the same structured
request three ways, N times each after a warm-up:
* parse: `client.chat.completions.parse(..., response_format=AudienceOut)`, the SDK alone (it
  derives the strict JSON schema from the model on every call);
* create: `client.chat.completions.create` with that schema derived once, then
  `AudienceOut.model_validate_json`: the floor for a structured call;
* writer: `OpenAIWriter.analyse_audience(source)`: template rendering, redaction, the retry
  wrapper, validation, restoring placeholders and the Generation record on top of `create`.
The fake does well under a millisecond of work per answer, so the gaps are the client side's
cost per call; a real model adds seconds to all three.

    .venv/bin/python benchmarks/providers.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai
from openai.lib import type_to_response_format_param

from pressroom.models import Source, sha256_hex, utc_now
from pressroom.prompts import load_template
from pressroom.providers.openai_text import AudienceOut, OpenAIWriter
from pressroom.settings import OpenAISettings
from tests.fakes.openai_server import FakeOpenAI

WARM_UP = 10
KEY = "sk-bench"
TITLE = "Port Alder ferries will sail every 20 minutes from June"
TEXT = (
    "From 2 June, ferries between Port Alder and Kelby Island will leave every 20 minutes instead "
    "of every 45 minutes during the day. Questions: ferries@portalder.example.org or "
    "+44 20 7946 0958.\n\n"
    "The upgrade costs £4.5 million, of which 60% comes from a national coastal transport fund. "
    "Two electric ferries built in Aberdeen will join the fleet in May 2025.\n\n" * 4
)


def timed(call: Callable[[], object], count: int) -> list[float]:
    for _ in range(WARM_UP):
        call()
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label: str, seconds: list[float]) -> None:
    p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
    print(
        f"{label:<8} {len(seconds) / sum(seconds):8.1f} calls/s   "
        f"p50 {p50 * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"
    )


def main(count: int) -> None:
    source = Source(
        url="https://www.portalder-gazette.co.uk/news/ferries",
        title=TITLE,
        text=TEXT,
        language="en",
        sha256=sha256_hex(TEXT),
        fetched_at=utc_now(),
    )
    with FakeOpenAI(api_key=KEY) as fake:
        base_url = fake.base_url + "/v1"
        client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
        messages = load_template("audience", "en").render(
            source=f"{TITLE}\n\n{TEXT}", language="en"
        )
        settings = OpenAISettings(base_url=base_url)
        writer = OpenAIWriter(settings, KEY)

        def raw_call() -> object:
            return client.chat.completions.parse(
                model=settings.text_model,
                messages=messages,  # type: ignore[arg-type]
                response_format=AudienceOut,
            )

        response_format = type_to_response_format_param(AudienceOut)

        def create_call() -> object:
            answer = client.chat.completions.create(
                model=settings.text_model,
                messages=messages,  # type: ignore[arg-type]
                response_format=response_format,
            )
            return AudienceOut.model_validate_json(answer.choices[0].message.content or "")

        figures = {
            "parse": timed(raw_call, count),
            "create": timed(create_call, count),
            "writer": timed(lambda: writer.analyse_audience(source), count),
        }

    print(f"{count} calls each against the fake OpenAI server on 127.0.0.1 ({WARM_UP} warm-up)")
    for label, seconds in figures.items():
        report(label, seconds)
    ours = statistics.median(figures["writer"])
    for baseline in ("parse", "create"):
        theirs = statistics.median(figures[baseline])
        print(
            f"writer vs {baseline:<6} {(ours - theirs) * 1000:+7.2f} ms per call at p50 "
            f"({ours / theirs:.2f}x)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
