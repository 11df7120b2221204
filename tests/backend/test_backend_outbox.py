"""Notifications through the outbox: a real SMTP server on loopback (aiosmtpd), up and down."""

from __future__ import annotations

import datetime as dt
import email
import threading
import time
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from backend_support import (
    JSON,
    NOW,
    LiveServer,
    form_of,
    free_port,
    good_answers,
    make_settings,
    site_client,
)
from click.testing import CliRunner

from forms_backend.app import create_app
from forms_backend.outbox import DRAIN_LIMIT, drain
from forms_backend.storage import NewApplication, Outgoing, open_storage
from generator.cli import main

ACTION = "/apply/wolverhampton/come-back-to-care"


def expected(manifest) -> int:  # noqa: ANN001
    """The council's notification addresses and the applicant's confirmation."""
    return len(manifest["councils"]["wolverhampton"]["notifications"]) + 1


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


class Greylisting(Inbox):
    """Answers 450 at RCPT the first time it sees an address, as greylisting servers do."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address not in self.seen:
            self.seen.add(address)
            return "450 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Refusing(Inbox):
    """Answers 550 at RCPT (no such mailbox) while `refuse` is set."""

    refuse = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SMTPServer:
    """aiosmtpd on 127.0.0.1:port in its own thread; a context manager."""

    def __init__(self, port: int, inbox: Inbox | None = None) -> None:
        self.inbox = inbox or Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def apply(settings, manifest, name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        r = client.post(ACTION, data=good_answers(form, name=name, email=email), headers=JSON)
    assert r.status_code == 201
    return r.json()["reference"]


def test_with_the_smtp_server_up_both_emails_go(database_url, dist, tmp_path, manifest, smtp_port) -> None:  # noqa: ANN001
    settings = make_settings(
        dist, tmp_path, database_url=database_url, smtp_host="127.0.0.1", smtp_port=smtp_port
    )
    reference = apply(settings, manifest, name="Zoë Ñúñez")
    storage = open_storage(settings.database_url)
    try:
        with SMTPServer(smtp_port) as inbox:
            report = drain(storage, settings)
        n = expected(manifest)
        assert report.sent == n and storage.outbox_counts() == {"waiting": 0, "sent": n, "failed": 0}
    finally:
        storage.close()
    council = manifest["councils"]["wolverhampton"]
    to = sorted(r for rcpts, _ in inbox.messages for r in rcpts)
    assert to == sorted([*council["notifications"], "ada@example.com"])
    confirmation = next(m for rcpts, m in inbox.messages if rcpts == ["ada@example.com"])
    assert reference in confirmation["Subject"] and "Zoë Ñúñez" in str(confirmation["To"])
    body = confirmation.get_content()
    assert reference in body and "Zoë Ñúñez" in body and "B1 1BB" in body
    notice = next(m for rcpts, m in inbox.messages if rcpts != ["ada@example.com"])
    assert reference in notice.get_content() and "ada@example.com" in notice["Reply-To"]


def test_smtp_down_at_submit_time_delays_and_loses_nothing(
    database_url, dist, tmp_path, manifest, smtp_port
) -> None:  # noqa: ANN001
    now = [NOW]
    settings = make_settings(
        dist,
        tmp_path,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout=2,
        clock=lambda: now[0],
    )
    reference = apply(settings, manifest)
    storage = open_storage(settings.database_url)
    try:
        n = expected(manifest)
        down = drain(storage, settings)  # nothing listens on the port
        assert down.sent == 0 and down.retried == n and "unreachable" in down.errors[0]
        assert storage.outbox_counts() == {"waiting": n, "sent": 0, "failed": 0}
        with SMTPServer(smtp_port) as inbox:
            assert drain(storage, settings).sent == 0  # backing off: not due yet
            now[0] = NOW + dt.timedelta(seconds=settings.retry_base + 1)
            assert drain(storage, settings).sent == n
        assert storage.outbox_counts() == {"waiting": 0, "sent": n, "failed": 0}
    finally:
        storage.close()
    assert all(reference in m["Subject"] for _, m in inbox.messages) and len(inbox.messages) == n


def test_a_greylisting_server_gets_the_mail_on_a_later_drain(
    database_url, dist, tmp_path, manifest, smtp_port
) -> None:  # noqa: ANN001
    now = [NOW]
    settings = make_settings(
        dist,
        tmp_path,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        clock=lambda: now[0],
    )
    reference = apply(settings, manifest)
    storage = open_storage(settings.database_url)
    n = expected(manifest)
    try:
        with SMTPServer(smtp_port, Greylisting()) as inbox:
            first = drain(storage, settings)
            assert (first.sent, first.retried, first.failed) == (0, n, 0)
            assert "450" in first.errors[0] and "Greylisted" in first.errors[0]
            assert storage.outbox_counts() == {"waiting": n, "sent": 0, "failed": 0}
            now[0] = NOW + dt.timedelta(seconds=settings.retry_base + 1)
            assert drain(storage, settings).sent == n
        assert storage.outbox_counts() == {"waiting": 0, "sent": n, "failed": 0}
    finally:
        storage.close()
    assert len(inbox.messages) == n and all(reference in m["Subject"] for _, m in inbox.messages)


def test_refused_for_good_is_failed_until_retry_failed_queues_it(
    database_url, dist, tmp_path, manifest, smtp_port
) -> None:  # noqa: ANN001
    settings = make_settings(
        dist, tmp_path, database_url=database_url, smtp_host="127.0.0.1", smtp_port=smtp_port
    )
    reference = apply(settings, manifest)
    storage = open_storage(settings.database_url)
    n = expected(manifest)
    refusing = Refusing()
    try:
        with SMTPServer(smtp_port, refusing) as inbox:
            report = drain(storage, settings)
            assert (report.sent, report.failed) == (0, n) and "550" in report.errors[0]
            assert storage.outbox_counts() == {"waiting": 0, "sent": 0, "failed": n}
            refusing.refuse = False  # the address was put right
            assert drain(storage, settings).sent == 0  # failed messages are not retried by themselves
            result = CliRunner(env={"RECRUIT_NOW": NOW.isoformat()}).invoke(
                main, ["outbox", "retry-failed", "--database", settings.database_url], obj={}
            )
            assert result.exit_code == 0, result.output
            assert f"Queued {n} failed messages" in result.output and f"{n} waiting" in result.output
            assert drain(storage, settings).sent == n
        assert storage.outbox_counts() == {"waiting": 0, "sent": n, "failed": 0}
    finally:
        storage.close()
    assert len(inbox.messages) == n and all(reference in m["Subject"] for _, m in inbox.messages)


def test_the_running_server_drains_the_outbox_itself(
    database_url, dist, tmp_path, manifest, smtp_port
) -> None:  # noqa: ANN001
    settings = make_settings(
        dist,
        tmp_path,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        outbox_interval=0.2,
        retry_base=0.1,
        retry_cap=0.2,
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        r = client.post(ACTION, data=good_answers(form), headers=JSON)  # SMTP is down now
        assert r.status_code == 201
        time.sleep(0.5)
        with SMTPServer(smtp_port) as inbox:
            deadline = time.monotonic() + 10
            while len(inbox.messages) < expected(manifest) and time.monotonic() < deadline:
                time.sleep(0.1)
    assert len(inbox.messages) == expected(manifest)


def test_without_smtp_messages_are_eml_files(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    reference = apply(settings, manifest)
    result = CliRunner(env={"RECRUIT_NOW": NOW.isoformat()}).invoke(
        main,
        ["outbox", "send", "--database", settings.database_url, "--mail-dir", str(settings.mail_dir)],
        obj={},
    )
    assert result.exit_code == 0, result.output
    assert f"sent {expected(manifest)}" in result.output
    files = sorted(p.name for p in settings.mail_dir.glob("*.eml"))
    assert len(files) == expected(manifest) and all(f.startswith(reference) for f in files)
    applicant = next(settings.mail_dir.glob(f"{reference}-applicant-*.eml"))
    message = email.message_from_bytes(applicant.read_bytes(), policy=default)
    assert message["To"].addresses[0].addr_spec == "ada@example.com" and reference in message.get_content()
    again = CliRunner(env={"RECRUIT_NOW": NOW.isoformat()}).invoke(
        main,
        ["outbox", "send", "--database", settings.database_url, "--mail-dir", str(settings.mail_dir)],
        obj={},
    )
    assert "sent 0" in again.output and len(list(settings.mail_dir.glob("*.eml"))) == expected(manifest)


def test_outbox_send_exits_1_while_smtp_is_down(database_url, dist, tmp_path, manifest, smtp_port) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    apply(settings, manifest)
    result = CliRunner(env={"RECRUIT_NOW": NOW.isoformat()}).invoke(
        main,
        ["outbox", "send", "--database", settings.database_url, "--smtp", f"127.0.0.1:{smtp_port}"],
        obj={},
    )
    n = expected(manifest)
    assert result.exit_code == 1 and f"to retry {n}" in result.output and f"{n} waiting" in result.output


def test_names_and_domains_beyond_ascii_reach_the_mail_intact(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    reference = apply(settings, manifest, name="Zoë Ñúñez-Ångström 王芳", email="zoe@bücher.example")
    storage = open_storage(settings.database_url)
    try:
        assert drain(storage, settings).sent == expected(manifest)
    finally:
        storage.close()
    applicant = next(settings.mail_dir.glob(f"{reference}-applicant-*.eml"))
    raw = applicant.read_bytes()
    assert raw.isascii() and b"\r\n" in raw  # 7-bit clean, CRLF as SMTP sends it
    message = email.message_from_bytes(raw, policy=default)
    [to] = message["To"].addresses
    assert to.display_name == "Zoë Ñúñez-Ångström 王芳" and to.addr_spec == "zoe@xn--bcher-kva.example"
    assert "Dear Zoë Ñúñez-Ångström 王芳," in message.get_content()
    council = next(settings.mail_dir.glob(f"{reference}-council-*.eml"))
    notice = email.message_from_bytes(council.read_bytes(), policy=default)
    assert notice["Reply-To"].addresses[0].display_name == "Zoë Ñúñez-Ångström 王芳"
    assert "Zoë Ñúñez-Ångström 王芳" in notice.get_content() and reference in notice["Subject"]


def test_an_address_mail_cannot_be_sent_to_is_the_applicants_mistake(
    database_url, dist, tmp_path, manifest
) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        r = client.post(ACTION, data=good_answers(form, email="zoë@example.com"), headers=JSON)
    assert r.status_code == 422 and set(r.json()["errors"]) == {"email"}


def _queue_mail(storage, count: int) -> None:  # noqa: ANN001
    """`count` applications, each with one notification, saved straight into storage."""
    for n in range(count):
        message = f"From: jobs@example.gov.uk\r\nTo: hr@example.gov.uk\r\nSubject: WOL-{n:06d}\r\n\r\nhi\r\n"
        storage.save(
            NewApplication("wolverhampton", "come-back-to-care", f"a{n}@example.com", {}, f"h{n}", NOW),
            lambda n=n: f"WOL-{n:06d}",
            lambda ref, message=message: [Outgoing("council", "hr@example.gov.uk", message.encode())],
            NOW - dt.timedelta(days=1),
        )


def test_two_drainers_at_once_send_each_message_once(database_url, dist, tmp_path, smtp_port) -> None:  # noqa: ANN001
    # Two worker processes each draining in the background, or the server beside a scheduled
    # `recruit outbox send`: two connections to one database, draining at the same moment.
    settings = make_settings(
        dist, tmp_path, database_url=database_url, smtp_host="127.0.0.1", smtp_port=smtp_port
    )
    first, second = open_storage(settings.database_url), open_storage(settings.database_url)
    _queue_mail(first, 60)
    start = threading.Barrier(2)
    reports = []

    def drain_all(storage) -> None:  # noqa: ANN001
        start.wait()
        while (report := drain(storage, settings, limit=5)).sent:
            reports.append(report)

    try:
        with SMTPServer(smtp_port) as inbox:
            threads = [threading.Thread(target=drain_all, args=(s,)) for s in (first, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        subjects = [m["Subject"] for _, m in inbox.messages]
        assert len(subjects) == 60 and len(set(subjects)) == 60
        assert sum(r.sent for r in reports) == 60
        assert first.outbox_counts() == {"waiting": 0, "sent": 60, "failed": 0}
    finally:
        first.close()
        second.close()


def test_mail_a_dead_drainer_took_is_sent_once_its_lease_is_over(database_url, dist, tmp_path) -> None:  # noqa: ANN001
    now = [NOW]
    settings = make_settings(
        dist, tmp_path, database_url=database_url, clock=lambda: now[0], outbox_lease=600.0
    )
    storage = open_storage(settings.database_url)
    try:
        _queue_mail(storage, 3)
        taken = storage.claim(NOW, NOW + dt.timedelta(seconds=600), limit=2)  # and then it died
        assert len(taken) == 2
        assert drain(storage, settings).sent == 1  # only what nobody holds
        now[0] = NOW + dt.timedelta(seconds=601)
        assert drain(storage, settings).sent == 2
        assert len(list(settings.mail_dir.glob("*.eml"))) == 3
        assert storage.outbox_counts() == {"waiting": 0, "sent": 3, "failed": 0}
    finally:
        storage.close()


def test_an_application_stored_during_a_drain_is_mailed_without_waiting_out_the_interval(
    database_url,
    dist,
    tmp_path,
    manifest,
    monkeypatch,  # noqa: ANN001
) -> None:
    from forms_backend import outbox as outbox_module

    settings = make_settings(dist, tmp_path, database_url=database_url, outbox_interval=60.0)
    draining, go_on = threading.Event(), threading.Event()
    real_drain = outbox_module.drain

    def first_drain_waits(storage, settings):  # noqa: ANN001, ANN202
        report = real_drain(storage, settings)  # the first application's mail
        if not draining.is_set():
            draining.set()
            go_on.wait(10)  # the second application arrives while this drain is still under way
        return report

    monkeypatch.setattr(outbox_module, "drain", first_drain_waits)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        first = client.post(
            ACTION, data=good_answers(form, name="Ada One", email="one@example.com"), headers=JSON
        )
        assert first.status_code == 201 and draining.wait(10)
        second = client.post(
            ACTION, data=good_answers(form, name="Ada Two", email="two@example.com"), headers=JSON
        )
        assert second.status_code == 201
        go_on.set()
        reference = second.json()["reference"]
        deadline = time.monotonic() + 10  # the interval is 60 s
        while not list(settings.mail_dir.glob(f"{reference}-*.eml")) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(list(settings.mail_dir.glob(f"{reference}-*.eml"))) == expected(manifest)


def test_a_backlog_of_mail_goes_out_batch_after_batch_without_waiting_out_the_interval(
    database_url, dist, tmp_path, manifest
) -> None:  # noqa: ANN001
    """More mail is waiting than one drain takes (a burst, a mail server back after a while):
    once woken, the server sends it all, batch after batch, instead of one batch each outbox
    interval (a minute here)."""
    settings = make_settings(dist, tmp_path, database_url=database_url, outbox_interval=60.0)
    storage = open_storage(settings.database_url)
    for n in range(2 * DRAIN_LIMIT):
        storage.save(
            NewApplication("wolverhampton", "come-back-to-care", f"a{n}@example.com", {}, f"h{n}", NOW),
            lambda n=n: f"WOL-BACKLOG{n:03d}",
            lambda ref: [Outgoing("council", "hr@wolverhampton.example", f"about {ref}".encode())],
            NOW,
        )
    storage.close()
    wanted = 2 * DRAIN_LIMIT + expected(manifest)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        posted = client.post(ACTION, data=good_answers(form), headers=JSON)  # wakes the drain
        assert posted.status_code == 201
        reference = posted.json()["reference"]
        deadline = time.monotonic() + 20
        while len(list(settings.mail_dir.glob("*.eml"))) < wanted and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(list(settings.mail_dir.glob("*.eml"))) == wanted
    assert len(list(settings.mail_dir.glob(f"{reference}-*.eml"))) == expected(manifest)


def test_mail_waits_while_an_application_is_being_taken_in(database_url, dist, tmp_path) -> None:  # noqa: ANN001
    """Applicants first: the outbox holds back while a post is in progress, and goes once none is."""
    import asyncio

    from forms_backend.backend import Backend

    backend = Backend(make_settings(dist, tmp_path, database_url=database_url))

    async def scenario() -> None:
        backend.outbox.taking = 1
        waiting = asyncio.create_task(backend.outbox.quiet(30.0))
        await asyncio.sleep(0.1)
        assert not waiting.done()  # still taking an application in
        backend.outbox.taking = 0
        await asyncio.wait_for(waiting, 5)
        await asyncio.wait_for(backend.outbox.quiet(30.0), 1)  # nothing in progress: no wait at all

    asyncio.run(scenario())
    backend.close()
