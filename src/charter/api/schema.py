"""What the OpenAPI schema says beyond what drf-spectacular works out from the views: which
inputs refuse unknown fields, and the error answers every operation may give, in the bodies
DRF and `charter.api.errors` actually send."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

_ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused, in one sentence.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "The fields that were refused, each with its messages (`non_field_errors` for the body "
        "as a whole, `detail` when the request as a whole is refused). A field of a nested "
        "object or list holds that object's or item's errors in the same shape."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}


# For a view to name in its own `responses` where the hook below would not add that answer by
# itself; its component is the same "Error" the hook refers to.
class ErrorSerializer(serializers.Serializer):
    """Why the request was refused (every refusal but a 400)."""

    detail = serializers.CharField(help_text="Why the request was refused, in one sentence.")


_DESCRIPTIONS = {
    "400": "The input was refused; nothing was changed.",
    "401": "No valid API token or session.",
    "403": "Not allowed: your role, a read-only token, or the object is yours to read only.",
    "404": "No such object, or not one you may see (the two answer alike).",
    "429": "Too many requests; the `Retry-After` header says when to try again.",
}


class StrictInputExtension(OpenApiSerializerExtension):
    """Inputs built on `StrictInput` answer 400 to a field they do not know: say so."""

    target_class = "charter.org.api.StrictInput"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


def _takes_input(method: str, operation: dict[str, Any]) -> bool:
    # A write validates its body and its path (a period label); a read its query parameters.
    queries = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    return method != "get" or any(p["name"] != "page" for p in queries)


def _blank_or(node: Any) -> None:
    """drf-spectacular writes a field that may be blank (an email, a URL) as `oneOf` a string
    of length 0 and the typed string; "" matches both when the type only sets a `format`, which
    `oneOf` forbids. `anyOf` says what is meant."""
    if isinstance(node, list):
        for item in node:
            _blank_or(item)
        return
    if not isinstance(node, dict):
        return
    options = node.get("oneOf")
    if isinstance(options, list) and {"type": "string", "maxLength": 0} in options:
        node["anyOf"] = node.pop("oneOf")
    for value in node.values():
        _blank_or(value)


def _names_objects(operation: dict[str, Any]) -> bool:
    # A path id, a query parameter naming a person, team or document, or a page number: each
    # can name something that is not there (or not for this caller).
    return bool(operation.get("parameters"))


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: document 400/401/403/404/429 on each operation that can give them,
    with the error body's schema, leaving any answer a view documents itself as it is."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, _ERROR_SCHEMA)
    schemas.setdefault(VALIDATION_ERROR, _VALIDATION_ERROR_SCHEMA)
    _blank_or(schemas)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = ["401", "403", "429"]
            if _takes_input(method, operation):
                codes.append("400")
            if _names_objects(operation):
                codes.append("404")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                component = VALIDATION_ERROR if code == "400" else ERROR
                responses.setdefault(
                    code,
                    {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                        "description": _DESCRIPTIONS[code],
                    },
                )
    return result
