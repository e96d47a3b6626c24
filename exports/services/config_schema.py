"""The JSON Schema that every column configuration document must satisfy."""

from exports.categories import CATEGORIES

COLUMN_FORMATS = ("text", "integer", "date", "datetime", "time", "boolean")

_RULE = {
    "type": "object",
    "required": ["id", "require", "reason"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "description": {"type": "string"},
        "when": {"type": "string", "minLength": 1},
        "require": {"type": "string", "minLength": 1},
        "reason": {"type": "string", "minLength": 1},
        "action": {"type": "string", "minLength": 1},
    },
}

COLUMN_CONFIG_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Bufdir column configuration",
    "type": "object",
    "required": ["format_version", "template", "activity_types", "columns", "counting_rules"],
    "additionalProperties": False,
    "properties": {
        "format_version": {"const": 1},
        "template": {
            "type": "object",
            "required": ["name", "date_format", "boolean_labels"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "date_format": {"type": "string", "minLength": 1},
                "datetime_format": {"type": "string", "minLength": 1},
                "time_format": {"type": "string", "minLength": 1},
                "boolean_labels": {
                    "type": "object",
                    "required": ["true", "false"],
                    "additionalProperties": False,
                    "properties": {
                        "true": {"type": ["string", "integer"]},
                        "false": {"type": ["string", "integer"]},
                    },
                },
            },
        },
        "activity_types": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z0-9_]+$"},
            "additionalProperties": {
                "type": "object",
                "required": ["label", "category"],
                "additionalProperties": False,
                "properties": {
                    "label": {"type": "string", "minLength": 1},
                    "category": {"enum": list(CATEGORIES)},
                },
            },
        },
        "value_lists": {
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        },
        "columns": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["key", "heading", "format"],
                "additionalProperties": False,
                "oneOf": [{"required": ["source"]}, {"required": ["expression"]}],
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "heading": {"type": "string", "minLength": 1},
                    "source": {"type": "string", "minLength": 1},
                    "expression": {"type": "string", "minLength": 1},
                    "format": {"enum": list(COLUMN_FORMATS)},
                    "width": {"type": "number", "minimum": 1, "maximum": 255},
                },
            },
        },
        "counting_rules": {"type": "array", "items": _RULE},
        "validations": {"type": "array", "items": _RULE},
    },
}
