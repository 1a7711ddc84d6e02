"""OCDS schema validation for the tests: the release-package schema of OCDS 1.1.5 with the release
schema patched by the sustainability and otherRequirements extensions (copies in tests/data/ocds/schema,
sources in its README). A module of its own: conftest modules are not importable by name."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).parent / "data" / "ocds" / "schema"
EXTENSIONS = ("sustainability", "otherRequirements")


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386), the way OCDS extensions patch the release schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@cache
def release_schema() -> dict[str, Any]:
    schema = json.loads((SCHEMA / "release-schema.json").read_text(encoding="utf-8"))
    for name in EXTENSIONS:
        schema = merge_patch(schema, json.loads((SCHEMA / "extensions" / name / "release-schema.json").read_text()))
    return schema


@cache
def package_validator():  # type: ignore[no-untyped-def]
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = release_schema()
    package = json.loads((SCHEMA / "release-package-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=DRAFT4))
    return jsonschema.Draft4Validator(package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def schema_errors(package: dict[str, Any]) -> list[str]:
    """Every way `package` breaks the schema, as 'path: message' (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator().iter_errors(package)]


def codes(name: str) -> set[str]:
    """The codes of an extension codelist shipped beside its schema."""
    for path in SCHEMA.glob(f"extensions/*/codelists/{name}.csv"):
        return {line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()[1:] if line}
    raise FileNotFoundError(name)
