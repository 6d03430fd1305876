"""Paid and heavy steps are cached on what their inputs say, whatever Python object carries it:
a resumed run gets its inputs back from the result store, not as the objects first made."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from pressroom.models import CardImage, Source
from tasks.editorial import _content_key
from tasks.media import Asset, _signing_key


def test_a_model_holding_bytes_keys_the_same_after_a_round_trip(
    fake_card: Callable[..., CardImage],
) -> None:
    card = fake_card()
    again = pickle.loads(pickle.dumps(card))
    assert _content_key(None, {"images": [card]}) == _content_key(None, {"images": [again]})
    other = fake_card(colour="#ffffff")
    assert _content_key(None, {"images": [card]}) != _content_key(None, {"images": [other]})


def test_a_source_keys_on_what_it_says_not_when_it_was_fetched(en_source: Source) -> None:
    later = en_source.model_copy(update={"fetched_at": en_source.fetched_at.replace(year=2030)})
    assert _content_key(None, {"source": en_source}) == _content_key(None, {"source": later})


def test_signing_keys_on_the_bytes_the_maker_and_the_root(
    fake_card: Callable[..., CardImage],
) -> None:
    card = fake_card()
    asset = {"x.png": Asset(data=card.png, media_type="image/png", generation=card.generation)}
    copy = pickle.loads(pickle.dumps(asset))
    key = _signing_key(None, {"assets": asset, "root_sha256": "r1"})
    assert key == _signing_key(None, {"assets": copy, "root_sha256": "r1"})
    assert key != _signing_key(None, {"assets": asset, "root_sha256": "r2"})


def test_a_change_to_the_generating_code_changes_the_key(
    en_source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.editorial

    before = _content_key(None, {"source": en_source})
    monkeypatch.setattr(tasks.editorial, "generator_fingerprint", lambda: "another writer")
    assert _content_key(None, {"source": en_source}) != before


def test_the_fingerprint_covers_the_writers_and_the_models_results_are_read_into() -> None:
    from tasks.editorial import PACKAGE, generator_files

    names = {path.relative_to(PACKAGE).as_posix() for path in generator_files()}
    assert "models.py" in names  # a field added to a model must not meet an old pickle
    assert {"providers/offline_text.py", "prompts/audience.en.yaml"} <= names
    assert "compliance/copyright.py" not in names  # checks do not decide what is generated
