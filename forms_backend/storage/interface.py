"""What the backend asks of a database, and the records that go in and come out.

Every engine (sqlite.py; PostgreSQL next) implements Storage and speaks only these records:
nothing here knows HTTP, the manifest or mail.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class StorageError(Exception):
    """Storage cannot be opened or used; the message says what to do."""


class StoredFile(NamedTuple):
    """A file kept with an application, as it was checked (its name cleaned, its type known)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class NewApplication:
    council: str
    campaign: str
    email: str
    answers: dict[str, Any]
    content_hash: str
    created_at: dt.datetime
    idempotency_key: str | None = None
    files: dict[str, StoredFile] = field(default_factory=dict)
    source: str = "unknown"  # where the applicant came from (evaluation/classify.py)
    medium: str = "unknown"
    source_tag: str | None = None  # utm_campaign
    bank: Any = None  # a bank.BankJoin when the applicant joins the regional talent bank


@dataclass
class Outgoing:
    kind: str  # "council" or "applicant"
    recipient: str
    message: bytes


@dataclass(eq=False)
class SaveRequest:
    """One application on its way to storage, its reference drawn and its mail composed by the
    caller; `new_reference` and `compose` draw again if the reference turns out to be taken."""

    app: NewApplication
    new_reference: Callable[[], str]
    compose: Callable[[str], list[Outgoing]]
    since: dt.datetime
    reference: str
    messages: list[Outgoing]

    @classmethod
    def prepare(
        cls,
        app: NewApplication,
        new_reference: Callable[[], str],
        compose: Callable[[str], list[Outgoing]],
        since: dt.datetime,
    ) -> SaveRequest:
        reference = new_reference()
        return cls(app, new_reference, compose, since, reference, compose(reference))


@dataclass
class Saved:
    reference: str
    created: bool  # False: a duplicate of an application already stored


@dataclass
class Application:
    id: int
    reference: str
    council: str
    campaign: str
    email: str
    answers: dict[str, Any]
    created_at: str
    stage: str = "received"  # where the council's team has moved it (the workspace)
    stage_at: str | None = None  # when it last moved; None: still as received
    source: str = "unknown"
    medium: str = "unknown"


@dataclass
class OutboxItem:
    id: int
    reference: str
    kind: str
    recipient: str
    message: bytes
    attempts: int


@dataclass
class Token:
    id: int
    label: str
    council: str | None  # None: the regional token
    hash: str
    created_at: str
    revoked_at: str | None


@dataclass
class Removed:
    reference: str
    council: str
    campaign: str
    created_at: str


class Storage(abc.ABC):
    """What the backend needs of a database. Every method is blocking; call it from a thread."""

    @abc.abstractmethod
    def save_many(self, requests: list[SaveRequest]) -> list[Saved | StorageError]:
        """Store each application with its notifications, all in one commit where the storage can
        (one wait for the disk acknowledges them all); each outcome in its request's place.

        An application with the same idempotency key, or the same content, for its campaign
        after its `since` is not stored again: its outcome is that one, `created` False. One
        that cannot be stored (every reference it drew was taken) gets its StorageError in its
        place and the others are stored; a commit that fails raises StorageError for all."""

    def save(
        self,
        app: NewApplication,
        new_reference: Callable[[], str],
        compose: Callable[[str], list[Outgoing]],
        since: dt.datetime,
    ) -> Saved:
        """Store one application and its notifications (see save_many)."""
        outcome = self.save_many([SaveRequest.prepare(app, new_reference, compose, since)])[0]
        if isinstance(outcome, StorageError):
            raise outcome
        return outcome

    @abc.abstractmethod
    def applications(
        self, council: str | None, campaign: str | None = None, since: dt.datetime | None = None
    ) -> list[Application]: ...

    @abc.abstractmethod
    def file(self, council: str, reference: str, field_id: str) -> StoredFile | None: ...

    @abc.abstractmethod
    def purge(self, before: dt.datetime) -> list[Removed]: ...

    @abc.abstractmethod
    def erase(self, email: str) -> list[Removed]: ...

    @abc.abstractmethod
    def log_event(
        self, at: dt.datetime, kind: str, council: str | None, campaign: str | None, detail: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    def events(self, kind: str | None = None) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def due(self, now: dt.datetime, limit: int = 50) -> list[OutboxItem]: ...

    @abc.abstractmethod
    def claim(self, now: dt.datetime, until: dt.datetime, limit: int = 50) -> list[OutboxItem]:
        """The messages due at `now`, each leased to the caller until `until`: no other drainer
        (another worker process, a scheduled `recruit outbox send`) is given them meanwhile. A
        drainer that dies mid-send leaves them to be sent again once the lease is over."""

    @abc.abstractmethod
    def release(self, item_ids: list[int], now: dt.datetime) -> None:
        """Give claimed messages back, due again at `now` (a drain that stopped early)."""

    @abc.abstractmethod
    def mark_sent(self, item_id: int, now: dt.datetime) -> None: ...

    def mark_sent_many(self, item_ids: list[int], now: dt.datetime) -> None:
        """Mark several messages sent (one commit where the storage can)."""
        for item_id in item_ids:
            self.mark_sent(item_id, now)

    @abc.abstractmethod
    def mark_retry(self, item_id: int, error: str, next_at: dt.datetime) -> None: ...

    @abc.abstractmethod
    def mark_failed(self, item_id: int, error: str, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def requeue_failed(self, now: dt.datetime) -> int:
        """Make every failed message due again now, with its back-off restarted; how many."""

    @abc.abstractmethod
    def outbox_counts(self) -> dict[str, int]: ...

    @abc.abstractmethod
    def add_token(self, label: str, council: str | None, digest: str, now: dt.datetime) -> int: ...

    @abc.abstractmethod
    def token(self, token_id: int) -> Token | None: ...

    @abc.abstractmethod
    def tokens(self) -> list[Token]: ...

    @abc.abstractmethod
    def revoke_token(self, token_id: int, now: dt.datetime) -> bool: ...

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise StorageError when the database cannot be read."""

    @abc.abstractmethod
    def close(self) -> None: ...
