"""The column configuration: its schema, expression language, validation, cost bound, versions and trials."""
