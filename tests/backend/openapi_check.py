"""Responses checked against openapi.yaml: the status is documented, required headers are there,
the media type is one the operation lists, and JSON bodies match their schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator


class OpenAPI:
    def __init__(self, path: Path) -> None:
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.templates = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"), t)
            for t in self.doc["paths"]
        ]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def template(self, path: str) -> str:
        path = path.split("?", 1)[0].removeprefix("/api")
        for pattern, template in self.templates:
            if pattern.match(path):
                return template
        raise AssertionError(f"{path} is not in openapi.yaml")

    def check(self, response: httpx.Response) -> httpx.Response:
        request = response.request
        template = self.template(request.url.path)
        operation = self.doc["paths"][template][request.method.lower()]
        documented = operation["responses"]
        status = str(response.status_code)
        assert status in documented, f"{request.method} {template} answered {status}, not in openapi.yaml"
        spec = self._resolve(documented[status])
        for name, header in spec.get("headers", {}).items():
            if header.get("required"):
                assert name.lower() in response.headers, f"{status} must send {name}"
        content = spec.get("content")
        if content:
            media = response.headers.get("content-type", "").split(";")[0].strip()
            assert media in content, f"{status} sent {media}, documented: {list(content)}"
            if media == "application/json":
                schema = {**content[media]["schema"], "components": self.doc["components"]}
                Draft202012Validator(schema).validate(response.json())
        return response
