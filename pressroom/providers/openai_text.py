"""The OpenAI text provider: structured outputs over chat completions, so that it also runs
against OpenAI-compatible servers (Ollama, vLLM, LM Studio) named in `providers.openai.base_url`.

The model writes what takes judgement: the audience, the plan, each post's hook, body and
hashtags. Our code owns the frame: the call to action and link per link policy, the brand's
disclosure label, the hashtag count and the channel's length limit (the offline writer's `Draft`
and `fit_to_channel`), so no answer can break a channel's hard limits. Personal data is replaced
with placeholders before a request leaves (`pressroom.privacy`) and put back in the answer.

Transient failures (429, 5xx, timeouts, dropped connections) are retried by `call_with_retries`;
an answer of the wrong form (a refusal, invalid JSON, a channel missing) is asked for again once,
with the problem added to the conversation.

Token counts are the server's `usage`, summed over every answer a step needed. `write_posts`
writes every channel in one call: each post's record carries its share of that call's tokens and
time, so that summing the records gives the call's totals. Prices are the caller's business.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic import BaseModel, Field, ValidationError

from pressroom.channels import post_length
from pressroom.compliance.gdpr import assert_minimised
from pressroom.compliance.pii import presidio_detector
from pressroom.editorial.models import (
    WORDS_PER_MINUTE,
    Article,
    ArticleSection,
    Newsletter,
    ScriptPiece,
    SearchIntent,
    SeoPlan,
    Strategy,
    WrittenScript,
    narration_parameters,
)
from pressroom.editorial.offline import FORMATS, call_line, further_reading
from pressroom.editorial.quality import META_MAX_CHARS
from pressroom.errors import ConfigError
from pressroom.media.script import Scene
from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    ChannelStrategy,
    EditorialPlan,
    Generation,
    ReadingLevel,
    Revision,
    Source,
)
from pressroom.privacy import Redaction
from pressroom.prompts import Message, PromptTemplate, load_template
from pressroom.providers.offline_text import Draft, call_to_action, fit_to_channel
from pressroom.providers.resilience import Failure, ProviderError, call_with_retries
from pressroom.retry import retry_after_seconds
from pressroom.settings import BrandConfig, ChannelConfig, OpenAISettings
from pressroom.text import HASHTAG, URL, hashtag, normalize_space, split_sentences, truncate_words

if TYPE_CHECKING:
    from openai import APIStatusError, OpenAI
    from openai.types.chat import ChatCompletion

    from pressroom.providers import ProviderContext

PROVIDER = "openai"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
FORM_TRIES = 2
MIN_TEXT_CHARS = 40
HASHTAG_ALLOWANCE = 16  # characters per hashtag kept free when telling the model its room
SEPARATORS_CHARS = 4  # the blank lines around hook and body
SERVER_MESSAGE_CHARS = 300
ARTICLE_WORDS = 500  # what the article prompt asks for; reviewers' "shorter" goes to the model


def _redaction(source: Source) -> Redaction:
    """Structured personal data (e-mails, phones, IBANs, NIR, SIRET, addresses, cards) become
    placeholders before anything is sent (G1)."""
    return Redaction(detector=presidio_detector(source.language))


# ---------------------------------------------------------------- what the model returns


class SourceQuote(BaseModel):
    claim: str = Field(description="The statement as written in the answer")
    passage: str = Field(description="The words of the source that support it, verbatim")


class Coherence(BaseModel):
    within_limits: bool = Field(description="Counts and lengths within the limits asked for")
    tone_respected: bool = Field(description="The tone asked for, no banned term, comments applied")
    supported_by_source: bool = Field(description="Every claim has its source passage")
    notes: str = Field(description="What was corrected or remains uncertain")


class AudienceOut(BaseModel):
    summary: str
    interests: list[str]
    reading_level: ReadingLevel
    needs: list[str] = Field(description="What the readers want to know or be able to do")
    objections: list[str] = Field(description="Their doubts or reservations")
    vocabulary: list[str] = Field(description="Terms they use or should see, as written")
    source_quotes: list[SourceQuote]
    coherence: Coherence


class ChannelGoal(BaseModel):
    channel: str = Field(description="The channel id: the word in brackets")
    goal: str


class PlanOut(BaseModel):
    angle: str
    key_messages: list[str]
    keywords: list[str]
    hashtags: list[str]
    channels: list[ChannelGoal]
    source_quotes: list[SourceQuote]
    coherence: Coherence


class PostOut(BaseModel):
    channel: str = Field(description="The channel id: the word in brackets")
    hook: str
    body: str
    hashtags: list[str]
    source_quotes: list[SourceQuote]
    coherence: Coherence


class PostsOut(BaseModel):
    posts: list[PostOut]


class ChannelTone(BaseModel):
    channel: str = Field(description="The channel or format id: the word in brackets")
    tone: str


class StrategyOut(BaseModel):
    angle: str
    key_messages: list[str]
    tones: list[ChannelTone]
    keywords: list[str] = Field(description="The main keyword first")
    search_intent: SearchIntent
    seo_title: str
    meta_description: str
    source_quotes: list[SourceQuote]
    coherence: Coherence


class SectionOut(BaseModel):
    heading: str
    paragraphs: list[str]


class ArticleOut(BaseModel):
    title: str
    meta_description: str
    sections: list[SectionOut]
    source_quotes: list[SourceQuote]
    coherence: Coherence


class NewsletterOut(BaseModel):
    subject: str
    preheader: str
    body: str
    source_quotes: list[SourceQuote]
    coherence: Coherence


class SceneOut(BaseModel):
    narration: str
    visual: str


class ScriptOut(BaseModel):
    title: str
    scenes: list[SceneOut]
    source_quotes: list[SourceQuote]
    coherence: Coherence


OutT = TypeVar("OutT", bound=BaseModel)


# ---------------------------------------------------------------- one call


@dataclass(frozen=True)
class _Request:
    """What one call is made of, beyond its inputs."""

    template: PromptTemplate
    source: Source
    redaction: Redaction


@dataclass(frozen=True)
class _Answer(Generic[OutT]):
    output: OutT
    model: str
    input_tokens: int
    output_tokens: int
    attempts: int
    seconds: float


class OpenAIWriter:
    """Audience, plan and posts from an OpenAI(-compatible) chat model."""

    name = PROVIDER

    def __init__(
        self,
        settings: OpenAISettings,
        api_key: str | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        client: OpenAI | None = None,
    ) -> None:
        if not api_key:
            raise ConfigError(
                "the openai text provider needs an API key: set OPENAI_API_KEY, or name a "
                "Prefect Secret block in providers.openai.api_key_block (configs/pipeline.yaml)"
            )
        self._settings = settings
        self._sleep = sleep
        self._base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self._client = client or self._connect(api_key)

    @classmethod
    def from_context(cls, context: ProviderContext) -> OpenAIWriter:
        return cls(context.settings.openai, context.api_keys.get("openai"))

    def _connect(self, api_key: str) -> OpenAI:
        import openai  # ~0.5 s: paid only when this provider is used

        return openai.OpenAI(
            api_key=api_key,
            base_url=self._base_url,
            timeout=self._settings.timeout_seconds,
            max_retries=0,  # call_with_retries decides
        )

    # ------------------------------------------------------------ the editorial steps

    def analyse_audience(self, source: Source, hint: str = "") -> AudienceProfile:
        template = load_template("audience", source.language)
        request = _Request(template, source, _redaction(source))
        hint = normalize_space(hint)
        inputs = {
            "source": _source_block(source, request.redaction),
            "language": source.language,
            # the user's words go out minimised like the source's
            "audience_hint": request.redaction.add(hint) if hint else template.fragment("none"),
        }
        answer = self._ask(request, AudienceOut, "an audience profile that does not fit", inputs)
        out, restore = answer.output, request.redaction.restore
        return AudienceProfile(
            summary=restore(out.summary),
            interests=[restore(interest) for interest in out.interests],
            reading_level=out.reading_level,
            language=source.language,
            needs=[restore(need) for need in out.needs],
            objections=[restore(objection) for objection in out.objections],
            vocabulary=[restore(term) for term in out.vocabulary],
            generation=_generation(
                request, answer, out.source_quotes, out.coherence, {"hint_given": bool(hint)}
            ),
        )

    def plan_posts(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
    ) -> EditorialPlan:
        template = load_template("plan", source.language)
        request = _Request(template, source, _redaction(source))
        redact = request.redaction.add
        inputs = {
            "source": _source_block(source, request.redaction),
            **_brand_inputs(template, brand),
            "language": source.language,
            "channels": _channel_lines(template, source, brand, channels),
            "audience_summary": redact(audience.summary),
            "interests": _joined(template, [redact(i) for i in audience.interests]),
            "reading_level": audience.reading_level,
        }
        answer = self._ask(
            request,
            PlanOut,
            "a plan that does not fit",
            inputs,
            check=lambda out: _missing_channels([c.channel for c in out.channels], channels),
        )
        return _plan(request, answer, brand, channels)

    def write_posts(
        self,
        source: Source,
        plan: EditorialPlan,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        revision: Revision,
    ) -> list[ChannelPost]:
        template = load_template("social_posts", source.language)
        request = _Request(template, source, _redaction(source))
        redact = request.redaction.add
        inputs = {
            "source": _source_block(source, request.redaction),
            **_brand_inputs(template, brand),
            "signature_hashtags": _joined(template, brand.signature_hashtags, " "),
            "language": source.language,
            "channels": _channel_lines(template, source, brand, channels),
            "angle": redact(plan.angle),
            "key_messages": _listed(template, [redact(m) for m in plan.key_messages]),
            "keywords": _joined(template, [redact(k) for k in plan.keywords]),
            "plan_hashtags": _joined(template, plan.hashtags, " "),
            "goals": _listed(
                template,
                [f"[{s.channel}] {redact(s.goal)}" for s in plan.channels if s.channel in channels],
            ),
            "comments": _comment_rounds(template, revision, request.redaction),
        }
        answer = self._ask(
            request,
            PostsOut,
            "posts that do not fit",
            inputs,
            check=lambda out: _missing_channels([p.channel for p in out.posts], channels),
        )
        written: dict[str, PostOut] = {}
        for post in answer.output.posts:
            written.setdefault(post.channel, post)
        parameters = {"tone": brand.tone, "revision_round": revision.round}
        return [
            _channel_post(
                request, answer, brand, name, cfg, written[name], parameters, (index, len(channels))
            )
            for index, (name, cfg) in enumerate(channels.items())
        ]

    # ------------------------------------------------------------ long-form steps

    def plan_strategy(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        goal: str | None,
    ) -> Strategy:
        template = load_template("strategy", source.language)
        request = _Request(template, source, _redaction(source))
        redact = request.redaction.add
        outputs = [*channels, *FORMATS]
        lines = [
            template.fragment("channel", channel=name, label=cfg.label)
            for name, cfg in channels.items()
        ] + [
            template.fragment("channel", channel=name, label=template.fragment(f"format_{name}"))
            for name in FORMATS
        ]
        inputs = {
            "source": _source_block(source, request.redaction),
            **_brand_inputs(template, brand),
            "language": source.language,
            "channels": "\n".join(lines),
            "goal": redact(goal) if goal else template.fragment("none"),
            "audience_summary": redact(audience.summary),
            "interests": _joined(template, [redact(i) for i in audience.interests]),
            "reading_level": audience.reading_level,
            "needs": _listed(template, [redact(need) for need in audience.needs]),
            "objections": _listed(template, [redact(o) for o in audience.objections]),
            "vocabulary": _joined(template, [redact(term) for term in audience.vocabulary]),
        }
        answer = self._ask(
            request,
            StrategyOut,
            "a strategy that does not fit",
            inputs,
            check=lambda out: (
                _missing_channels([t.channel for t in out.tones], outputs)
                or ("" if out.keywords else "no keywords")
            ),
        )
        out, restore = answer.output, request.redaction.restore
        tones: dict[str, str] = {}
        for tone in out.tones:
            if tone.channel in outputs:
                tones.setdefault(tone.channel, restore(tone.tone))
        return Strategy(
            angle=restore(out.angle),
            key_messages=[restore(message) for message in out.key_messages],
            tone={name: tones[name] for name in outputs},
            seo=SeoPlan(
                keywords=[restore(keyword) for keyword in out.keywords],
                search_intent=out.search_intent,
                title=restore(out.seo_title),
                meta_description=truncate_words(restore(out.meta_description), META_MAX_CHARS),
            ),
            generation=_generation(
                request, answer, out.source_quotes, out.coherence, {"goal": goal}
            ),
        )

    def write_article(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Article:
        request = _Request(load_template("article", source.language), source, _redaction(source))
        inputs = {
            **_strategy_inputs(request, strategy, brand, revision, "article"),
            "seo_title": request.redaction.add(strategy.seo.title),
            "meta_description": request.redaction.add(strategy.seo.meta_description),
            "search_intent": strategy.seo.search_intent,
            "target_words": str(ARTICLE_WORDS),
        }
        answer = self._ask(
            request,
            ArticleOut,
            "an article that does not fit",
            inputs,
            check=lambda out: "" if len(out.sections) >= 2 else "fewer than two sections",
        )
        out, restore = answer.output, request.redaction.restore
        sections = [
            ArticleSection(
                heading=_without_urls(restore(section.heading)),
                paragraphs=[
                    p for p in (_without_urls(restore(p)) for p in section.paragraphs) if p
                ],
            )
            for section in out.sections
        ]
        return Article(
            title=_without_urls(restore(out.title)),
            meta_description=truncate_words(restore(out.meta_description), META_MAX_CHARS),
            sections=[*sections, further_reading(source, brand)],
            language=source.language,
            disclosure=brand.disclosure_for(source.language).long,
            generation=_generation(
                request, answer, out.source_quotes, out.coherence, _revised(revision)
            ),
        )

    def write_newsletter(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Newsletter:
        template = load_template("newsletter", source.language)
        request = _Request(template, source, _redaction(source))
        inputs = _strategy_inputs(request, strategy, brand, revision, "newsletter")
        answer = self._ask(request, NewsletterOut, "a newsletter that does not fit", inputs)
        out, restore = answer.output, request.redaction.restore
        body = "\n".join(_without_urls(line) for line in restore(out.body).splitlines())
        return Newsletter(
            subject=_without_urls(restore(out.subject)),
            preheader=_without_urls(restore(out.preheader)),
            body=f"{body.strip()}\n\n{call_line(source, brand)}",
            language=source.language,
            disclosure=brand.disclosure_for(source.language).long,
            generation=_generation(
                request, answer, out.source_quotes, out.coherence, _revised(revision)
            ),
        )

    def write_video_script(
        self,
        source: Source,
        strategy: Strategy,
        brand: BrandConfig,
        target_seconds: int,
        revision: Revision,
        piece: ScriptPiece = "video",
    ) -> WrittenScript:
        template = load_template("video_script", source.language)
        request = _Request(template, source, _redaction(source))
        inputs = {
            **_strategy_inputs(request, strategy, brand, revision, piece),
            "piece": piece,
            "piece_label": template.fragment(f"piece_{piece}"),
            "target_seconds": str(target_seconds),
            "target_words": str(round(target_seconds * WORDS_PER_MINUTE / 60)),
            "words_per_minute": str(WORDS_PER_MINUTE),
        }
        answer = self._ask(
            request,
            ScriptOut,
            "a video script that does not fit",
            inputs,
            check=_empty_scenes,
        )
        out, restore = answer.output, request.redaction.restore
        scenes = [
            Scene(
                narration=_without_urls(restore(scene.narration)),
                visual=_without_urls(restore(scene.visual)),
            )
            for scene in out.scenes
        ]
        parameters = {**narration_parameters(scenes, target_seconds), **_revised(revision)}
        return WrittenScript(
            language=source.language,
            title=_without_urls(restore(out.title)) or None,
            scenes=scenes,
            generation=_generation(request, answer, out.source_quotes, out.coherence, parameters),
        )

    # ------------------------------------------------------------ asking

    def _ask(
        self,
        request: _Request,
        output: type[OutT],
        what: str,
        inputs: dict[str, str],
        check: Callable[[OutT], str] = lambda _out: "",
    ) -> _Answer[OutT]:
        """The parsed answer; one more try, told what was wrong, when it does not fit."""
        started = time.perf_counter()
        messages = request.template.render(**inputs)
        input_tokens = output_tokens = attempts = 0
        problem = ""
        for message in messages:  # G4: nothing unredacted ever leaves
            assert_minimised(str(message["content"]), request.source.language)
        for _ in range(FORM_TRIES):
            completion, tries = call_with_retries(
                partial(self._complete, messages, _response_format(output)),
                provider=PROVIDER,
                max_attempts=self._settings.max_attempts,
                classify=self._classify,
                sleep=self._sleep,
            )
            attempts += tries
            if completion.usage:
                input_tokens += completion.usage.prompt_tokens
                output_tokens += completion.usage.completion_tokens
            parsed, problem = _read(completion, output, check)
            if parsed is not None:
                seconds = round(time.perf_counter() - started, 6)
                return _Answer(
                    parsed, completion.model, input_tokens, output_tokens, attempts, seconds
                )
            messages = [
                *messages,
                *_assistant_turn(completion),
                request.template.correction_message(problem),
            ]
        raise ProviderError(
            f"{PROVIDER}: OpenAI returned {what} the expected form twice: {problem}"
        )

    def _complete(self, messages: list[Message], response_format: dict[str, Any]) -> ChatCompletion:
        return self._client.chat.completions.create(
            model=self._settings.text_model,
            messages=cast(Any, messages),
            response_format=cast(Any, response_format),
        )

    def _classify(self, error: Exception) -> Failure | None:
        import openai

        if isinstance(error, openai.APITimeoutError):
            timeout = self._settings.timeout_seconds
            return Failure(True, f"no answer from {self._base_url} within {timeout:g} s (timeout)")
        if isinstance(error, openai.APIConnectionError):
            return Failure(True, f"could not reach {self._base_url} (connection error)")
        if isinstance(error, openai.APIStatusError):
            return self._status_failure(error)
        return None

    def _status_failure(self, error: APIStatusError) -> Failure:
        import openai

        says, model = _server_message(error), self._settings.text_model
        if isinstance(error, openai.RateLimitError) and error.code == "insufficient_quota":
            return Failure(
                False, f"OpenAI quota exhausted (429): check the account's billing; {says}"
            )
        if isinstance(error, openai.RateLimitError | openai.InternalServerError):
            retry_after = retry_after_seconds(error.response.headers.get("retry-after"))
            return Failure(
                True, f"OpenAI is unavailable ({error.status_code}): {says}", retry_after
            )
        if isinstance(error, openai.AuthenticationError):
            return Failure(
                False,
                "OpenAI rejected the key (401): check OPENAI_API_KEY "
                "(or the Secret block named in providers.openai.api_key_block)",
            )
        if isinstance(error, openai.PermissionDeniedError):
            return Failure(
                False,
                f"OpenAI refused access (403): the key's project may not use model {model!r} "
                f"or this region; {says}",
            )
        if isinstance(error, openai.NotFoundError):
            return Failure(
                False,
                f"no model {model!r} at {self._base_url} (404): check "
                f"providers.openai.text_model; {says}",
            )
        if isinstance(error, openai.BadRequestError):
            return Failure(False, f"OpenAI refused the request (400): {says}")
        return Failure(False, f"OpenAI answered {error.status_code}: {says}")


@lru_cache(maxsize=8)
def _response_format(output: type[BaseModel]) -> dict[str, Any]:
    """The strict JSON-schema `response_format` the SDK derives from a pydantic model."""
    from openai.lib import type_to_response_format_param

    return cast(dict[str, Any], type_to_response_format_param(output))


def _read(
    completion: ChatCompletion, output: type[OutT], check: Callable[[OutT], str]
) -> tuple[OutT | None, str]:
    """(the answer, "") when it fits; (None, what is wrong) when it does not."""
    if not completion.choices:
        return None, "the answer holds no message"
    choice = completion.choices[0]
    if choice.message.refusal:
        return None, f"the model refused: {normalize_space(choice.message.refusal)}"
    if choice.finish_reason == "length":
        return None, "the answer was cut at the token limit"
    try:
        parsed = output.model_validate_json(choice.message.content or "")
    except ValidationError as error:
        return None, _validation_problems(error)
    problem = check(parsed)
    return (None, problem) if problem else (parsed, "")


def _validation_problems(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in e['loc']) or 'answer'}: {e['msg']}"
        for e in error.errors()[:5]
    ]
    more = error.error_count() - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def _assistant_turn(completion: ChatCompletion) -> list[Message]:
    message = completion.choices[0].message if completion.choices else None
    said = message and (message.content or message.refusal)
    return [{"role": "assistant", "content": said}] if said else []


def _server_message(error: APIStatusError) -> str:
    body = error.body
    said = body.get("message") if isinstance(body, dict) else body
    text = normalize_space(str(said or f"HTTP {error.status_code}"))
    return truncate_words(text, SERVER_MESSAGE_CHARS)


def _missing_channels(answered: list[str], channels: Collection[str]) -> str:
    missing = [name for name in channels if name not in answered]
    return f"no entry for channel(s) {', '.join(missing)}" if missing else ""


# ---------------------------------------------------------------- inputs


def _source_block(source: Source, redaction: Redaction) -> str:
    return f"{redaction.add(source.title)}\n\n{redaction.add(source.text)}"


def _brand_inputs(template: PromptTemplate, brand: BrandConfig) -> dict[str, str]:
    return {
        "brand_name": brand.name,
        "brand_tone": brand.tone,
        "banned_terms": _joined(template, [f'"{term}"' for term in brand.banned_terms]),
    }


def _joined(template: PromptTemplate, items: list[str], separator: str = ", ") -> str:
    return separator.join(items) or template.fragment("none")


def _listed(template: PromptTemplate, items: list[str]) -> str:
    return "\n".join(f"  - {item}" for item in items) or f"  - {template.fragment('none')}"


def _channel_lines(
    template: PromptTemplate, source: Source, brand: BrandConfig, channels: dict[str, ChannelConfig]
) -> str:
    return "\n".join(
        template.fragment(
            "channel",
            channel=name,
            label=cfg.label,
            text_chars=str(_text_budget(source, brand, cfg)),
            max_chars=str(cfg.max_chars),
            max_hashtags=str(cfg.max_hashtags),
            link=template.fragment(f"link_{cfg.link_policy}"),
            emoji=template.fragment("emoji_yes" if cfg.emoji else "emoji_no"),
        )
        for name, cfg in channels.items()
    )


def _text_budget(source: Source, brand: BrandConfig, cfg: ChannelConfig) -> int:
    """Room for hook and body: the channel's target minus the frame we add."""
    frame = _frame(source, brand, cfg, hashtags=["#" + "x" * HASHTAG_ALLOWANCE] * cfg.max_hashtags)
    used = post_length(frame.render(), cfg) + SEPARATORS_CHARS
    return max(MIN_TEXT_CHARS, cfg.target_chars - used)


