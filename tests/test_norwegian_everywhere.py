"""Norwegian everywhere a Norwegian reads: pages, admin, API errors, e-mails and the command's output.

Each page is fetched as a logged-in user with the nb language; its visible text (tags, scripts and styles
stripped; title, aria-label, placeholder and alt attributes kept) must hold no common English word
(tests.english_words). A failure lists the page and the piece of text.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage

from api.tokens import issue_token
from exports.management.commands.bufdir_export import Command as ExportCommand
from exports.models import BufdirExportAudit, ConfigTrialRun, Membership, OrganisationColumnConfig, TrialStatus
from notices.services import notify_finished
from tests import factories
from tests.english_words import english_in, visible_text

pytestmark = pytest.mark.django_db
Status = BufdirExportAudit.Status
ORGANISATION = "Norges Handikapforbund"
OWN_OPTIONS = {"org", "year", "date_from", "date_to", "out", "requested_by"}
PEOPLE = frozenset(
    {"nhf-admin", "root", "likeperson", "bergen", "oslo", "norges", "handikapforbund", "bufdir-reap-lost-exports"}
)
"""Usernames, places, the organisation and the name of the reaper's schedule (exports/migrations/0004)."""
SAME_IN_NORWEGIAN = frozenset({"%(class_name)s %(instance)s", "salt", "hash"})
"""Texts of Django whose Norwegian is the same text (a placeholder pair; salt and hash are Norwegian words too)."""


def _command_line_label() -> str:
    """What the export command records as the starter when --requested-by is not given."""
    parser = ExportCommand().create_parser("manage.py", "bufdir_export")
    return str(parser.get_default("requested_by"))


@pytest.fixture
def world(settings, org_with_activities, run_export):
    """NHF with a succeeded export run from the command line, a failed one, a waiting one and a token."""
    settings.LANGUAGE_CODE = "nb"
    org = org_with_activities
    org.name = ORGANISATION
    org.save()
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    Membership.objects.create(user=root, organisation=org, role=Membership.Role.ADMINISTRATOR)
    member = factories.member(org, username="nhf-admin")
    run_export(org, requested_by=_command_line_label())
    BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        status=Status.FAILED,
        error_message="Kilden svarte ikke.",
        finished_at=timezone.now(),
        requested_by_label="nhf-admin",
    )
    BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 6, 30),
        requested_by=member,
        requested_by_label="nhf-admin",
    )
    issue_token(user=member, organisation=org, name="nhf-admin")
    _third_party_rows()
    Group.objects.create(name="Koordinatorer")
    ConfigTrialRun.objects.create(
        config=OrganisationColumnConfig.objects.get(organisation=org),
        document_sha256="0" * 64,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        requested_by=root,
        status=TrialStatus.FAILED,
        error_message="Kilden svarte ikke.",
        finished_at=timezone.now(),
    )
    return org, root, member


def _third_party_rows() -> None:
    """One row in each of django-axes' and django-q2's tables, so their change pages have something to show."""
    now = timezone.now()
    common = {
        "user_agent": "Firefox",
        "ip_address": "127.0.0.1",
        "username": "nhf-admin",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**common, locked_out=False)
    AccessLog.objects.create(**common, logout_time=now)
    Schedule.objects.create(func="exports.tasks.fail_stale_exports", schedule_type=Schedule.MINUTES, minutes=1)
    for number, success in enumerate((True, False)):
        Task.objects.create(
            id=f"oppgave{number}",
            name=f"eksport{number}",
            func="exports.tasks.run_export",
            started=now,
            stopped=now,
            success=success,
            result="1",
        )
    package = SignedPackage.dumps(
        {
            "id": "oppgave9",
            "name": "eksport9",
            "func": "exports.tasks.run_export",
            "group": "eksport",
            "q_options": {"timeout": 60},
            "args": (),
            "kwargs": {},
        }
    )
    OrmQ.objects.create(key="bufdir", payload=package, lock=now)


def _findings(client, url: str, *, status: int = 200, **extra) -> list[str]:
    """The English on the page at `url`, each finding prefixed with the URL."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nb", **extra)
    assert response.status_code == status, (url, response.status_code)
    return [f"{url}: {finding}" for finding in english_in(visible_text(response.content.decode()), also_allowed=PEOPLE)]


def _admin_urls(root_client) -> list[str]:
    """The admin's index, each app's index, and each registered model's list, add, change and history pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    apps = set()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        apps.add(meta.app_label)
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if model_admin.has_add_permission(_request_of(root_client)):
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model.objects.order_by("pk").first()
        assert first is not None, f"no {meta.label} to show"
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[first.pk]))
    urls.extend(reverse("admin:app_list", args=[app]) for app in sorted(apps))
    return urls


