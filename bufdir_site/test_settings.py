"""Settings for the test suite: the ordinary settings with a fast password hasher."""

from bufdir_site.settings import *

# Every test user's password is hashed once; PBKDF2's deliberate slowness buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
