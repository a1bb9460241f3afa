#!/usr/bin/env python3
"""Validates every shipped policy against policies/policy.schema.json, as an editor would.
Needs the `jsonschema` package (installed by .ci/run)."""
import json, pathlib, sys, tomllib
import jsonschema

root = pathlib.Path(__file__).resolve().parent.parent / "policies"
schema = json.loads((root / "policy.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
failed = 0
for path in sorted(root.glob("*.toml")):
    errors = sorted(validator.iter_errors(tomllib.loads(path.read_text())), key=lambda e: list(e.path))
    for e in errors:
        print(f"{path.name}: {'/'.join(map(str, e.path))}: {e.message}")
    failed += len(errors)
    print(f"{path.name}: {'ok' if not errors else 'INVALID'}")
sys.exit(1 if failed else 0)
