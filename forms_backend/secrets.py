"""The database URL on AWS: from DATABASE_URL, a Secrets Manager secret or an SSM parameter.

A Lambda function is not given a password in its environment. It is given where to find one:

    DATABASE_URL                the URL itself (a container platform, a laptop): used as it is
    RECRUIT_DATABASE_SECRET     a Secrets Manager secret (its ARN or name) holding either a URL
                                or the JSON RDS writes ({"username", "password", "host", ...})
    RECRUIT_DATABASE_PARAMETER  an SSM parameter (a SecureString) holding a URL

The first one set wins. From RDS's JSON the URL is written here: RECRUIT_DATABASE_HOST, when
set, replaces the secret's host (an RDS Proxy endpoint, or a secret RDS manages, which holds only
the user name and password), and RECRUIT_DATABASE_OPTIONS is its query string (default
`sslmode=require`). boto3 comes with Lambda's Python runtime; it is loaded only to read a secret
or a parameter. No message here ever holds a password or the text of a secret.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
DEFAULT_OPTIONS = "sslmode=require"


class SecretError(Exception):
    """The database's secret or parameter cannot be read or used (the message names which)."""


def url_from_secret(
    text: str, name: str, host: str | None = None, options: str | None = DEFAULT_OPTIONS
) -> str:
    """The database URL a secret's text gives: a URL as it is, or one made from RDS's JSON.

    `name` is the secret's, for messages. `host` replaces the JSON's host; `options` (such as
    'sslmode=require&prepare_threshold=none') becomes the made URL's query string.
    """
    text = text.strip()
    if text.startswith(URL_SCHEMES):
        return text
    try:
        values = json.loads(text)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise SecretError(
            f"the secret {name} holds neither a postgresql:// URL nor the JSON of an RDS secret "
            '({"username": ..., "password": ..., "host": ..., "port": ..., "dbname": ...})'
        )
    return _url_from_fields(values, name, host, options)


def _url_from_fields(values: dict[str, Any], name: str, host: str | None, options: str | None) -> str:
    engine = str(values.get("engine") or "postgres")
    if "postgres" not in engine.lower():
        raise SecretError(f"the secret {name} is for a {engine} database; the backend needs PostgreSQL")
    host = host or values.get("host")
    required = {"username": values.get("username"), "password": values.get("password"), "host": host}
    missing = [key for key, value in required.items() if not value]
    if missing:
        raise SecretError(
            f"the secret {name} has no {' or '.join(missing)}: it needs username, password and host "
            "(port and dbname are optional; RECRUIT_DATABASE_HOST can give the host)"
        )
    port = str(values.get("port") or 5432)
    if not port.isdigit():
        raise SecretError(f"the secret {name} has a port that is not a number")
    user = quote(str(values["username"]), safe="")
    password = quote(str(values["password"]), safe="")
    where = f"[{host}]" if ":" in str(host) else str(host)
    dbname = quote(str(values.get("dbname") or ""), safe="")
    url = f"postgresql://{user}:{password}@{where}:{port}/{dbname}"
    return f"{url}?{options}" if options else url


def _client(service: str, region: str | None) -> Any:
    try:
        import boto3  # in Lambda's Python runtime; not a dependency of the project
    except ImportError:
        raise SecretError(
            f"boto3 is needed to read the database's {service} setting: it comes with AWS Lambda's "
            "Python runtime; elsewhere, set DATABASE_URL instead (or pip install boto3)"
        ) from None
    return boto3.client(service, region_name=region)


def _region_of(arn: str) -> str | None:
    """'arn:aws:secretsmanager:eu-west-2:...' -> 'eu-west-2'; a bare name leaves it to AWS_REGION."""
    parts = arn.split(":")
    return parts[3] if arn.startswith("arn:") and len(parts) > 3 and parts[3] else None


def _aws_error(exc: Exception) -> str:
    """An AWS error's code and message (they never hold a secret's value)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        return f"{error.get('Code', type(exc).__name__)}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def read_secret(secret_id: str) -> str:
    """The SecretString of a Secrets Manager secret (ARN or name)."""
    client = _client("secretsmanager", _region_of(secret_id))
    try:
        answer = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:  # botocore's ClientError and BotoCoreError, without importing botocore
        raise SecretError(f"cannot read the secret {secret_id}: {_aws_error(exc)}") from None
    text = answer.get("SecretString")
    if not text:
        raise SecretError(f"the secret {secret_id} has no SecretString (a binary secret cannot be used)")
    return text


def read_parameter(name: str) -> str:
    """The decrypted value of an SSM parameter (a SecureString, or a plain String)."""
    client = _client("ssm", _region_of(name))
    try:
        answer = client.get_parameter(Name=name, WithDecryption=True)
    except Exception as exc:
        raise SecretError(f"cannot read the parameter {name}: {_aws_error(exc)}") from None
    return answer["Parameter"]["Value"]


def database_url(
    env: Mapping[str, str],
    secret_reader: Callable[[str], str] = read_secret,
    parameter_reader: Callable[[str], str] = read_parameter,
) -> str | None:
    """The database URL the environment names (see the module's docstring), or None for the
    default. Blank variables count as unset, as CloudFormation passes an empty parameter."""
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"]
    host = env.get("RECRUIT_DATABASE_HOST") or None
    options = env.get("RECRUIT_DATABASE_OPTIONS", DEFAULT_OPTIONS)
    if env.get("RECRUIT_DATABASE_SECRET"):
        name = env["RECRUIT_DATABASE_SECRET"]
        return url_from_secret(secret_reader(name), name, host, options)
    if env.get("RECRUIT_DATABASE_PARAMETER"):
        name = env["RECRUIT_DATABASE_PARAMETER"]
        url = parameter_reader(name).strip()
        if not url.startswith(URL_SCHEMES):
            raise SecretError(f"the parameter {name} does not hold a postgresql:// URL")
        return url
    return None
