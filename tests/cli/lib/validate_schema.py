#!/usr/bin/env python3
"""Validates a document against one of the official schemas in shared/schemas/.

usage: validate_schema.py SCHEMAS_DIR KIND FILE
  KIND  sarif (SARIF 2.1.0), cyclonedx (CycloneDX 1.5) or spdx (SPDX 2.3)

Every schema file of SCHEMAS_DIR is registered under its own $id (and under
its file name next to that id), so the references between them
(bom-1.5 -> spdx.schema.json, jsf-0.82.schema.json) resolve locally; any
other reference fails instead of being fetched. Formats are checked where
jsonschema has a checker for them. Prints every error, exits 1 on any.
"""
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from referencing.exceptions import NoSuchResource

SCHEMAS = {
    "sarif": "sarif-schema-2.1.0.json",
    "cyclonedx": "bom-1.5.schema.json",
    "spdx": "spdx-schema.json",
}


def no_network(uri):
    raise NoSuchResource(ref=uri)


def registry_of(folder):
    resources = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            contents = json.load(f)
        # The draft comes from each file's own $schema.
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        ident = contents.get("$id") or contents.get("id")
        if ident:
            resources.append((ident, resource))
            base = ident.rsplit("/", 1)[0]
            resources.append((base + "/" + name, resource))
    return Registry(retrieve=no_network).with_resources(resources)


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in SCHEMAS:
        print(__doc__, file=sys.stderr)
        return 2
    folder, kind, path = sys.argv[1:]
    with open(os.path.join(folder, SCHEMAS[kind]), encoding="utf-8") as f:
        schema = json.load(f)
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, registry=registry_of(folder), format_checker=cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for e in errors[:50]:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print(f"{path}: {kind}: at {where}: {e.message[:300]}")
    if errors:
        print(f"{path}: {len(errors)} schema error(s)")
        return 1
    print(f"{path}: valid {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
