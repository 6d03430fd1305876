"""What the editorial steps produce: a strategy, an article, a newsletter, and their checks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from pressroom.media.script import Scene, VideoScript
from pressroom.models import Generation
from pressroom.text import count_words

WORDS_PER_MINUTE = 150  # narration pace the scripts are written for

#: What a narration script is for: a video, or a podcast voice-over (its visuals unused).
ScriptPiece = Literal["video", "voiceover"]

SearchIntent = Literal["informational", "navigational", "commercial", "transactional"]


class SeoPlan(BaseModel):
    keywords: list[str] = Field(description="Best first: the first is the main keyword")
    search_intent: SearchIntent
    title: str = Field(description="The page title search engines show (60 characters at most)")
    meta_description: str = Field(description="The snippet under it (70 to 155 characters)")


class Strategy(BaseModel):
    angle: str
    key_messages: list[str]
    tone: dict[str, str] = Field(description="Per channel or format: how it should sound")
    seo: SeoPlan
    generation: Generation | None = None


class ArticleSection(BaseModel):
    heading: str
    paragraphs: list[str]


class Article(BaseModel):
    title: str
    meta_description: str
    sections: list[ArticleSection]
    language: str
    disclosure: str
    generation: Generation

    def markdown(self) -> str:
        """H1 title, an H2 per section, the AI label last."""
        blocks = [f"# {self.title}"]
        for section in self.sections:
            blocks += [f"## {section.heading}", *section.paragraphs]
        return "\n\n".join([*blocks, f"*{self.disclosure}*"]) + "\n"


class Newsletter(BaseModel):
    subject: str
    preheader: str = Field(description="The preview line mail clients show after the subject")
    body: str = Field(description="Markdown")
    language: str
    disclosure: str
    generation: Generation

    def markdown(self) -> str:
        """The subject as H1, the preheader in italics, the body, the AI label last."""
        blocks = [f"# {self.subject}", f"*{self.preheader}*", self.body, f"*{self.disclosure}*"]
        return "\n\n".join(blocks) + "\n"


class WrittenScript(VideoScript):
    """A video script as a text provider wrote it: a `VideoScript`, with its record."""

    generation: Generation


def narration_parameters(scenes: list[Scene], target_seconds: int) -> dict[str, int | float]:
    """For the script's record: the target, and the narration's words and duration at
    WORDS_PER_MINUTE."""
    words = sum(count_words(scene.narration) for scene in scenes)
    return {
        "target_seconds": target_seconds,
        "narration_words": words,
        "estimated_seconds": round(words * 60 / WORDS_PER_MINUTE, 1),
    }


class Readability(BaseModel):
    score: float
    formula: str = Field(description='"Flesch reading ease" (en) or "Kandel & Moles" (fr)')
    level: str = Field(description="The score's band: very easy … very difficult")
    words: int
    sentences: int


class SeoCheck(BaseModel):
    name: str
    passed: bool
    detail: str


class Polished(BaseModel):
    text: str
    notes: list[str] = Field(description="What was fixed, and what was only flagged")
