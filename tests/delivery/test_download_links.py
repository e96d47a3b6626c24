"""One signer of download links: the page's token opens its export, the API's also only for its organisation."""

from __future__ import annotations

import uuid

from api import links as api_links
from exports.delivery.download_links import DownloadLinks, LinkVerdict

ORG, OTHER = uuid.uuid4(), uuid.uuid4()


def test_a_page_token_opens_its_export_and_no_other():
    links = DownloadLinks(max_age=60)
    token = links.token(7)
    assert links.check(7, token=token) is LinkVerdict.VALID
    assert links.check(8, token=token) is LinkVerdict.OTHER_EXPORT
    assert links.check(7, token=token[:-2] + "xx") is LinkVerdict.TAMPERED
    assert DownloadLinks(max_age=-1).check(7, token=token) is LinkVerdict.EXPIRED


def test_an_api_token_is_bound_to_its_organisation_and_a_page_token_is_not_an_api_token():
    token, _expires = api_links.sign(7, organisation_id=ORG)
    assert api_links.is_valid(token, audit_id=7, organisation_id=ORG)
    assert not api_links.is_valid(token, audit_id=7, organisation_id=OTHER)
    assert not api_links.is_valid(token, audit_id=8, organisation_id=ORG)
    page_token = DownloadLinks(max_age=60).token(7)
    assert not api_links.is_valid(page_token, audit_id=7, organisation_id=ORG)
