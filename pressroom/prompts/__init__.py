"""Versioned prompt templates, one YAML file per editorial step and language.

    template = load_template("social_posts", "fr")
    messages = template.render(source=text, language="fr", ...)   # [system, user]

Each file (``<id>.<language>.yaml``) holds the four parts DESIGN.md asks for — ``role`` (role and
context: the system message), ``request`` (the precise request), ``verify`` (quote the source
passage behind each claim) and ``coherence`` (the model checks its own answer) — plus
``correction`` (sent when an answer did not fit the expected form) and ``fragments`` (phrases
used to format list inputs in the template's language). Inputs are ``${name}`` placeholders.

The ``source`` input is untrusted: `render` wraps it between marker lines carrying a random code
drawn for each call (``${source_begin}`` / ``${source_end}`` name them in the instructions), so a
source cannot forge the end of its own block. Change the wording: bump ``version``.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field

from pressroom.errors import ConfigError
from pressroom.settings import load_model

PROMPTS_DIR = Path(__file__).resolve().parent
FALLBACK_LANGUAGE = "en"
PARTS = ("role", "request", "verify", "coherence")

Message = dict[str, str]


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    role: str = Field(min_length=1, description="Role and context: the system message")
    request: str = Field(min_length=1, description="The precise request")
    verify: str = Field(min_length=1, description="Quote the source passage behind each claim")
    coherence: str = Field(min_length=1, description="The model checks its answer")
    correction: str = Field(min_length=1, description="After an answer of the wrong form")
    fragments: dict[str, str] = Field(default_factory=dict)

    def render(self, **inputs: str) -> list[Message]:
        """The system message (role and context) and the user message (request, verification,
        coherence check), with ``source`` wrapped as untrusted data between fresh markers."""
        values = dict(inputs)
        if "source" in values:
            values.update(_untrusted_block(values["source"]))
        system = self._substitute(self.role, values)
        user = "\n\n".join(
            self._substitute(part, values).strip()
            for part in (self.request, self.verify, self.coherence)
        )
        return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user}]

    def fragment(self, name: str, **values: str) -> str:
        if name not in self.fragments:
            raise ConfigError(f"prompt {self._label()}: no fragment named {name!r}")
        return self._substitute(self.fragments[name], values)

    def correction_message(self, problem: str) -> Message:
        return {"role": "user", "content": self._substitute(self.correction, {"problem": problem})}

    def _substitute(self, text: str, values: dict[str, str]) -> str:
        try:
            return Template(text).substitute(values)
        except KeyError as missing:
            raise ConfigError(
                f"prompt {self._label()}: no value for input ${missing.args[0]}"
            ) from None
        except ValueError as error:
            raise ConfigError(f"prompt {self._label()}: {error}") from None

    def _label(self) -> str:
        return f"{self.id} v{self.version} ({self.language})"


def _untrusted_block(text: str) -> dict[str, str]:
    code = secrets.token_hex(8)
    begin, end = f"<<<SOURCE {code}>>>", f"<<<END SOURCE {code}>>>"
    return {"source": f"{begin}\n{text}\n{end}", "source_begin": begin, "source_end": end}


def template_ids() -> list[str]:
    return sorted({path.name.split(".")[0] for path in PROMPTS_DIR.glob("*.*.yaml")})


@lru_cache(maxsize=32)
def load_template(template_id: str, language: str) -> PromptTemplate:
    """The template in `language`, else in English; a ConfigError names what exists."""
    for candidate in (language, FALLBACK_LANGUAGE):
        path = PROMPTS_DIR / f"{template_id}.{candidate}.yaml"
        if path.is_file():
            template = load_model(path, PromptTemplate)
            if (template.id, template.language) != (template_id, candidate):
                raise ConfigError(
                    f"{path}: id and language must match the file name "
                    f"({template_id!r}, {candidate!r})"
                )
            return template
    known = ", ".join(template_ids())
    raise ConfigError(f"no prompt template {template_id!r} in {PROMPTS_DIR}; known: {known}")
