"""The workspace over real HTTP, on both engines: every council's account against every council's
applications on every route (14 × 14), a signed-out visitor, a removed person's session, CSRF,
the sign-in link's rules, the cookie's flags, and no cookie ever for applicants."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from backend_support import JSON, NOW, ORIGIN, PDF, LiveServer, form_of, good_answers, make_settings
from click.testing import CliRunner

from forms_backend.app import create_app
from forms_backend.storage import NewApplication, Storage, StoredFile, open_storage
from forms_backend.workspace import auth
from generator.cli import main


@dataclass
class Region:
    url: str
    storage: Storage
    mail: Path
    clock: list[dt.datetime]
    references: dict[str, str] = field(default_factory=dict)  # council -> its application
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # who -> (cookie, csrf)

    def client(self, who: str = "", **kwargs: Any) -> httpx.Client:
        """A client signed in as `who` (a council's editor, or "region"), or signed out."""
        cookies = {auth.COOKIE: self.sessions[who][0]} if who else {}
        return httpx.Client(base_url=self.url, cookies=cookies, follow_redirects=False, timeout=10, **kwargs)

    def stage(self, council: str) -> str:
        found = self.storage.application(None, self.references[council])
        assert found is not None
        return found.stage


@pytest.fixture
def region(dist: Path, manifest: dict, tmp_path: Path, database_url: str) -> Iterator[Region]:
    """Every council with one application (with a CV) and an editor signed in; the coordinator too."""
    clock = [NOW]
    settings = make_settings(dist, tmp_path, database_url=database_url, clock=lambda: clock[0],
                             workspace_url="http://127.0.0.1/workspace/", outbox_interval=0.0)  # fmt: skip
    storage = open_storage(database_url)
    found = Region("", storage, tmp_path / "mail", clock)
    for n, council in enumerate(sorted(manifest["councils"])):
        form = next(f for f in manifest["forms"] if f["council"] == council)
        reference = f"{council[:3].upper()}-{n:06d}"
        answers = good_answers(form, email=f"applicant{n}@example.com", name=f"Applicant {council}")
        app = NewApplication(council, form["campaign"], answers["email"], answers, f"hash-{n}", NOW,
                             files={"cv": StoredFile("cv.pdf", "application/pdf", PDF)})  # fmt: skip
        storage.save(app, lambda reference=reference: reference, lambda ref: [], NOW - dt.timedelta(days=1))
        found.references[council] = reference
        user, _ = storage.add_user(f"hr@{council}.gov.uk", council, "editor", NOW)
        found.sessions[council] = _session(storage, user)
    coordinator, _ = storage.add_user("lead@westmidlands.example", None, "coordinator", NOW)
    found.sessions["region"] = _session(storage, coordinator)
    with LiveServer(create_app(settings)) as live:
        found.url = live.url
        yield found
    storage.close()


def _session(storage: Storage, user: Any) -> tuple[str, str]:
    token = auth.open_session(storage, user, NOW)
    session = storage.session(auth.digest(token), NOW, auth.IDLE)
    assert session is not None
    return token, session.csrf


def attempts(region: Region, asker: str, target: str) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, form) for every route of the workspace, aimed at `target`'s rows."""
    ref = region.references[target]
    csrf = region.sessions[asker][1] if asker in region.sessions else "none"
    return [
        ("application", "GET", f"/workspace/applications/{ref}", {}),
        ("CV", "GET", f"/workspace/applications/{ref}/files/cv", {}),
        ("list", "GET", f"/workspace/applications?council={target}", {}),
        ("CSV export", "GET", f"/workspace/applications.csv?council={target}", {}),
        ("JSON export", "GET", f"/workspace/applications.json?council={target}", {}),
        ("overview", "GET", f"/workspace/overview?council={target}", {}),
        ("evaluation", "GET", f"/workspace/evaluation?council={target}", {}),
        ("evaluation CSV", "GET", f"/workspace/evaluation.csv?council={target}", {}),
        ("evaluation JSON", "GET", f"/workspace/evaluation.json?council={target}", {}),
        ("move", "POST", f"/workspace/applications/{ref}/move", {"csrf": csrf, "stage": "offer"}),
        ("bulk move", "POST", "/workspace/applications/move",
         {"csrf": csrf, "stage-to": "offer", "reference": ref}),
    ]  # fmt: skip


