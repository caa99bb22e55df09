"""An OpenAPI 3.1 document generated from a blueprint's routes and the pydantic models its views
declare with ``documented``: paths and path parameters come from the URL rules, summaries from the
view docstrings, schemas from the models. Nothing in it is written by hand."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

View = TypeVar("View", bound=Callable[..., Any])
Responses = Mapping[int, tuple[str, type[BaseModel]]]

REF_TEMPLATE = "#/components/schemas/{model}"
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Operation:
    """What a view declares about itself beyond its URL rule."""

    responses: Responses
    body: type[BaseModel] | None
    security: tuple[str, ...] | None
    """The security schemes it needs (all of them together); None for the document's default."""


_operations: dict[Callable[..., Any], Operation] = {}


def documented(
    responses: Responses, *, body: type[BaseModel] | None = None, security: tuple[str, ...] | None = None
) -> Callable[[View], View]:
    """Declare a view's request body model, its responses (status: description and model) and the
    security schemes it needs if not all of the document's."""

    def register(view: View) -> View:
        _operations[view] = Operation(responses, body, security)
        return view

    return register


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, without ``"default": null`` on fields whose null is not accepted."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default", ...) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def _json_content(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}}


def _path_parameters(rule: str, parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rule's ``<converter:name>`` parts, each with the schema of its type in ``parameters``."""
    documented_parameters = []
    for name in re.findall(r"<(?:\w+:)?(\w+)>", rule):
        schema = TypeAdapter(parameters[name]).json_schema()
        description = schema.pop("description", "")
        documented_parameters.append(
            {"name": name, "in": "path", "required": True, "schema": schema, "description": description}
        )
    return documented_parameters


def _operation(endpoint: str, view: Callable[..., Any], operation: Operation) -> dict[str, Any]:
    summary = (inspect.getdoc(view) or "").split("\n", 1)[0]
    documented_operation: dict[str, Any] = {"operationId": endpoint.rsplit(".", 1)[-1], "summary": summary}
    if operation.security is not None:
        documented_operation["security"] = [{name: [] for name in operation.security}] if operation.security else []
    if operation.body is not None:
        documented_operation["requestBody"] = {"required": True, "content": _json_content(operation.body)}
    documented_operation["responses"] = {
        str(status): {"description": description, "content": _json_content(model)}
        for status, (description, model) in sorted(operation.responses.items())
    }
    return documented_operation


def generate(
    app: Flask,
    blueprint: str,
    *,
    info: dict[str, Any],
    parameters: Mapping[str, Any],
    security_schemes: dict[str, Any],
) -> dict[str, Any]:
    """The OpenAPI document of every route of ``blueprint``; a route without ``documented`` is an error."""
    paths: dict[str, dict[str, Any]] = {}
    models: set[type[BaseModel]] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith(f"{blueprint}."):
            continue
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        operation = _operations.get(view)
        if operation is None:
            raise LookupError(f"The route {rule.rule} ({rule.endpoint}) is not documented.")
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        item = paths.setdefault(path, {})
        if rule.arguments:
            item["parameters"] = _path_parameters(rule.rule, parameters)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            item[method.lower()] = _operation(rule.endpoint, view, operation)
        models.update(model for _, model in operation.responses.values())
        if operation.body is not None:
            models.add(operation.body)
    _, schemas = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda model: model.__name__)],
        ref_template=REF_TEMPLATE,
        schema_generator=_SchemaGenerator,
    )
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": security_schemes, "schemas": schemas.get("$defs", {})},
        "security": [{name: [] for name in security_schemes}],
        "paths": paths,
    }
