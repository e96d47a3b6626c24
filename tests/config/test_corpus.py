"""Every document of the malformed/malicious corpus is refused, naming the field, in code, the model and the admin."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from exports.config.document import MAX_DOCUMENT_CHARACTERS
from exports.config.validation import InvalidColumnConfig, compile_document, validate_document
from exports.models import OrganisationColumnConfig
from tests import factories
from tests.config_corpus import CASES, TEXT_CASES

IDS = [case[0] for case in CASES]


def test_the_corpus_is_large_enough():
    assert len(CASES) + len(TEXT_CASES) >= 100
    assert len({name for name, _make, _path in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "make", "path"), CASES, ids=IDS)
def test_code_refuses_with_the_field(name, make, path):
    errors = validate_document(make())
    assert errors, f"{name} was accepted"
    assert any(error.path == path and error.field and error.message for error in errors), errors
    assert len({(e.path, e.message) for e in errors}) == len(errors)
    assert not any(e.path == "$" and "object" in e.message for e in errors if path != "$")
    with pytest.raises(InvalidColumnConfig):
        compile_document(make())


@pytest.fixture
def org():
    return factories.organisation()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "path"), CASES, ids=IDS)
def test_the_model_refuses_with_the_field(org, name, make, path):
    config = OrganisationColumnConfig(organisation=org, document=make(), is_active=False)
    with pytest.raises(ValidationError) as raised:
        config.full_clean(exclude=["version"])
    messages = raised.value.message_dict["document"]
    if config.document is None:
        assert messages  # Django's own "this field cannot be empty"
    else:
        assert any(path in message for message in messages), messages


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(user)
    return client


def _post(admin_client, org, text: str):
    """Submit a document through the admin's add form."""
    return admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_add"), {"organisation": org.pk, "comment": "", "document": text}
    )


def _as_json(value) -> str | None:
    """The document as JSON text, or None when JSON cannot express it (sets, functions, too deep)."""
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


# Documents JSON cannot express (sets, functions, too deep) cannot be typed into the admin: code and model only.
TYPABLE_CASES = [case for case in CASES if _as_json(case[1]()) is not None]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "path"), TYPABLE_CASES, ids=[case[0] for case in TYPABLE_CASES])
def test_the_admin_refuses_with_the_field_over_http(admin_client, org, name, make, path):
    text = _as_json(make())
    assert text is not None
    response = _post(admin_client, org, text)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="errorlist' in content
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        assert "lengre enn" in content
    elif make() not in (None, {}):  # JSON null and {} are an empty field to Django: "required"
        assert path.replace("'", "&#x27;") in content or path in content
    assert OrganisationColumnConfig.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "expected"), TEXT_CASES, ids=[case[0] for case in TEXT_CASES])
def test_the_admin_refuses_typed_text_with_a_message(admin_client, org, name, make, expected):
    response = _post(admin_client, org, make())
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="errorlist' in content
    assert expected in content
    assert OrganisationColumnConfig.objects.count() == 1


@pytest.mark.django_db
def test_a_json_syntax_error_names_its_line_and_column(admin_client, org):
    text = '{\n  "format_version": 1,\n  "template": {,\n}'
    content = _post(admin_client, org, text).content.decode()
    assert "linje 3, kolonne 16" in content


@pytest.mark.django_db
def test_a_refused_document_has_no_bogus_second_error(admin_client, org):
    content = _post(admin_client, org, "{not json").content.decode()
    assert "None" not in content.split('class="errorlist', 1)[1].split("</ul>", 1)[0]


@pytest.mark.django_db
def test_a_valid_document_is_validated_once_per_save(org, monkeypatch):
    from exports.config import validation
    from exports.config.versions import save_column_config

    calls = []
    original = validation.compile_document
    monkeypatch.setattr(validation, "compile_document", lambda d: calls.append(1) or original(d))
    config = OrganisationColumnConfig.objects.get(organisation=org)
    document = dict(config.document, columns=config.document["columns"][:3])
    new = OrganisationColumnConfig(organisation=org, document=document)
    new.full_clean(exclude=["version"])
    save_column_config(organisation=org, document=document, draft=new)
    assert len(calls) == 1
