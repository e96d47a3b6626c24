"""Keeps cryptography's Fernet out of processes whose channel layer encrypts nothing.

channels_redis and channels-lite import `cryptography.fernet` when their serializers are imported, whether or
not the layer has `symmetric_encryption_keys`; that loads cryptography's Rust bindings, about 9 MiB in every
process that sends progress (a third of an export's own memory). Neither the project nor its other packages use
Fernet, so a process whose layers have no keys marks it as absent, and the serializers fall back to what they
do without cryptography installed. A layer given keys finds it as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

FERNET = "cryptography.fernet"


def encrypts(channel_layers: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether any configured channel layer is given encryption keys."""
    return any(layer.get("CONFIG", {}).get("symmetric_encryption_keys") for layer in channel_layers.values())


def skip_unused_fernet(channel_layers: Mapping[str, Mapping[str, Any]]) -> bool:
    """Mark Fernet absent unless a layer encrypts or it is loaded already; whether it was marked."""
    if encrypts(channel_layers) or FERNET in sys.modules:
        return False
    sys.modules[FERNET] = None  # type: ignore[assignment]  # the documented way to make an import fail
    return True
