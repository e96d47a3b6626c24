"""The JSON API (version 1) and the personal API tokens that open it."""
