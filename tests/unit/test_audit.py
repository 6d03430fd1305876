"""The audit trail: a hash chain in JSON Lines that shows any edit, removal, move or cut tail."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pressroom.audit import AuditEntry, AuditError, AuditKind, AuditLog

CONTENT = "c0ffee" + "0" * 58


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "out" / "audit.jsonl")


@pytest.fixture
def five(log: AuditLog) -> list[AuditEntry]:
    """A log of five entries."""
    kinds: list[AuditKind] = ["generation", "compliance", "review", "publish", "publish"]
    return [
        log.append(kind, {"step": i, "target": "s3" if i == 4 else "local"}, run_id="run-1")
        for i, kind in enumerate(kinds)
    ]


def problems_of(log: AuditLog, anchors: list[tuple[int, str]] | None = None) -> list[str]:
    verification = log.verify(anchors or [])
    assert verification.ok is (not verification.problems)
    return verification.problems


# ---------------------------------------------------------------- writing and reading


def test_entries_read_back_as_appended(log: AuditLog) -> None:
    first = log.append("generation", {"source": {"url": "https://example.org/é"}}, run_id="r1")
    second = log.append("review", {"approval": {"reviewer": "Zoë"}}, content_sha256=CONTENT)

    assert log.entries() == [first, second]
    assert [e.seq for e in log.entries()] == [1, 2]
    assert (second.kind, second.run_id, second.content_sha256) == ("review", None, CONTENT)
    assert second.data == {"approval": {"reviewer": "Zoë"}}
    assert first.at.utcoffset() == second.at.utcoffset() == timedelta(0)
    raw = lines_of(log.path)
    assert len(raw) == 2
    assert all(line == canonical(json.loads(line)) for line in raw)  # sorted keys, no spaces
    assert "Zoë".encode() in raw[1]  # UTF-8, not \\u escapes


def test_each_entry_is_chained_to_the_one_before(log: AuditLog, five: list[AuditEntry]) -> None:
    assert five[0].prev == "0" * 64
    for before, after in zip(five, five[1:], strict=False):
        assert after.prev == before.hash
    for line in lines_of(log.path):
        fields = json.loads(line)
        claimed = fields.pop("hash")
        assert claimed == hashlib.sha256(canonical(fields)).hexdigest()
    assert log.head() == (5, five[-1].hash)
    assert json.loads(log.head_path.read_bytes()) == {"seq": 5, "hash": five[-1].hash}
    assert log.head_path.name == "audit.head.json"
    assert log.verify() == log.verify([(2, five[1].hash), (5, five[4].hash)])
    assert log.verify().ok and log.verify().entries == 5


def test_an_empty_log(log: AuditLog) -> None:
    assert log.entries() == []
    assert log.head() is None
    assert log.find("publish") == []
    verification = log.verify()
    assert (verification.ok, verification.entries, verification.problems) == (True, 0, [])


def test_find_filters_by_kind_content_and_data(log: AuditLog) -> None:
    other = "f" * 64
    log.append("publish", {"target": "local"}, content_sha256=CONTENT)
    s3 = log.append("publish", {"target": "s3", "uri": "s3://b/k"}, content_sha256=CONTENT)
    log.append("publish", {"target": "s3"}, content_sha256=other)
    log.append("publish_failed", {"target": "s3"}, content_sha256=CONTENT)

    assert log.find("publish", content_sha256=CONTENT, target="s3") == [s3]
    assert len(log.find("publish", target="s3")) == 2
    assert len(log.find("publish", content_sha256=CONTENT)) == 2
    assert log.find("publish", content_sha256=CONTENT, target="webhook:x") == []
    assert log.find("waiver") == []


# ---------------------------------------------------------------- concurrency


def append_many(path: str, worker: int, count: int) -> None:
    """Run in a child process (module level, so that spawn can import it)."""
    log = AuditLog(Path(path))
    for i in range(count):
        log.append("generation", {"worker": worker, "i": i})


def assert_complete_chain(log: AuditLog, workers: int, count: int) -> None:
    entries = log.entries()
    assert [e.seq for e in entries] == list(range(1, workers * count + 1))
    assert {(e.data["worker"], e.data["i"]) for e in entries} == {
        (w, i) for w in range(workers) for i in range(count)
    }
    verification = log.verify()
    assert verification.problems == []
    assert verification.entries == workers * count
    assert log.head() == (entries[-1].seq, entries[-1].hash)


def test_concurrent_appends_from_threads(log: AuditLog) -> None:
    threads = [
        threading.Thread(target=append_many, args=(str(log.path), worker, 25))
        for worker in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert_complete_chain(log, 8, 25)


def test_concurrent_appends_from_processes(log: AuditLog) -> None:
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    processes = [
        context.Process(target=append_many, args=(str(log.path), worker, 50)) for worker in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert_complete_chain(log, 4, 50)


# ---------------------------------------------------------------- tampering


def test_an_edited_character_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    lines = lines_of(log.path)
    lines[3] = lines[3].replace(b'"target":"local"', b'"target":"locaL"')
    write_lines(log.path, lines)

    assert problems_of(log) == ["line 4 (seq 4) was edited: its content does not match its hash"]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(
    log: AuditLog, five: list[AuditEntry]
) -> None:
    lines = lines_of(log.path)
    fields = json.loads(lines[1])
    fields["data"]["step"] = 99
    del fields["hash"]
    fields["hash"] = hashlib.sha256(canonical(fields)).hexdigest()
    lines[1] = canonical(fields)
    write_lines(log.path, lines)

    [problem] = problems_of(log)
    assert problem.startswith("line 3 (seq 3) does not link to seq 2")


def test_a_removed_middle_line_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    lines = lines_of(log.path)
    write_lines(log.path, lines[:2] + lines[3:])

    assert problems_of(log) == [
        "line 3 holds seq 4 where seq 3 was expected: an entry before it was removed or moved"
    ]


def test_a_removed_first_line_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    write_lines(log.path, lines_of(log.path)[1:])

    [problem] = problems_of(log)
    assert problem.startswith("line 1 holds seq 2 where seq 1 was expected")


def test_a_removed_last_line_is_caught_by_the_head_file(
    log: AuditLog, five: list[AuditEntry]
) -> None:
    write_lines(log.path, lines_of(log.path)[:-1])

    assert problems_of(log) == [
        "the head file records seq 5, which the log does not hold (its last line holds seq 4): "
        "entries were cut from the end"
    ]
    with pytest.raises(AuditError, match="entries were cut or edited; nothing was appended"):
        log.append("publish", {"target": "local"})
    assert len(lines_of(log.path)) == 4


def test_a_cut_tail_with_a_rewritten_head_file_is_caught_by_an_anchor(
    log: AuditLog, five: list[AuditEntry]
) -> None:
    write_lines(log.path, lines_of(log.path)[:3])
    log.head_path.write_text(json.dumps({"seq": 3, "hash": five[2].hash}))
    assert problems_of(log) == []  # the chain and head alone cannot tell

    problems = problems_of(log, [(2, five[1].hash), (4, five[3].hash)])

    assert problems == [
        "anchor (seq 4) records seq 4, which the log does not hold (its last line holds seq 3): "
        "entries were cut from the end"
    ]


def test_an_anchor_with_another_hash_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    [problem] = problems_of(log, [(3, "ab" * 32)])
    assert problem.startswith("anchor (seq 3) records seq 3 with hash abababababab, but line 3")


def test_a_swapped_pair_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    lines = lines_of(log.path)
    lines[1], lines[2] = lines[2], lines[1]
    write_lines(log.path, lines)

    assert problems_of(log) == [
        "line 2 holds seq 3 where seq 2 was expected: an entry before it was removed or moved",
        "line 3 holds seq 2 after seq 3: it was moved or duplicated",
    ]


def test_a_malformed_line_is_caught(log: AuditLog, five: list[AuditEntry]) -> None:
    lines = lines_of(log.path)
    lines[1] = lines[1][:40]
    write_lines(log.path, lines)

    problems = problems_of(log)
    assert problems[0].startswith("line 2 is not an audit entry")
    assert "line 3 holds seq 3 where seq 2 was expected" in problems[1]
    with pytest.raises(AuditError, match="line 2 is not an audit entry"):
        log.entries()


def test_an_interrupted_last_line_is_caught_and_blocks_appends(
    log: AuditLog, five: list[AuditEntry]
) -> None:
    with open(log.path, "ab") as handle:
        handle.write(b'{"seq":6,"kind":"pub')

    problems = problems_of(log)
    assert problems[0] == ("line 6 is incomplete (no newline at the end): an interrupted write")
    with pytest.raises(AuditError, match="ends with an incomplete line"):
        log.append("publish", {"target": "local"})


def test_a_missing_head_file_is_reported(log: AuditLog, five: list[AuditEntry]) -> None:
    log.head_path.unlink()
    assert problems_of(log) == ["the head file is missing: a cut tail cannot be detected"]


# ---------------------------------------------------------------- no secrets


@pytest.mark.parametrize(
    "data",
    [
        {"secret": "x"},
        {"api_key": "x"},
        {"apiKey": "x"},
        {"OPENAI_API_KEY": "x"},
        {"X-Auth-Token": "x"},
        {"db_password": "x"},
        {"target": {"webhook": {"signing_secret": "x"}}},
        {"headers": [{"name": "ok"}, {"access_token": "x"}]},
    ],
)
def test_keys_named_like_secrets_are_refused(log: AuditLog, data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="looks like a secret"):
        log.append("publish", data)
    assert not log.path.exists()


def test_ordinary_keys_are_accepted(log: AuditLog) -> None:
    data = {
        "prompt_tokens": 12,
        "keywords": ["ferry"],
        "secretary": "Ana",
        "key_messages": [],
        "api_keyboard": "fr",
    }
    assert log.append("generation", data).data == data


def test_a_head_file_one_entry_behind_is_reported_and_repaired_by_the_next_append(
    log: AuditLog, five: list[AuditEntry]
) -> None:
    """What a process that died between writing its line and the head file leaves."""
    log.head_path.write_text(json.dumps({"seq": 4, "hash": five[3].hash}))
    assert problems_of(log) == [
        "the log goes on past the head file's seq 4 to seq 5: entries were added without "
        "updating the head"
    ]

    sixth = log.append("waiver", {"rule_id": "L3"})

    assert (sixth.seq, sixth.prev) == (6, five[4].hash)
    assert problems_of(log) == []
