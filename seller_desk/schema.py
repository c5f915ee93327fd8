"""OpenAPI postprocessing: the error answers every operation can give, documented once.

drf-spectacular documents the success answer a view declares; the desk's errors all share one shape
(``{"errors": {"<field>": ["<rule>"]}}``, ``seller_desk/errors.py``). This hook adds to each operation
the errors it can answer (unless the view documented them itself): 400 when it takes a body or query
parameters, 401/403 when it needs credentials, 404 when its path names an object, 413 and 429 on
ingress (body limits, per-token rate), 429 on the token endpoint (login lock), 503 (database outage).
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": 'Field (or "detail") → what is wrong and how to fix it.',
        },
        "banned_words": {"type": "array", "items": {"type": "object"}},
        "newer": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["errors"],
}

DESCRIPTIONS = {
    "400": "The request is invalid; `errors` names each field and the rule.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "The caller may not do this (role, or not a store member).",
    "404": "An id (in the path or the body) names no object of the caller's store.",
    "413": "The body is larger than this endpoint accepts.",
    "429": "Too many requests (ingress rate per token, login lock); see `Retry-After`.",
    "503": "The database is unreachable; retry after `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorResponse", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "put", "patch", "post", "delete"}:
                continue
            codes = ["503"]
            if operation.get("requestBody") or operation.get("parameters"):
                codes.append("400")
            security = operation.get("security")
            if security and security != [{}]:
                codes += ["401", "403"]
            if "{" in path or operation.get("requestBody"):
                codes.append("404")  # an id in the path or the body that names nothing of the store
            if path.startswith("/api/v1/ingress/"):
                codes += ["413", "429"]
            if path == "/api/v1/auth/token":
                codes += ["400", "429"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
