"""A 500 under DEBUG (`make serve`) may be shown to a curator: it shows no credential (issue 26, finding 12)."""

import os

import pytest
from django.test import Client
from django.urls import path
from django.views.decorators.debug import sensitive_post_parameters


@sensitive_post_parameters("password")
def fails(request):
    """The page lists this file's lines around the raise, so no credential is written near it."""
    raise RuntimeError("a view failed")


urlpatterns = [path("fails/", fails)]


@pytest.fixture
def debug_page(settings, monkeypatch):
    settings.DEBUG = True
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MAIL_URL = SECRETS["MAIL_URL"]
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)

    def get(client, method="get", data=None):
        # runserver's request.META holds the whole environment, as here
        response = getattr(client, method)("/fails/", data, **os.environ)
        assert response.status_code == 500
        body = response.content.decode()
        assert "a view failed" in body  # the technical page, not the plain one
        return body

    return get


SECRETS = {
    "MAIL_URL": "postgres://u:secret-7f3a@h/db",
    "SOME_DSN": "https://secret-91bc@sentry.example/4",
    "CACHE_LOCATION": "redis://:secret-c0de@cache:6379/0",
    "HTTP_REFERER": "https://admin:secret-44aa@timeline.example/",
}


def test_the_debug_500_page_hides_credentials_in_the_environment_and_settings(debug_page):
    body = debug_page(Client(raise_request_exception=False))
    for value in SECRETS.values():
        assert "secret-" not in body, value
    assert "MAIL_URL" in body and "SOME_DSN" in body and "CACHE_LOCATION" in body  # named, values masked


def test_the_debug_500_page_hides_sensitive_post_parameters_under_debug_too(debug_page, db):
    """Django hides a view's sensitive_post_parameters (the login form's password) only with DEBUG off."""
    body = debug_page(Client(raise_request_exception=False), method="post", data={"password": "secret-5e55"})
    assert "secret-5e55" not in body and "password" in body