def _comment_rounds(template: PromptTemplate, revision: Revision, redaction: Redaction) -> str:
    rounds = [
        template.fragment("round", number=str(number), comments=redaction.add(_one_line(text)))
        for number, text in enumerate(revision.comments, start=1)
        if text.strip()
    ]
    return "\n".join(rounds) or template.fragment("none")


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _strategy_inputs(
    request: _Request, strategy: Strategy, brand: BrandConfig, revision: Revision, output: str
) -> dict[str, str]:
    """What the article, newsletter and script prompts share: source, brand, strategy, comments
    (the tone is the one the strategy gave `output`)."""
    template, redact = request.template, request.redaction.add
    return {
        "source": _source_block(request.source, request.redaction),
        **_brand_inputs(template, brand),
        "language": request.source.language,
        "angle": redact(strategy.angle),
        "key_messages": _listed(template, [redact(m) for m in strategy.key_messages]),
        "keywords": _joined(template, [redact(k) for k in strategy.seo.keywords]),
        "tone": redact(strategy.tone.get(output, brand.tone)),
        "comments": _comment_rounds(template, revision, request.redaction),
    }


def _revised(revision: Revision) -> dict[str, Any]:
    return {"revision_round": revision.round}


def _empty_scenes(out: ScriptOut) -> str:
    if not out.scenes:
        return "no scenes"
    empty = [
        str(n)
        for n, s in enumerate(out.scenes, 1)
        if not (s.narration.strip() and s.visual.strip())
    ]
    return f"scene(s) {', '.join(empty)} without narration or visual" if empty else ""


