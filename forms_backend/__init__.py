"""The form backend: applications in, validated against the manifest, stored, routed to the council.

Reads only dist/_forms/manifest.json and the built pages in dist/; never the YAML. A module per
concern, the pure ones doing no I/O:

app.py              create_app(settings), the one factory: routes, error handlers, lifespan
backend.py          one app's state (Backend): settings, manifest, storage, limiter, committer, outbox
apply.py            POST /apply/...: an application checked, stored with its mail, acknowledged
admin.py            GET /health, and a council's applications and files with its token
responses.py        how the app answers: no-store headers, refusals as JSON or a council page, errors
committer.py        group commit: applications arriving together share one commit
outbox.py           mail sent: drain once (SMTP or .eml files), and in the background in a server
mail.py             mail composed (pure): the council's notifications, the applicant's confirmation
storage/            the Storage interface and its records; SQLite; open_storage by database URL
parsing.py          request bodies into a Submission (pure)
validation.py       a Submission checked against a form's fields (pure)
matching/           a role's requirements against a person's answers, explained and ranked (pure)
manifest.py         the manifest the generator wrote, reread when it changes
guards.py           origin check, CORS, rate limit
auth.py, export.py  council tokens; applications as CSV and JSON
pages.py            the themed error and message pages, from the built site
addresses.py, documents.py, references.py   email addresses, uploaded documents, references
settings.py, cli.py, lambda_handler.py      configuration, `recruit` admin commands, AWS Lambda
"""
