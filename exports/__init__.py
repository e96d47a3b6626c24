"""The Bufdir export app."""