# ---------------------------------------------------------------- answers into our models


def _plan(
    request: _Request,
    answer: _Answer[PlanOut],
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
) -> EditorialPlan:
    out, restore = answer.output, request.redaction.restore
    goals: dict[str, str] = {}
    for goal in out.channels:
        goals.setdefault(goal.channel, restore(goal.goal))
    signature = {tag.lower() for tag in brand.signature_hashtags}
    return EditorialPlan(
        angle=restore(out.angle),
        key_messages=[restore(message) for message in out.key_messages],
        keywords=[restore(keyword) for keyword in out.keywords],
        hashtags=[tag for tag in _hashtags(out.hashtags) if tag.lower() not in signature],
        channels=[
            ChannelStrategy(
                channel=name,
                goal=goals[name],
                include_link=cfg.link_policy == "inline",
                max_chars=cfg.max_chars,
            )
            for name, cfg in channels.items()
        ],
        generation=_generation(request, answer, out.source_quotes, out.coherence, {}),
    )


def _channel_post(
    request: _Request,
    answer: _Answer[PostsOut],
    brand: BrandConfig,
    channel: str,
    cfg: ChannelConfig,
    out: PostOut,
    parameters: dict[str, Any],
    share: tuple[int, int],
) -> ChannelPost:
    """The model's hook, body and hashtags in our frame, fitted to the channel."""
    source, restore = request.source, request.redaction.restore
    draft = _frame(source, brand, cfg, hashtags=_hashtags(out.hashtags)[: cfg.max_hashtags])
    draft.hook = _without_urls(restore(out.hook))
    draft.body = split_sentences(_without_urls(restore(out.body)))
    _shorten_body(draft, cfg)
    fit_to_channel(draft, cfg)
    text = draft.render()
    return ChannelPost(
        channel=channel,
        language=source.language,
        text=text,
        hashtags=[tag for tag in draft.hashtags if tag in text],
        link=source.public_url if cfg.link_policy == "inline" else None,
        disclosure=draft.disclosure,
        generation=_generation(
            request,
            answer,
            out.source_quotes,
            out.coherence,
            {"channel": channel, **parameters},
            share,
        ),
    )