def test_every_council_reaches_its_own_applications_and_no_others(region: Region) -> None:
    councils = sorted(region.references)
    assert len(councils) == 14
    for asker in councils:
        with region.client(asker) as client:
            for target in councils:
                before = region.stage(target)
                for name, method, path, form in attempts(region, asker, target):
                    response = client.request(method, path, data=form or None)
                    where = f"{asker} -> {target}: {name}"
                    if target == asker:
                        assert response.status_code in (200, 303), where
                        continue
                    other = region.references[target]
                    if name == "bulk move":  # the list's form: the row is not found, so nothing moves
                        assert response.status_code == 303 and "moved=0" in response.headers["location"], (
                            where
                        )
                    else:
                        assert response.status_code == 404, (where, response.status_code)
                    assert other not in response.text and f"Applicant {target}" not in response.text, where
                    assert region.stage(target) == before, where
            for path in ("/workspace/audit", "/workspace/audit.csv", "/workspace/users"):
                assert client.get(path).status_code == 404, (asker, path)
            listed = client.get("/workspace/applications", params={"q": region.references[councils[0]]})
            assert listed.status_code == 200
            shown = f'/applications/{region.references[councils[0]]}"' in listed.text  # a row, not the box
            assert shown == (asker == councils[0])
    assert {region.stage(c) for c in councils} == {"offer"}  # each moved its own, once


def test_the_coordinator_reaches_every_council(region: Region) -> None:
    with region.client("region") as client:
        for target in sorted(region.references):
            for name, method, path, form in attempts(region, "region", target)[:9]:
                assert client.request(method, path, data=form or None).status_code == 200, (target, name)
        listing = client.get("/workspace/applications").text
        assert all(ref in listing for ref in region.references.values())
        assert client.get("/workspace/audit").status_code == 200
        trail = client.get("/workspace/audit.csv")
        assert trail.status_code == 200 and trail.headers["content-disposition"].startswith("attachment")
    lines = region.storage.audit_lines()
    viewed = {line["reference"] for line in lines if line["action"] == "view"}
    assert viewed == set(region.references.values())
    assert {line["action"] for line in lines} >= {
        "view",
        "download",
        "export",
        "list",
        "overview",
        "audit",
        "evaluation",
        "evaluation-csv",
        "evaluation-json",
    }
    assert all(
        line["actor"] == "lead@westmidlands.example" and line["client"] == "127.0.0.1" for line in lines
    )


def test_signed_out_and_removed_people_reach_nothing(region: Region) -> None:
    region.storage.remove_user("hr@dudley.gov.uk", NOW)
    for who, client in (("signed out", region.client()), ("removed", region.client("dudley"))):
        with client:
            for target in ("dudley", "walsall"):
                for name, method, path, form in attempts(region, "dudley", target):
                    response = client.request(method, path, data=form or None)
                    assert response.status_code == 303, (who, name)
                    assert response.headers["location"] == "/workspace/sign-in", (who, name)
                    assert region.references[target] not in response.text
            for path in ("/workspace/audit", "/workspace/users", "/workspace/applications"):
                assert client.get(path).status_code == 303
    assert {region.stage(c) for c in region.references} == {"received"}


def test_a_change_without_this_sessions_csrf_token_is_refused(region: Region) -> None:
    ref = region.references["dudley"]
    walsall_token = region.sessions["walsall"][1]
    with region.client("dudley") as client:
        for form in (
            {"stage": "offer"},
            {"stage": "offer", "csrf": walsall_token},
            {"stage": "offer", "csrf": ""},
        ):
            response = client.post(f"/workspace/applications/{ref}/move", data=form)
            assert response.status_code == 403 and "This form has expired" in response.text
            bulk = client.post(
                "/workspace/applications/move", data={**form, "stage-to": "offer", "reference": ref}
            )
            assert bulk.status_code == 403
            assert client.post("/workspace/sign-out", data=form).status_code == 403
        assert region.stage("dudley") == "received"
        assert client.get("/workspace/applications").status_code == 200  # still signed in


