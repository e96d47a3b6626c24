"""Management commands of the export app."""
