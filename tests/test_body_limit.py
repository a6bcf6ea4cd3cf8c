"""Request bodies are bounded before anything is parsed or spooled (issue 26, finding 10).

A 200 MB multipart POST to /admin/login/ was written to a temporary file before CSRF refused it.
"""

from unittest import mock

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.test_curating import add_article
from timeline.corpus.articles import MAX_ARTICLE_BYTES
from timeline.models import Source
from timeline.web.body_limit import BodyLimitHandler, BodyTooLarge, max_body_bytes


@pytest.fixture
def spooled():
    """Every temporary file an upload handler opens."""
    with mock.patch.object(uploadhandler, "TemporaryUploadedFile", wraps=uploadhandler.TemporaryUploadedFile) as spy:
        yield spy


def test_the_limit_leaves_room_for_an_article_and_the_forms_fields(settings):
    assert max_body_bytes() == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MAX_ARTICLE_BYTES


def with_csrf_cookie():
    """A client holding the login page's CSRF cookie, so CSRF reads the body to look for the token."""
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")
    return client


def test_a_multipart_body_over_the_limit_is_refused_before_it_is_spooled(db, spooled):
    client = with_csrf_cookie()
    big = SimpleUploadedFile("big.bin", b"x" * (max_body_bytes() + 1))
    response = client.post("/admin/login/", {"username": "a", "password": "b", "file": big})
    assert response.status_code == 413
    assert f"at most {max_body_bytes():,} are accepted" in response.content.decode()
    spooled.assert_not_called()


def test_a_claimed_200_mb_body_is_refused_before_a_byte_is_read(db, spooled):
    client = with_csrf_cookie()
    small = SimpleUploadedFile("small.bin", b"x" * 10)
    response = client.post("/admin/login/", {"file": small}, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert "The request body is 209,715,200 bytes" in response.content.decode()
    spooled.assert_not_called()


def test_the_handler_counts_streamed_bytes_too():
    """Django reads no more than Content-Length; the handler still counts what streams past it."""
    handler = BodyLimitHandler()
    handler.handle_raw_input(None, {}, 100, b"boundary")
    assert handler.receive_data_chunk(b"x" * max_body_bytes(), 0)
    with pytest.raises(BodyTooLarge):
        handler.receive_data_chunk(b"x", max_body_bytes())


def test_an_article_of_the_largest_size_is_still_accepted(curator_client, spooled):  # noqa: F811
    text = ("A line of the article.\n" * (MAX_ARTICLE_BYTES // 23 + 1))[: MAX_ARTICLE_BYTES - 1] + "."
    upload = SimpleUploadedFile("filing.txt", text.encode("utf-8"), content_type="text/plain")
    response = add_article(curator_client, text="", upload=upload)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(Source.objects.get(slug="test-court-filing").text.encode("utf-8")) == MAX_ARTICLE_BYTES


def test_the_largest_article_pasted_with_cr_lf_line_ends_is_still_accepted(curator_client):  # noqa: F811
    text = ("A line of the article.\n" * (MAX_ARTICLE_BYTES // 23 + 1))[: MAX_ARTICLE_BYTES - 1] + "."
    response = add_article(curator_client, text=text.replace("\n", "\r\n"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Source.objects.get(slug="test-court-filing").text == text
