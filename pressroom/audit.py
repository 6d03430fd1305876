"""A tamper-evident, append-only audit trail: one JSON line per event, each chained to the last.

Every entry holds ``prev``, the hash of the entry before it (64 zeros for the first), and
``hash``, the sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of all its other
fields. Editing, removing, inserting or moving an entry breaks the chain, and `AuditLog.verify`
says where. Cutting entries off the end leaves a valid chain, so each append also records the
newest ``(seq, hash)`` in a head file beside the log (``audit.jsonl`` -> ``audit.head.json``);
callers may keep such pairs elsewhere too (bundle manifests) and pass them to `verify` as
anchors. The chain is not keyed: someone who rewrites the whole log *and* the head file goes
unnoticed unless an anchor kept elsewhere disagrees.

Appends from any number of threads and processes are serialised by an exclusive ``flock`` on a
sidecar lock file (``audit.jsonl.lock``); reading the whole log takes a shared one.

The log is kept for years and read by people: ``data`` must never hold secrets (keys, tokens,
passwords, signed URLs). `AuditLog.append` refuses keys named like secrets as a last guard; it
cannot see a secret stored under an innocent name.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pressroom.errors import PressroomError
from pressroom.models import sha256_hex, utc_now

AuditKind = Literal["generation", "compliance", "review", "waiver", "publish", "publish_failed"]
GENESIS = "0" * 64
_TAIL_BLOCK = 8192
_SECRET_WORDS = frozenset({"secret", "secrets", "token", "password", "passwd", "passphrase"})

Head = tuple[int, str]
Located = list[tuple[int, "AuditEntry"]]  # (line number, entry)


class AuditError(PressroomError):
    """The audit log cannot be appended to or read as it is: `verify` says why."""


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1)
    at: datetime
    kind: AuditKind
    run_id: str | None = None
    content_sha256: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    prev: str
    hash: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(fields: dict[str, Any]) -> str:
    """The hash of an entry: sha256 of the canonical JSON of every field but ``hash``."""
    return sha256_hex(canonical_json({k: v for k, v in fields.items() if k != "hash"}))


def refuse_secret_keys(data: Any, where: str = "data") -> None:
    """Raise ValueError when a key, at any depth, is named like a secret (token, api_key...)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if _looks_secret(str(key)):
                raise ValueError(
                    f"{where}[{key!r}] looks like a secret; secrets never go in the audit log"
                )
            refuse_secret_keys(value, f"{where}[{key!r}]")
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            refuse_secret_keys(value, f"{where}[{index}]")


