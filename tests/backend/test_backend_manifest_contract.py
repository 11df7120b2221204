"""The backend's side of the manifest contract (forms_backend/manifest.schema.json).

Its reader takes what the schema accepts and refuses, with a ManifestError that says what to
do, a manifest of another format or version."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from forms_backend import manifest as backend_manifest
from forms_backend.manifest import ManifestError, parse

SCHEMA_FILE = Path(backend_manifest.__file__).with_name("manifest.schema.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def changed(manifest: dict, change) -> dict:  # noqa: ANN001
    data = copy.deepcopy(manifest)
    change(data)
    return data


def test_the_format_and_version_are_the_schemas() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert backend_manifest.FORMAT == schema["properties"]["format"]["const"] == "recruit-forms"
    assert schema["properties"]["version"]["const"] == backend_manifest.VERSION
    assert set(backend_manifest.TOP_LEVEL) == set(schema["required"])


@pytest.mark.parametrize(
    "change",
    [
        lambda m: None,
        lambda m: m.update(forms=[], councils={}, origins=[]),  # a region with no council built
        lambda m: m.update(version=1.0),  # JSON has one number type: 1.0 is 1
        lambda m: m["forms"].reverse(),
    ],
    ids=["example", "empty", "version-1.0", "reordered"],
)
def test_the_backend_reads_what_the_schema_accepts(manifest: dict, validator, change) -> None:  # noqa: ANN001
    data = changed(manifest, change)
    assert list(validator.iter_errors(data)) == []
    loaded = parse(json.dumps(data))
    assert loaded.forms == data["forms"] and loaded.councils == data["councils"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: m.update(format="recruit-pages"), "is not a recruit forms manifest"),
        (lambda m: m.pop("format"), "is not a recruit forms manifest"),
        (lambda m: m.update(version=2), "has format version 2; this backend reads version 1"),
        (lambda m: m.update(version=0), "has format version 0; this backend reads version 1"),
        (lambda m: m.update(version="1"), 'has format version "1"; this backend reads version 1'),
        (lambda m: m.update(version=True), "has format version true; this backend reads version 1"),
        (lambda m: m.pop("version"), "has format version null; this backend reads version 1"),
        (lambda m: m.pop("forms"), "has no 'forms'"),
        (lambda m: m.pop("region"), "has no 'region'"),
        (lambda m: m.pop("origins"), "has no 'origins'"),
        (lambda m: m.update(forms={}), "has 'forms' that is not a JSON array"),
        (lambda m: m.update(councils=[]), "has 'councils' that is not a JSON object"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_backend_refuses_another_format_or_version(manifest: dict, validator, change, said) -> None:  # noqa: ANN001
    data = changed(manifest, change)
    assert list(validator.iter_errors(data)), "the schema accepts it too"
    with pytest.raises(ManifestError, match="rebuild|Rebuild") as refused:
        parse(json.dumps(data), "dist/_forms/manifest.json")
    assert str(refused.value).startswith("dist/_forms/manifest.json ") and said in str(refused.value)


def test_a_manifest_that_is_not_json_or_not_an_object_is_refused() -> None:
    for text in ("", "{", "[]", '"recruit-forms"'):
        with pytest.raises(ManifestError, match="recruit build"):
            parse(text)
