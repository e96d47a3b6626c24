"""Norwegian names for what django-axes, django-q2 and Django's permissions print in English.

Their models' `__str__` and Django's permission names (stored in English by `migrate`) show up in the admin's
titles, breadcrumbs, lists and choice boxes; these replacements say the same in the active language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.forms import ModelMultipleChoiceField
from django.utils import formats
from django.utils.translation import gettext as _


def _when(moment: Any) -> str:
    """A moment in the active language's short date and time format."""
    return str(formats.date_format(moment, "SHORT_DATETIME_FORMAT")) if moment else "–"


def access_failure_text(failure: Any) -> str:
    """django-axes' failed login, in words."""
    text = _("Failed login by %(username)s at %(when)s from %(address)s") % {
        "username": failure.username or "–",
        "when": _when(failure.attempt_time),
        "address": failure.ip_address,
    }
    return f"{text} ({_('locked out')})" if failure.locked_out else text


def access_attempt_text(attempt: Any) -> str:
    """django-axes' login attempt, in words."""
    return _("Login attempt by %(username)s at %(when)s") % {
        "username": attempt.username or "–",
        "when": _when(attempt.attempt_time),
    }


def access_log_text(entry: Any) -> str:
    """django-axes' login record, in words."""
    return _("Login by %(username)s at %(when)s") % {
        "username": entry.username or "–",
        "when": _when(entry.attempt_time),
    }


def queued_task_text(queued: Any) -> str:
    """django-q2's queued task, in words."""
    return _("Queued task %(name)s") % {"name": queued.name() or queued.pk}


def permission_label(permission: Permission) -> str:
    """'App | model | Can add model', with the words in the active language."""
    content_type = permission.content_type
    model = content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    words = {
        "add": _("Can add %(model)s"),
        "change": _("Can change %(model)s"),
        "delete": _("Can delete %(model)s"),
        "view": _("Can view %(model)s"),
    }
    if model is None or action not in words:
        return str(permission)
    app = _(str(model._meta.app_config.verbose_name))  # looked up again: some apps' names are not marked
    name = _(str(model._meta.verbose_name))
    return f"{app} | {name} | {words[action] % {'model': name}}"


class _PermissionChoices(ModelMultipleChoiceField):
    """Permissions listed with their Norwegian labels."""

    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class _NorwegianPermissions:
    """Mixin for the user and group admins: the permission boxes in the active language."""

    def formfield_for_manytomany(self, db_field: Any, request: Any = None, **kwargs: Any) -> Any:
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs["form_class"] = _PermissionChoices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class NorwegianUserAdmin(_NorwegianPermissions, UserAdmin):
    """Django's user admin, its permissions in words."""


class NorwegianGroupAdmin(_NorwegianPermissions, GroupAdmin):
    """Django's group admin, its permissions in words."""


def install() -> None:
    """Give the third-party models Norwegian names and the auth admins Norwegian permission labels."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_q.models import OrmQ

    AccessFailureLog.__str__ = access_failure_text
    AccessAttempt.__str__ = access_attempt_text
    AccessLog.__str__ = access_log_text
    OrmQ.__str__ = queued_task_text
    for model, model_admin in ((User, NorwegianUserAdmin), (Group, NorwegianGroupAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
            admin.site.register(model, model_admin)
