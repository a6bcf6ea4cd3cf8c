"""A bound on request bodies, enforced before anything is read or spooled to disk.

Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not file parts: a 200 MB multipart
POST to /admin/login/ was written to a temporary file before CSRF refused it. The largest
legitimate post is an article pasted or uploaded in the admin (MAX_ARTICLE_BYTES), and Django's
bound on the form's fields, which a pasted article with CR LF line ends stays within.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.views import defaults

from timeline.corpus.articles import MAX_ARTICLE_BYTES


def max_body_bytes():
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MAX_ARTICLE_BYTES


class BodyTooLarge(RequestDataTooBig):
    """A request body past max_body_bytes(); answered 413 by bad_request."""


class BodyLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses by Content-Length before parsing, and by bytes as they stream."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length > max_body_bytes():
            raise BodyTooLarge(
                f"The request body is {content_length:,} bytes; at most {max_body_bytes():,} are accepted."
            )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_body_bytes():
            raise BodyTooLarge(f"The uploaded files pass {max_body_bytes():,} bytes, which is all that is accepted.")
        return raw_data

    def file_complete(self, file_size):
        return None


def bad_request(request, exception):
    """handler400: a body past the limit is 413 with its reason; any other bad request is Django's 400."""
    if isinstance(exception, BodyTooLarge):
        return HttpResponse(f"{exception}\n", status=413, content_type="text/plain; charset=utf-8")
    return defaults.bad_request(request, exception)