def _request_of(client):
    """A request of the client's logged-in user (for the admin's permission checks)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="root")
    return request


def test_the_pages_hold_no_english(client, world):
    org, _root, member = world
    client.force_login(member)
    pending = BufdirExportAudit.objects.get(status=Status.PENDING)
    findings = [
        *_findings(client, reverse("exports:page", args=[org.slug])),
        *_findings(client, reverse("exports:status", args=[org.slug]), HTTP_HX_REQUEST="true"),
        *_findings(client, reverse("api_tokens:list", args=[org.slug])),
        *_findings(client, reverse("exports:page", args=["someone-else"]), status=404),
        *_findings(client, reverse("exports:download", args=[pending.pk]), status=404),
        *_findings(client, reverse("exports:download", args=[999999]), status=404),
        *_findings(client, "/nowhere/", status=404),
    ]
    BufdirExportAudit.objects.filter(pk=pending.pk).update(
        status=Status.RUNNING, phase="mapping", started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    findings += _findings(client, reverse("exports:page", args=[org.slug]))
    outsider = factories.member(
        factories.organisation("hlf", name="HLF"), username="likeperson", role=Membership.Role.PEER_MENTOR
    )
    client.force_login(outsider)
    findings += _findings(client, reverse("exports:index"), status=403)
    client.logout()
    findings += _findings(client, reverse("login"))
    assert not findings, "\n".join(findings)


def test_the_admin_holds_no_english(client, world):
    _org, root, _member = world
    client.force_login(root)
    config = OrganisationColumnConfig.objects.order_by("pk").first()
    findings = []
    for url in _admin_urls(client):
        findings += _findings(client, url)
    findings += _findings(client, reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk]))
    response = client.post(reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk]), {"year": 2025})
    findings += [
        f"try (POST): {finding}" for finding in english_in(visible_text(response.content.decode()), also_allowed=PEOPLE)
    ]
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("document", ['{"format_version": 1,', '{"a": 1 "b": 2}', "[1, 2", "{'a': 1}", "nei"])
def test_a_json_syntax_error_in_the_configuration_is_told_in_norwegian(client, world, document):
    org, root, _member = world
    client.force_login(root)
    response = client.post(
        reverse("admin:exports_organisationcolumnconfig_add"),
        {"organisation": org.pk, "comment": "", "document": document},
    )
    assert response.status_code == 200
    findings = english_in(visible_text(response.content.decode()), also_allowed=PEOPLE)
    assert not findings, "\n".join(findings)
    assert "JSON" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"year": "2025"},
        {"year": 2025.5},
        {"year": None},
        {"from": "20250101", "to": "2025-06-30"},
        {"from": 1, "to": 2},
        {"year": 2025, "organisation": "hlf"},
        [2025],
        "2025",
        {"year": 1800},
        {"from": "2025-03-01", "to": "2025-01-01"},
        {"from": "2025-01-01"},
        {},
    ],
)
def test_the_apis_errors_hold_no_english(client, world, body):
    _org, _root, member = world
    secret = issue_token(user=member, organisation=member.memberships.get().organisation, name="test").secret
    response = client.post(
        "/api/v1/exports", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code in {400, 422}, response.content
    error = response.json()
    texts = [error["message"], *(message for messages in (error["fields"] or {}).values() for message in messages)]
    findings = english_in(texts)
    assert not findings, "\n".join(findings)
    assert not any(text.startswith("Value error") for text in texts)


def test_the_apis_other_errors_and_documentation_title_hold_no_english(client, world):
    responses = [
        client.get("/api/v1/exports"),
        client.post("/api/v1/exports", "{", content_type="application/json"),
        client.put("/api/v1/exports"),
        client.get("/api/v1/nothing"),
    ]
    texts = [response.json()["message"] for response in responses]
    document = client.get("/api/v1/openapi.json").json()
    texts.append(document["info"]["title"])
    findings = english_in(texts)
    assert not findings, "\n".join(findings)
    assert not english_in(visible_text(client.get("/api/v1/docs").content.decode()))


def test_the_emails_hold_no_english(world, settings):
    _org, _root, member = world
    member.email = "nhf-admin@example.org"
    member.save()
    for status in (Status.SUCCEEDED, Status.FAILED):
        audit = BufdirExportAudit.objects.create(
            organisation=member.memberships.get().organisation,
            period_from=dt.date(2023, 1, 1),
            period_to=dt.date(2023, 12, 31),
            status=status,
            requested_by=member,
            requested_by_label="nhf-admin",
            finished_at=timezone.now(),
            rows_exported=3,
            rows_counted=2,
            rows_deviations=1,
            error_message="Kilden svarte ikke." if status == Status.FAILED else "",
        )
        notify_finished(audit.pk)
    assert len(mail.outbox) == 2
    texts = [piece for message in mail.outbox for piece in (message.subject, *message.body.splitlines())]
    findings = english_in(texts, also_allowed=PEOPLE | {"example", "org"})
    assert not findings, "\n".join(findings)


def test_the_command_lines_messages_hold_no_english(world, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    texts = []
    for arguments in (["--org", "nobody", "--year", "2025"], ["--org", "nhf"], ["--org", "nhf", "--year", "1800"]):
        with pytest.raises(CommandError) as refused:
            call_command("bufdir_export", *arguments, "--out", str(tmp_path))
        texts.append(str(refused.value))
    with pytest.raises(CommandError) as busy:
        call_command("bufdir_export", "--org", "nhf", "--year", "2025", "--out", str(tmp_path))
    texts.append(str(busy.value))
    with translation.override("nb"):
        parser = ExportCommand().create_parser("manage.py", "bufdir_export")
        texts += [
            str(parser.description),
            *(str(action.help) for action in parser._actions if action.dest in OWN_OPTIONS),
        ]
    texts.append(_command_line_label())
    for arguments in (
        ["nobody", "--org", "nhf"],
        ["nhf-admin", "--org", "hlf"],
        ["nhf-admin", "--org", "nhf", "--days", "0"],
    ):
        with pytest.raises(CommandError) as refused:
            call_command("create_api_token", *arguments)
        texts.append(str(refused.value))
    capsys.readouterr()
    call_command("create_api_token", "nhf-admin", "--org", "nhf", "--name", "regnskap")
    texts.append(capsys.readouterr().out.splitlines()[0])
    call_command("fail_stale_exports")
    texts.append(capsys.readouterr().out)
    findings = english_in(texts, also_allowed=frozenset({"yyyy", "mm", "dd", "nhf"}))
    assert not findings, "\n".join(findings)


def test_the_locked_out_page_holds_no_english(client, world, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "nhf-admin", "password": "feil-passord"})
    response = client.post(reverse("login"), {"username": "nhf-admin", "password": "feil-passord"})
    assert 'id="locked-out"' in response.content.decode()
    findings = english_in(visible_text(response.content.decode()), also_allowed=PEOPLE)
    assert not findings, "\n".join(findings)


def test_the_workbook_names_the_service_the_organisation_and_the_period_in_norwegian(world, run_export):
    org, _root, _member = world
    BufdirExportAudit.objects.filter(status=Status.PENDING).update(status=Status.CANCELLED)
    properties = run_export(org).succeeded_bundle.workbook.properties
    assert properties.creator == "Bufdir-eksport" and properties.lastModifiedBy == "Bufdir-eksport"
    assert properties.title == f"Bufdir-rapport {ORGANISATION} 01.01.2025–31.12.2025"
    assert properties.language == "nb-NO"
    assert not english_in([properties.title, properties.subject, properties.description], also_allowed=PEOPLE)


def test_the_admins_javascript_text_is_all_translated(client, world):
    """Every text of the admin's scripts (the calendar, the permission chooser) has a Norwegian entry."""
    import re
    from pathlib import Path

    import django

    _org, root, _member = world
    client.force_login(root)
    script = client.get(reverse("admin:jsi18n")).content.decode()
    catalogue = json.loads(script.split("const newcatalog = ", 1)[1].split(";\n", 1)[0])
    source = (Path(django.__file__).parent / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po").read_text()
    entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"$', source, re.M)
    keys = {f"{context}\x04{msgid}" if context else msgid for context, msgid in entries}
    missing = sorted(key.replace("\x04", " | ") for key in keys if key.replace('\\"', '"') not in catalogue)
    assert len(keys) > 40 and not missing, missing


@pytest.mark.parametrize("package", ["contrib/admin", "contrib/auth"])
def test_the_admins_own_text_is_all_translated(package):
    """Every one-line text of Django's admin and authentication has a Norwegian entry (theirs or ours)."""
    import re
    from pathlib import Path

    import django

    source = (Path(django.__file__).parent / package / "locale/en/LC_MESSAGES/django.po").read_text()
    entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"$', source, re.M)
    with translation.override("nb"):
        missing = [
            msgid
            for context, msgid in entries
            if (translation.pgettext(context, msgid) if context else translation.gettext(msgid)) == msgid
            and msgid not in SAME_IN_NORWEGIAN
        ]
    assert len(entries) > 50 and not missing, missing


def test_exports_recorded_with_the_old_english_starter_are_renamed(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("exports.migrations.0009_norwegian_command_line_label")
    old = BufdirExportAudit.objects.create(
        organisation=world[0],
        period_from=dt.date(2022, 1, 1),
        period_to=dt.date(2022, 12, 31),
        status=Status.SUCCEEDED,
        requested_by_label="command line",
    )
    migration.to_norwegian(apps, None)
    old.refresh_from_db()
    assert old.requested_by_label == _command_line_label() == "kommandolinjen"


@pytest.mark.parametrize("status", [400, 403, 500])
def test_djangos_error_pages_are_ours_and_norwegian(rf, world, status):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views import defaults

    request = rf.get("/")
    request.user = AnonymousUser()
    views = {
        400: lambda: defaults.bad_request(request, ValueError()),
        403: lambda: defaults.permission_denied(request, PermissionDenied()),
        500: lambda: defaults.server_error(request),
    }
    response = views[status]()
    assert response.status_code == status and 'role="alert"' in response.content.decode()
    findings = english_in(visible_text(response.content.decode()))
    assert not findings, "\n".join(findings)
