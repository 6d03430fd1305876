"""Compliance rules: recall and false positives on the labelled corpus, speed, memory, and what
the copyright rule says of the embedded writer's posts.

* Corpus (tests/fixtures/compliance): every rule of `suite.POST_RULES`, grouped by the letter of
  the ids it reports (H grounding, C copyright, and whatever family exports rules when this
  runs). Recall: faulty cases labelled for that family caught by the labelled rule, severity
  and evidence. False-positive rate: faithful cases given a blocker by that family.
* Speed: all rules over 200 posts built from the corpus (cycled over the channels); checks per
  second overall and per rule module, with each module's first, median and slowest post (a
  model loaded lazily shows in the slowest), the time to import every rule module in a fresh
  interpreter (a model loaded at import shows there), and peak RSS.
* Writer baseline: the offline writer on the sample articles (and the shared corpus when
  present); how many of its posts get a C1 blocker, the longest copied run, the share of copied
  8-word sequences; and grounding (H) findings, which must be none.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="pressroom-bench-"))

from pressroom.compliance import copyright as copyright_rules
from pressroom.compliance.base import PostContent, PostRule, RuleContext
from pressroom.compliance.suite import POST_RULES
from pressroom.errors import SourceError
from pressroom.models import FetchedPage, Finding, Revision
from pressroom.providers.offline_text import OfflineWriter
from pressroom.settings import load_settings
from pressroom.sources import extract_source
from tests.fixtures.compliance.corpus import Case, frame, load_cases

POSTS = 200
CORPUS = ROOT.parent / "shared" / "corpus" / "pages"
FAMILY = {
    "H": "grounding",
    "C": "copyright",
    "B": "bias",
    "G": "gdpr/pii",
    "I": "hostile",
    "L": "channel limits",
    "R": "disclosure",
    "A": "accessibility",
    "S": "brand terms",
    "E": "substance",
}


def run_rules(post: PostContent, ctx: RuleContext) -> list[tuple[PostRule, Finding]]:
    cfg = ctx.channels[post.channel]
    return [(rule, finding) for rule in POST_RULES for finding in rule(post, cfg, ctx)]


def caught(case: Case, findings: list[Finding]) -> bool:
    return any(
        f.rule_id == case.rule
        and f.severity == case.severity
        and (case.evidence or "") in f.evidence
        and (case.message or "") in f.message
        for f in findings
    )


def corpus_quality(cases: list[Case]) -> None:
    results = {case.id: [f for _, f in run_rules(case.post, case.ctx)] for case in cases}
    letters = sorted({f.rule_id[0] for fs in results.values() for f in fs} | {"H", "C"})
    faithful = [c for c in cases if c.faithful]
    print(f"corpus: {len(cases) - len(faithful)} faulty cases, {len(faithful)} faithful outputs")
    print(f"{'family':<22}{'recall':>16}{'FPR (blocker)':>18}{'faithful w/ warning':>22}")
    for letter in letters:
        labelled = [c for c in cases if not c.faithful and (c.rule or " ")[0] == letter]
        hits = sum(caught(c, results[c.id]) for c in labelled)
        blocked = sum(
            any(f.rule_id[0] == letter and f.severity == "blocker" for f in results[c.id])
            for c in faithful
        )
        warned = sum(
            any(f.rule_id[0] == letter and f.severity == "warning" for f in results[c.id])
            for c in faithful
        )
        recall = f"{hits}/{len(labelled)} = {hits / len(labelled):.0%}" if labelled else "n/a"
        name = f"{letter} {FAMILY.get(letter, '?')}"
        fpr = f"{blocked}/{len(faithful)} = {blocked / len(faithful):.0%}"
        print(f"{name:<22}{recall:>16}{fpr:>18}{f'{warned}/{len(faithful)}':>22}")
    modules = sorted({rule.__module__.rsplit(".", 1)[-1] for rule in POST_RULES})
    print(f"rule modules run: {', '.join(modules)} (a family with no finding here has no row)")
    for case in cases:
        if not case.faithful and not caught(case, results[case.id]):
            print(f"  missed {case.id} ({case.rule}): {[f.rule_id for f in results[case.id]]}")
        if case.faithful:
            for f in results[case.id]:
                if f.severity == "blocker":
                    print(f"  false positive on {case.id}: {f.rule_id} {f.evidence[:100]}")


def import_seconds() -> float:
    """Time to import the whole suite (every rule module) in a fresh interpreter, beyond the
    settings and models it needs anyway: a model loaded at import time shows here."""
    code = (
        "import time, pressroom.settings, pressroom.models, pressroom.text; "
        "t = time.perf_counter(); import pressroom.compliance.suite; "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return float("nan")


def speed(cases: list[Case]) -> None:
    settings = load_settings()
    channels = list(settings.channels)
    posts: list[tuple[PostContent, RuleContext]] = []
    for i in range(POSTS):
        case = cases[i % len(cases)]
        channel = channels[(i // len(cases)) % len(channels)]
        post = frame(case.body, case.ctx.language, channel, settings)
        posts.append((post, case.ctx))
    by_module: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for post, ctx in posts:
        cfg = ctx.channels[post.channel]
        for rule in POST_RULES:
            t0 = time.perf_counter()
            list(rule(post, cfg, ctx))
            by_module[rule.__module__].append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    print(
        f"\n{POSTS} posts, {len(POST_RULES)} rules: {elapsed:.2f} s, {POSTS / elapsed:.0f} posts/s"
    )
    print(f"{'rule module':<36}{'posts/s':>10}{'first call':>12}{'median':>10}{'slowest':>10}")
    rules_per_module = defaultdict(int)
    for rule in POST_RULES:
        rules_per_module[rule.__module__] += 1
    for module, times in sorted(by_module.items()):
        n = rules_per_module[module]
        per_post = [sum(times[i : i + n]) for i in range(0, len(times), n)]
        median = statistics.median(per_post)
        print(
            f"{module:<36}{POSTS / sum(per_post):>10.0f}{per_post[0] * 1000:>10.1f}ms"
            f"{median * 1000:>8.2f}ms{max(per_post) * 1000:>8.1f}ms"
        )
    print(
        f"model loading: importing every rule module takes {import_seconds():.2f} s in a fresh "
        "interpreter; a model loaded lazily shows as a module's slowest post (gdpr and "
        "grounding share the spaCy models: whichever runs first pays for them)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


def writer_baseline() -> None:
    settings = load_settings()
    channels = {n: settings.channel(n) for n in settings.select_channels(None)}
    writer = OfflineWriter()
    pages = sorted((ROOT / "assets" / "sample").glob("*.html"))
    pages += sorted(CORPUS.glob("*.html")) if CORPUS.is_dir() else []
    print("\noffline writer baseline (C1: copied runs of 25+ words, or half the 8-grams, block)")
    header = f"{'article':<40}{'posts':>6}{'C1 block':>9}{'C1 warn':>8}{'longest':>8}"
    print(header + f"{'copied 8-grams':>16}{'H findings':>11}")
    totals: dict[str, int] = defaultdict(int)
    per_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    longest_runs: list[int] = []
    for page in pages:
        url = f"https://example.org/{page.name}"
        fetched = FetchedPage(
            url=url, final_url=url, status=200, content_type="text/html", body=page.read_bytes()
        )
        try:
            source = extract_source(fetched, min_words=settings.pipeline.source.min_words)
        except SourceError as error:
            print(f"{page.name:<40} skipped: {error}")
            continue
        plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
        written = writer.write_posts(source, plan, settings.brand, channels, Revision())
        ctx = RuleContext(settings.brand, channels, source.text, source.language)
        blocked = warned = grounding = longest = 0
        shares = []
        for item in written:
            post = PostContent(item.channel, item.text, item.disclosure, None)
            findings = [f for _, f in run_rules(post, ctx)]
            c1 = [f for f in findings if f.rule_id == "C1"]
            blocked += any(f.severity == "blocker" for f in c1)
            per_channel[item.channel][0] += any(f.severity == "blocker" for f in c1)
            per_channel[item.channel][1] += 1
            warned += bool(c1) and not any(f.severity == "blocker" for f in c1)
            grounding += sum(f.rule_id.startswith("H") for f in findings)
            body = copyright_rules._body(post, ctx)
            runs = copyright_rules.copied_runs(body.unquoted, source.text, minimum=1)
            longest = max([longest, *(r.words for r in runs)])
            shares.append(copyright_rules.containment(body.unquoted, source.text).share)
        longest_runs.append(longest)
        totals["posts"] += len(written)
        totals["blocked"] += blocked
        totals["warned"] += warned
        totals["grounding"] += grounding
        print(
            f"{page.name[:39]:<40}{len(written):>6}{blocked:>9}{warned:>8}{longest:>8}"
            f"{f'{min(shares):.0%}–{max(shares):.0%}':>16}{grounding:>11}"
        )
    if totals["posts"]:
        print(
            f"total: {totals['blocked']}/{totals['posts']} posts blocked by C1 "
            f"({totals['blocked'] / totals['posts']:.0%}), {totals['warned']} more with a C1 "
            f"warning only; longest copied run per article: median "
            f"{statistics.median(longest_runs):.0f} words; grounding findings: "
            f"{totals['grounding']}"
        )
        print(
            "C1 blockers by channel: "
            + ", ".join(f"{name} {b}/{n}" for name, (b, n) in per_channel.items())
        )


def main() -> None:
    cases = load_cases()
    timed: Callable[[], None]
    for timed in (lambda: corpus_quality(cases), lambda: speed(cases), writer_baseline):
        timed()


if __name__ == "__main__":
    main()
