"""Django project of the Bufdir export service."""
