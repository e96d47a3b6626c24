"""The JSON Schema that every column configuration document must satisfy."""

from exports.regulation import CATEGORIES

COLUMN_FORMATS = ("text", "integer", "date", "datetime", "time", "boolean")
MAX_COLUMNS = 200
MAX_RULES = 100
MAX_ACTIVITY_TYPES = 500
MAX_VALUE_LISTS = 50
MAX_VALUE_LIST_ENTRIES = 1_000
MAX_LABEL_INTEGER = 10**12
MAX_REASON_LENGTH = 1_000
"""The most characters of a rule's reason or action (what `Avvik` and `not_counted_reason` show)."""
MAX_ACTIVITY_URL_LENGTH = 500
"""The most characters of `activity_url`, the organisation's app address of one registration."""
_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_REASON_LENGTH}
_EXPRESSION = {"type": "string", "minLength": 1, "maxLength": 1_000}
_FORMAT = {"type": "string", "minLength": 1, "maxLength": 64}
_LABEL = {
    "anyOf": [
        {"type": "string", "maxLength": 200},
        {"type": "integer", "minimum": -MAX_LABEL_INTEGER, "maximum": MAX_LABEL_INTEGER},
    ]
}
_IDENTIFIER = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 60}

_RULE = {
    "type": "object",
    "required": ["id", "require", "reason"],
    "additionalProperties": False,
    "properties": {
        "id": _IDENTIFIER,
        "description": {"type": "string", "maxLength": 1_000},
        "when": _EXPRESSION,
        "require": _EXPRESSION,
        "reason": _TEXT,
        "action": _TEXT,
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
                "name": _NAME,
                "date_format": _FORMAT,
                "datetime_format": _FORMAT,
                "time_format": _FORMAT,
                "boolean_labels": {
                    "type": "object",
                    "required": ["true", "false"],
                    "additionalProperties": False,
                    "properties": {
                        "true": _LABEL,
                        "false": _LABEL,
                    },
                },
            },
        },
        "activity_types": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_ACTIVITY_TYPES,
            "propertyNames": {"pattern": "^[a-z0-9_]+$", "maxLength": 60},
            "additionalProperties": {
                "type": "object",
                "required": ["label", "category"],
                "additionalProperties": False,
                "properties": {
                    "label": _NAME,
                    "category": {"enum": list(CATEGORIES)},
                },
            },
        },
        "value_lists": {
            "type": "object",
            "maxProperties": MAX_VALUE_LISTS,
            "propertyNames": {"maxLength": 60},
            "additionalProperties": {
                "type": "object",
                "maxProperties": MAX_VALUE_LIST_ENTRIES,
                "propertyNames": {"maxLength": 200},
                "additionalProperties": _LABEL,
            },
        },
        "columns": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_COLUMNS,
            "items": {
                "type": "object",
                "required": ["key", "heading", "format"],
                "additionalProperties": False,
                "oneOf": [{"required": ["source"]}, {"required": ["expression"]}],
                "properties": {
                    "key": _IDENTIFIER,
                    "heading": _NAME,
                    "source": {"type": "string", "minLength": 1, "maxLength": 60},
                    "expression": _EXPRESSION,
                    "format": {"enum": list(COLUMN_FORMATS)},
                    "width": {"type": "number", "minimum": 1, "maximum": 255},
                },
            },
        },
        "counting_rules": {"type": "array", "maxItems": MAX_RULES, "items": _RULE},
        "validations": {"type": "array", "maxItems": MAX_RULES, "items": _RULE},
        "activity_url": {"type": "string", "maxLength": MAX_ACTIVITY_URL_LENGTH},
    },
}
