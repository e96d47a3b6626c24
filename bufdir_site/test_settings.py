"""Settings for the test suite: the ordinary settings with a fast password hasher."""

import os

# The production-topology pass of the suite (DATABASE_URL, REDIS_URL) needs a secret key like production does.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-secret-key-" + "x" * 40)

from bufdir_site.settings import *  # noqa: E402

# Every test user's password is hashed once; PBKDF2's deliberate slowness buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