def _looks_secret(key: str) -> bool:
    """'api_key', 'apiKey', 'X-Auth-Token', 'db_password' yes; 'prompt_tokens', 'keywords' no."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", words) if p]
    api_key = "apikey" in parts or ("api", "key") in zip(parts, parts[1:], strict=False)
    return api_key or bool(_SECRET_WORDS.intersection(parts))


class AuditLog:
    """The audit trail at ``path`` (JSON Lines), with its head file and lock file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.with_name(f"{path.stem}.head.json")
        self.lock_path = path.with_name(f"{path.name}.lock")

    def append(
        self,
        kind: AuditKind,
        data: dict[str, Any],
        *,
        run_id: str | None = None,
        content_sha256: str | None = None,
    ) -> AuditEntry:
        """Write one entry, durably, after the current last one; returns it as read back."""
        refuse_secret_keys(data)
        with self._locked(fcntl.LOCK_EX):
            last = self._checked_last_entry()
            draft = AuditEntry(
                seq=last.seq + 1 if last else 1,
                at=utc_now(),
                kind=kind,
                run_id=run_id,
                content_sha256=content_sha256,
                data=data,
                prev=last.hash if last else GENESIS,
                hash="",
            )
            fields = draft.model_dump(mode="json")
            fields["hash"] = entry_hash(fields)
            self._write_line(canonical_json(fields))
            entry = AuditEntry.model_validate(fields)
            self._write_head(entry)
        return entry

    def entries(self) -> list[AuditEntry]:
        """Every entry, oldest first; AuditError on a line that is not an entry."""
        with self._locked(fcntl.LOCK_SH):
            content = self._read()
        entries = []
        for number, line in enumerate(_split_lines(content), start=1):
            try:
                entries.append(AuditEntry.model_validate_json(line))
            except ValidationError as error:
                raise AuditError(f"{self.path}: line {number} is not an audit entry") from error
        return entries

    def head(self) -> Head | None:
        """The (seq, hash) the head file records, None before the first append."""
        try:
            head = json.loads(self.head_path.read_bytes())
            return int(head["seq"]), str(head["hash"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as error:
            raise AuditError(f"{self.head_path} is not a head file") from error

    def find(
        self, kind: AuditKind, *, content_sha256: str | None = None, **data_match: Any
    ) -> list[AuditEntry]:
        """Entries of this kind (and content hash, when given) whose data has these values."""
        return [
            entry
            for entry in self.entries()
            if entry.kind == kind
            and (content_sha256 is None or entry.content_sha256 == content_sha256)
            and all(key in entry.data and entry.data[key] == v for key, v in data_match.items())
        ]

    def verify(self, anchors: Iterable[Head] = ()) -> AuditVerification:
        """Check every line, the chain, the head file and each (seq, hash) anchor."""
        with self._locked(fcntl.LOCK_SH):  # the log and its head file as one append left them
            content = self._read()
            head = self._head_or_error()
        lines = _split_lines(content)
        problems = []
        if content and not content.endswith(b"\n"):
            problems.append(
                f"line {len(lines)} is incomplete (no newline at the end): an interrupted write"
            )
        located, unreadable = _parse_lines(lines)
        problems += unreadable + _sequence_problems(located) + _link_problems(located)
        problems += _tail_problems(located, head, anchors)
        return AuditVerification(ok=not problems, entries=len(located), problems=problems)

    # ------------------------------------------------------------ reading

    def _read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""

    def _head_or_error(self) -> Head | None | AuditError:
        try:
            return self.head()
        except AuditError as error:
            return error

    def _last_line(self) -> bytes | None:
        """The last line, read from the end of the file backwards; None for an empty log."""
        try:
            with open(self.path, "rb") as handle:
                tail = _read_tail(handle)
        except FileNotFoundError:
            return None
        if not tail:
            return None
        if not tail.endswith(b"\n"):
            raise AuditError(
                f"{self.path} ends with an incomplete line (an interrupted write?): "
                "nothing was appended; run verify"
            )
        return tail[:-1].rsplit(b"\n", 1)[-1]

    def _checked_last_entry(self) -> AuditEntry | None:
        """The last entry, after checking it against the head file (a cut tail stops here)."""
        line = self._last_line()
        try:
            last = AuditEntry.model_validate_json(line) if line is not None else None
        except ValidationError as error:
            raise AuditError(
                f"{self.path}: the last line is not an audit entry; nothing was appended"
            ) from error
        head = self.head()
        if not _head_agrees(head, last):
            raise AuditError(
                f"{self.path}: the head file records {_describe(head)} but the log ends at "
                f"{_describe((last.seq, last.hash) if last else None)}: entries were cut or "
                "edited; nothing was appended, run verify"
            )
        return last

    # ------------------------------------------------------------ writing

    @contextmanager
    def _locked(self, operation: int) -> Iterator[None]:
        """flock on the sidecar lock file: LOCK_EX to append, LOCK_SH to read the whole log."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, operation)
            yield  # closing the file releases the lock

    def _write_line(self, line: str) -> None:
        with open(self.path, "ab") as handle:
            handle.write(line.encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _write_head(self, entry: AuditEntry) -> None:
        """Replace the head file atomically: a temporary sibling, fsync, rename."""
        descriptor, temporary = tempfile.mkstemp(prefix=".audit-head.", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(canonical_json({"seq": entry.seq, "hash": entry.hash}))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.head_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------- reading helpers


def _read_tail(handle: BinaryIO) -> bytes:
    """The end of an open file: enough of it to hold its last two newlines (or all of it)."""
    position = handle.seek(0, os.SEEK_END)
    tail = b""
    while position > 0 and tail.count(b"\n") < 2:
        step = min(_TAIL_BLOCK, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
    return tail


def _split_lines(content: bytes) -> list[bytes]:
    """Lines split on newlines only (JSON may hold U+2028, which str.splitlines splits on)."""
    lines = content.split(b"\n")
    return lines[:-1] if lines[-1] == b"" else lines


def _head_agrees(head: Head | None, last: AuditEntry | None) -> bool:
    """The head file names the last entry, or the one before it: a process that died between
    writing its line and the head file leaves the head one entry behind."""
    if last is None:
        return head is None
    if head is None:
        return last.seq == 1
    return head in {(last.seq, last.hash), (last.seq - 1, last.prev)}


# ---------------------------------------------------------------- verification steps


def _parse_lines(lines: list[bytes]) -> tuple[Located, list[str]]:
    """(line number, entry) for each line that is an entry, and a problem for each line that is
    not one or whose content does not match its hash."""
    located: Located = []
    problems = []
    for number, line in enumerate(lines, start=1):
        try:
            fields = json.loads(line)
            entry = AuditEntry.model_validate(fields)
            content_hash = entry_hash(fields)
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, ValidationError, NaN
            problems.append(f"line {number} is not an audit entry: {_first_line(error)}")
            continue
        if content_hash != entry.hash:
            problems.append(
                f"line {number} (seq {entry.seq}) was edited: its content does not match its hash"
            )
        located.append((number, entry))
    return located, problems


def _sequence_problems(located: Located) -> list[str]:
    """Seqs must run 1, 2, 3... in file order: a gap is a removal, a step back a move."""
    problems = []
    expected = 1
    for number, entry in located:
        if entry.seq > expected:
            problems.append(
                f"line {number} holds seq {entry.seq} where seq {expected} was expected: "
                "an entry before it was removed or moved"
            )
        elif entry.seq < expected:
            problems.append(
                f"line {number} holds seq {entry.seq} after seq {expected - 1}: it was moved "
                "or duplicated"
            )
        expected = max(expected, entry.seq + 1)
    return problems


def _link_problems(located: Located) -> list[str]:
    """Each entry's prev must be the hash of the entry with the seq before it."""
    hashes = {entry.seq: entry.hash for _, entry in reversed(located)}
    hashes[0] = GENESIS
    return [
        f"line {number} (seq {entry.seq}) does not link to seq {entry.seq - 1}: its prev is "
        f"{entry.prev[:12]}, seq {entry.seq - 1}'s hash is {hashes[entry.seq - 1][:12]} "
        "(an entry was replaced or rewritten)"
        for number, entry in located
        if entry.seq - 1 in hashes and entry.prev != hashes[entry.seq - 1]
    ]


def _tail_problems(
    located: Located, head: Head | None | AuditError, anchors: Iterable[Head]
) -> list[str]:
    """The head file and each anchor must name an entry the log holds, with that hash."""
    by_seq = {entry.seq: (number, entry) for number, entry in reversed(located)}
    last_seq = max(by_seq, default=0)
    problems = []
    if isinstance(head, AuditError):
        problems.append(str(head))
    elif head is None and located:
        problems.append("the head file is missing: a cut tail cannot be detected")
    elif head is not None:
        problems += _anchor_problems("the head file", head, by_seq, last_seq)
        if head[0] < last_seq:
            problems.append(
                f"the log goes on past the head file's seq {head[0]} to seq {last_seq}: "
                "entries were added without updating the head"
            )
    for anchor in anchors:
        problems += _anchor_problems(f"anchor (seq {anchor[0]})", anchor, by_seq, last_seq)
    return problems


def _anchor_problems(
    name: str, anchor: Head, by_seq: dict[int, tuple[int, AuditEntry]], last_seq: int
) -> list[str]:
    seq, expected_hash = anchor
    if seq not in by_seq:
        reason = "entries were cut from the end" if seq > last_seq else "that entry was removed"
        return [
            f"{name} records seq {seq}, which the log does not hold (its last line holds seq "
            f"{last_seq}): {reason}"
        ]
    number, entry = by_seq[seq]
    if entry.hash != expected_hash:
        return [
            f"{name} records seq {seq} with hash {expected_hash[:12]}, but line {number} "
            f"holds it with hash {entry.hash[:12]}: the log was rewritten"
        ]
    return []


def _describe(head: Head | None) -> str:
    return "no entry" if head is None else f"seq {head[0]} ({head[1][:12]})"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
