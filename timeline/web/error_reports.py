"""What a 500 page under DEBUG (`make serve`) may show a curator: no credential, wherever it sits.

Django masks settings and request.META entries whose names say API, KEY, PASS, SECRET, TOKEN...,
but not MAIL_URL or SENTRY_DSN, nor a password inside a URL under any other name (a cache
LOCATION, a REFERER), nor the session cookie; and it masks sensitive_post_parameters (the login
form's password) only with DEBUG off. This filter masks all of them, in DEBUG too.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

# user:password@ (or a bare token@) after any scheme://
URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@")


class CredentialFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|SESSION|CREDENTIAL|PRIVATE|URL|DSN",
        flags=re.IGNORECASE,
    )

    def is_active(self, request):
        """Always: the page is shown to curators under DEBUG, so sensitive parameters stay hidden there too."""
        return True

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if type(value) is str:
            return URL_CREDENTIALS.sub(rf"\1{self.cleansed_substitute}@", value)
        return value

    def cleanse_special_types(self, request, value):
        value = super().cleanse_special_types(request, value)
        if type(value) is str:
            return URL_CREDENTIALS.sub(rf"\1{self.cleansed_substitute}@", value)
        return value