def _frame(source: Source, brand: BrandConfig, cfg: ChannelConfig, hashtags: list[str]) -> Draft:
    """A post with our parts only: call to action (per link policy), hashtags, disclosure."""
    language = source.language
    return Draft(
        hook="",
        body=[],
        call_to_action=call_to_action(brand, cfg, language, source.public_url, emoji=False),
        hashtags=hashtags,
        disclosure=str(getattr(brand.disclosure_for(language), cfg.disclosure)),
    )


def _without_urls(text: str) -> str:
    """The model is told to write no URL: links are ours, per the channel's link policy."""
    return normalize_space(URL.sub("", text))


def _hashtags(proposed: list[str]) -> list[str]:
    """Well-formed (``#Word``), without repeats (any case), in the model's order."""
    tags: dict[str, str] = {}
    for text in proposed:
        tag = text if HASHTAG.fullmatch(text) else hashtag(text.lstrip("#"))
        if tag:
            tags.setdefault(tag.lower(), tag)
    return list(tags.values())


def _shorten_body(draft: Draft, cfg: ChannelConfig) -> None:
    """Over the channel's limit: whole sentences off the end, then the last one cut at a word,
    before `fit_to_channel` (which would drop the whole body) has to step in."""

    def excess() -> int:
        return post_length(draft.render(), cfg) - cfg.max_chars

    while excess() > 0 and len(draft.body) > 1:
        draft.body.pop()
    if draft.body and excess() > 0:
        room = len(draft.body[0]) - excess() - 1  # the ellipsis may weigh 2 on X
        if room >= MIN_TEXT_CHARS:
            draft.body[0] = truncate_words(draft.body[0], room)


