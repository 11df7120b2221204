"""The evaluation in the workspace: for a council (its own people) or the region (the
coordinator, every council side by side), from the daily rollups, how many came from each
channel, applied and reached each stage; as a page, and as CSV or JSON to take away."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..backend import backend_of
from ..evaluation import charts, report_files
from ..evaluation.report import Report, build
from ..storage.staff import StaffSession
from .render import page
from .signin import audit, workspace_of
from .views import BadFilter, NotYours, _date, names, scope, staff_only

KINDS = ("csv", "json")


async def _report(request: Request, session: StaffSession) -> tuple[Report, dict[str, str]]:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    query = {key: request.query_params.get(key, "")[:80] for key in ("council", "campaign", "since")}
    councils = scope(manifest, session, query["council"])
    campaign = query["campaign"] or None
    if campaign and not any(f["campaign"] == campaign for f in manifest.forms
                            if councils is None or f["council"] in councils):  # fmt: skip
        raise NotYours
    today = backend.today()
    since = _date(query["since"], "Since")
    if since is not None and since > today:
        raise BadFilter("Since must be today or a day before it.")

    def work(storage) -> Report:  # noqa: ANN001
        first = since or storage.first_day() or today
        return build(storage, manifest, councils, campaign, min(first, today), today)

    return await backend.call_with(work), query


@staff_only
async def evaluation(request: Request, session: StaffSession) -> Response:
    report, query = await _report(request, session)
    manifest = backend_of(request).manifests.get()
    label = names(manifest, report.councils)
    await audit(
        request,
        session,
        query["council"] or session.user.council,
        "evaluation",
        campaign=query["campaign"],
        since=query["since"],
    )
    return page(
        request, workspace_of(request).env, "evaluation.html", manifest, title="Evaluation",
        session=session, current="/evaluation", report=report, funnel=charts.funnel(report),
        per_day=charts.per_day(report), query=query, council_names=label["council_names"],
        council_choices=sorted(label["council_names"].items(), key=lambda c: c[1])
        if session.user.council is None else [],
        campaign_choices=label["campaign_choices"],
        scope_name="All councils" if report.councils is None else report.scope,
    )  # fmt: skip


@staff_only
async def evaluation_file(request: Request, session: StaffSession) -> Response:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise NotYours
    report, query = await _report(request, session)
    await audit(
        request,
        session,
        query["council"] or session.user.council,
        f"evaluation-{kind}",
        campaign=query["campaign"],
        since=query["since"],
    )
    body, media = report_files.render(report, kind)
    name = f"evaluation-{report.today.isoformat()}.{kind}"
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="{name}"'}  # fmt: skip
    return Response(body, 200, media_type=media, headers=headers)