def test_viewers_read_and_cannot_move(region: Region) -> None:
    user, _ = region.storage.add_user("reader@dudley.gov.uk", "dudley", "viewer", NOW)
    region.sessions["reader"] = _session(region.storage, user)
    ref = region.references["dudley"]
    with region.client("reader") as client:
        assert client.get(f"/workspace/applications/{ref}").status_code == 200
        csrf = region.sessions["reader"][1]
        response = client.post(f"/workspace/applications/{ref}/move", data={"csrf": csrf, "stage": "offer"})
        assert response.status_code == 403 and "cannot move" in response.text
    assert region.stage("dudley") == "received"


def mails(region: Region) -> list[str]:
    from forms_backend.outbox import drain
    from forms_backend.settings import Settings

    drain(region.storage, Settings(mail_dir=region.mail, clock=lambda: region.clock[0]))
    sent = sorted(region.mail.glob("sign-in-staff-*.eml"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [p.read_text() for p in sent]  # oldest first


def test_a_link_by_email_signs_in_once_within_15_minutes(region: Region) -> None:
    with region.client() as client:
        known = client.post("/workspace/sign-in", data={"email": "HR@Coventry.gov.uk"})
        unknown = client.post("/workspace/sign-in", data={"email": "nobody@coventry.gov.uk"})
        assert known.status_code == unknown.status_code == 200
        assert known.text.replace("hr@coventry", "X") == unknown.text.replace("nobody@coventry", "X")
        assert "set-cookie" not in known.headers
        (sent,) = mails(region)
        assert "To: hr@coventry.gov.uk" in sent
        link = re.search(r"http://127\.0\.0\.1/workspace/sign-in/(\S+)", sent)
        assert link is not None
        path = f"/workspace/sign-in/{link.group(1)}"
        assert client.get(path).status_code == 200  # a mail scanner opening it spends nothing
        signed = client.post(path)
        assert signed.status_code == 303 and signed.headers["location"] == "/workspace/applications"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/workspace" in cookie
        assert (
            "Secure" not in cookie and "Max-Age" not in cookie
        )  # plain HTTP here; gone when the browser closes
        assert client.post(path).status_code == 400  # once only
        session = signed.cookies[auth.COOKIE]
    with httpx.Client(base_url=region.url, cookies={auth.COOKIE: session}) as other:
        assert other.get("/workspace/applications").status_code == 200
    assert [line["action"] for line in region.storage.audit_lines()][:2] == ["list", "sign-in"]
    region.clock[0] = NOW + dt.timedelta(minutes=20)
    with region.client() as client:
        client.post("/workspace/sign-in", data={"email": "hr@coventry.gov.uk"})
        newest = mails(region)[-1]
        token = re.search(r"/workspace/sign-in/(\S+)", newest).group(1)  # type: ignore[union-attr]
        region.clock[0] = NOW + dt.timedelta(minutes=36)  # 16 minutes later
        assert client.post(f"/workspace/sign-in/{token}").status_code == 400


def test_links_per_address_are_limited_and_the_page_says_the_same(region: Region) -> None:
    with region.client() as client:
        answers = [client.post("/workspace/sign-in", data={"email": "hr@walsall.gov.uk"}) for _ in range(5)]
        assert {a.status_code for a in answers} == {200}
    assert len(mails(region)) == auth.LINKS_PER_ADDRESS
    with region.client() as client:
        bad = client.post("/workspace/sign-in", data={"email": "not an address"})
        assert (
            bad.status_code == 400
            and "correct format" in bad.text
            and 'aria-describedby="email-error"' in bad.text
        )


def test_behind_https_the_cookie_is_secure(dist: Path, tmp_path: Path, database_url: str) -> None:
    settings = make_settings(dist, tmp_path, database_url=database_url, trust_forwarded=True)
    storage = open_storage(database_url)
    user, _ = storage.add_user("hr@solihull.gov.uk", "solihull", "editor", NOW)
    storage.add_sign_in_link(user.id, auth.digest("t" * 43), NOW, NOW + auth.LINK_LIFETIME)
    storage.close()
    with LiveServer(create_app(settings)) as live, httpx.Client(base_url=live.url) as client:
        signed = client.post("/workspace/sign-in/" + "t" * 43, headers={"X-Forwarded-Proto": "https"})
    assert signed.status_code == 303 and "Secure" in signed.headers["set-cookie"]


def test_applicants_and_visitors_never_get_a_cookie(region: Region, manifest: dict) -> None:
    form = form_of(manifest, "dudley", "come-back-to-care")
    with region.client() as client:
        for response in (
            client.post(
                "/apply/dudley/come-back-to-care", data=good_answers(form), headers={**JSON, **ORIGIN}
            ),
            client.get("/workspace/sign-in"),
            client.get("/workspace/"),
            client.get("/health"),
        ):
            assert "set-cookie" not in response.headers, response.request.url


def test_users_are_managed_from_the_command_line(tmp_path: Path, dist: Path, database_url: str) -> None:
    env = {"RECRUIT_NOW": NOW.isoformat(), "DATABASE_URL": database_url,
           "RECRUIT_MANIFEST": str(dist / "_forms" / "manifest.json")}  # fmt: skip

    def recruit(*args: str) -> tuple[int, str]:
        result = CliRunner(env=env).invoke(main, list(args), obj={})
        return result.exit_code, result.output

    code, out = recruit("users", "add", "HR@Dudley.gov.uk", "--council", "dudley", "--role", "editor")
    assert code == 0 and "Added hr@dudley.gov.uk: editor for Dudley" in out, out
    assert recruit("users", "add", "hr@dudley.gov.uk", "--council", "dudley", "--role", "viewer")[0] == 1
    code, out = recruit("users", "add", "x@example.org", "--council", "atlantis", "--role", "editor")
    assert code == 2 and "no council 'atlantis'" in out
    assert recruit("users", "add", "x@example.org", "--region", "--role", "editor")[0] == 2
    assert recruit("users", "add", "not-an-email", "--council", "dudley", "--role", "viewer")[0] == 2
    assert recruit("users", "add", "lead@westmidlands.example", "--region", "--role", "coordinator")[0] == 0
    code, out = recruit("users", "list")
    assert code == 0 and out.splitlines()[0].startswith("lead@westmidlands.example\tcoordinator\tregion")
    code, out = recruit("users", "link", "hr@dudley.gov.uk", "--print")
    link = re.fullmatch(r"https://careers\.westmidlands\.example/workspace/sign-in/(\S+)\n", out)
    assert code == 0 and link, out
    storage = open_storage(database_url)
    user = storage.user("hr@dudley.gov.uk")
    assert user is not None
    token = auth.open_session(storage, user, NOW)
    code, out = recruit("users", "remove", "hr@dudley.gov.uk")
    assert code == 0 and "sessions have ended" in out
    assert storage.session(auth.digest(token), NOW, auth.IDLE) is None
    assert storage.use_sign_in_link(auth.digest(link.group(1)), NOW) is None  # its link is void too
    storage.close()
    assert recruit("users", "remove", "hr@dudley.gov.uk")[0] == 1


def test_a_move_can_email_the_applicant_through_the_outbox(region: Region, manifest: dict) -> None:
    ref, csrf = region.references["dudley"], region.sessions["dudley"][1]
    path = f"/workspace/applications/{ref}/move"
    with region.client("dudley") as client:
        none = client.post(path, data={"csrf": csrf, "stage": "offer", "tell": "yes"})
        assert none.status_code == 400 and "there is no standard one for Offer" in none.text
        assert 'href="#message"' in none.text and region.stage("dudley") == "received"  # nothing moved
        standard = client.post(path, data={"csrf": csrf, "stage": "interview", "tell": "yes"})
        assert standard.status_code == 303
        typed = "Dear Applicant,\n\nCould you bring your {registration} papers?"
        own = client.post(path, data={"csrf": csrf, "stage": "offer", "tell": "yes", "message": typed})
        assert own.status_code == 303
        quiet = client.post(path, data={"csrf": csrf, "stage": "placed", "start_date": "2027-01-04"})
        assert quiet.status_code == 303  # the box not ticked: no email
    from forms_backend.outbox import drain
    from forms_backend.settings import Settings

    drain(region.storage, Settings(mail_dir=region.mail, clock=lambda: NOW))
    sent = sorted(region.mail.glob(f"{ref}-stage-*.eml"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(sent) == 2
    first, second = (p.read_text() for p in sent)
    template = manifest["region"]["messages"]["interview"]
    assert template.startswith("Dear {name},") and "Dear Applicant dudley," in first
    assert f"reference {ref}" in first and "Dudley Metropolitan Borough Council" in first
    assert "To: Applicant dudley <applicant" in first and "Reply-To:" in first
    assert "Could you bring your {registration} papers?" in second  # as typed, braces and all
    audit = [line["detail"] for line in region.storage.audit_lines() if line["action"] == "move"]
    assert [d["emailed"] for d in reversed(audit)] == [True, True, False]
    waiting = region.storage.outbox_counts()
    assert region.storage.erase(region.storage.application(None, ref).email)  # type: ignore[union-attr]
    assert region.storage.outbox_counts()["sent"] == waiting["sent"] - 2  # its mail went with it


def test_asks_for_links_are_limited_per_client(dist: Path, tmp_path: Path, database_url: str) -> None:
    settings = make_settings(dist, tmp_path, database_url=database_url, rate_limit_loopback=True)
    with LiveServer(create_app(settings)) as live, httpx.Client(base_url=live.url) as client:
        answers = [client.post("/workspace/sign-in", data={"email": f"p{n}@example.org"}) for n in range(21)]
    assert [a.status_code for a in answers] == [200] * 20 + [429]
    assert "Too many sign-in requests" in answers[-1].text


def test_the_coordinator_adds_and_removes_people_in_the_browser(region: Region) -> None:
    csrf = region.sessions["region"][1]
    with region.client("region") as client:
        person = {"email": "New@Walsall.gov.uk", "council": "walsall", "role": "viewer"}
        added = client.post("/workspace/users/add", data={"csrf": csrf, **person})
        assert added.status_code == 303
        assert "Added new@walsall.gov.uk" in client.get(added.headers["location"]).text
        for form, words in (
            ({"email": "x", "council": "walsall", "role": "viewer"}, "correct format"),
            ({"email": "a@b.org", "council": "atlantis", "role": "viewer"}, "Select a council"),
            ({"email": "a@b.org", "council": "walsall", "role": "coordinator"}, "viewer or editor"),
            ({"email": "a@b.org", "council": "", "role": "editor"}, "coordinators"),
            ({"email": "new@walsall.gov.uk", "council": "walsall", "role": "editor"}, "can sign in already"),
        ):
            refused = client.post("/workspace/users/add", data={"csrf": csrf, **form})
            assert refused.status_code == 400 and words in refused.text, form
        no_token = {"email": "c@d.org", "council": "", "role": "coordinator"}
        assert client.post("/workspace/users/add", data=no_token).status_code == 403
        removed = client.post("/workspace/users/remove", data={"csrf": csrf, "email": "hr@dudley.gov.uk"})
        assert removed.status_code == 303
        itself = client.post(
            "/workspace/users/remove", data={"csrf": csrf, "email": "lead@westmidlands.example"}
        )
        assert itself.status_code == 400
    assert region.storage.user("new@walsall.gov.uk").role == "viewer"  # type: ignore[union-attr]
    assert region.storage.user("hr@dudley.gov.uk") is None
    with region.client("dudley") as removed_editor:
        assert removed_editor.get("/workspace/applications").status_code == 303
    with region.client("walsall") as editor:
        csrf_w = region.sessions["walsall"][1]
        person = {"csrf": csrf_w, "email": "e@f.org", "council": "walsall", "role": "editor"}
        answer = editor.post("/workspace/users/add", data=person)
        assert answer.status_code == 404 and region.storage.user("e@f.org") is None
    actions = [line["action"] for line in region.storage.audit_lines()]
    assert "user-added" in actions and "user-removed" in actions


def test_a_councils_own_message_comes_before_the_regions(region: Region, manifest: dict) -> None:
    ref, csrf = region.references["wolverhampton"], region.sessions["wolverhampton"][1]
    own = manifest["councils"]["wolverhampton"]["messages"]["offer"]
    with region.client("wolverhampton") as client:
        page = client.get(f"/workspace/applications/{ref}").text
        assert "there is one for Interview, Offer, Not progressed" in page  # the region's two and its own
        moved = client.post(
            f"/workspace/applications/{ref}/move", data={"csrf": csrf, "stage": "offer", "tell": "yes"}
        )
        assert moved.status_code == 303
    from forms_backend.outbox import drain
    from forms_backend.settings import Settings

    drain(region.storage, Settings(mail_dir=region.mail, clock=lambda: NOW))
    (sent,) = region.mail.glob(f"{ref}-stage-*.eml")
    assert (
        own.startswith("Dear {name},")
        and "We are delighted to offer you a role with City of Wolverhampton" in sent.read_text()
    )