# ---------------------------------------------------------------- the record


def _generation(
    request: _Request,
    answer: _Answer[Any],
    quotes: list[SourceQuote],
    coherence: Coherence,
    parameters: dict[str, Any],
    share: tuple[int, int] = (0, 1),
) -> Generation:
    """How it was made: template, model as the server named it, tokens, attempts, redactions,
    and the model's own verification (quotes we could not find in the source are listed)."""
    index, parts = share
    restore = request.redaction.restore
    passages = [restore(quote.passage) for quote in quotes if quote.passage.strip()]
    source_text = _comparable(f"{request.source.title}\n{request.source.text}")
    return Generation(
        provider=PROVIDER,
        model=answer.model,
        template_id=request.template.id,
        template_version=request.template.version,
        parameters={
            **parameters,
            "language": request.source.language,
            "prompt_language": request.template.language,
            "source_quotes": passages,
            "quotes_not_in_source": [p for p in passages if _comparable(p) not in source_text]
            or None,
            "self_check_passed": coherence.within_limits
            and coherence.tone_respected
            and coherence.supported_by_source,
            "self_check_notes": restore(coherence.notes) or None,
        },
        seconds=round(answer.seconds / parts, 6),
        input_tokens=_share(answer.input_tokens, index, parts),
        output_tokens=_share(answer.output_tokens, index, parts),
        attempts=answer.attempts,
        redacted=request.redaction.counts,
    )


_TYPOGRAPHY = str.maketrans(
    {"’": "'", "‘": "'", "“": None, "”": None, "«": None, "»": None, '"': None}
)


def _comparable(text: str) -> str:
    """For finding a quote in the source: quotation marks, apostrophes, spaces and case aside."""
    return normalize_space(text.translate(_TYPOGRAPHY)).casefold()


def _share(total: int, index: int, parts: int) -> int:
    """Part `index` of `total` split in `parts` whole shares that add up to `total`."""
    return total // parts + (1 if index < total % parts else 0)
