"""Site middleware: the admin's one allowance under the Content-Security-Policy."""

import base64
import hashlib

from csp.middleware import CSPMiddleware
from django.urls import reverse

# django-simple-history's object history page has one inline style attribute. Rather than
# allow inline styles, the admin allows exactly that one by its hash.
ADMIN_INLINE_STYLES = ["border-top: 0"]


def style_hash(style):
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"


class SiteCSPMiddleware(CSPMiddleware):
    """The site's policy everywhere; in the admin, also the listed inline styles by hash."""

    admin_style_src = ["'unsafe-hashes'", *map(style_hash, ADMIN_INLINE_STYLES)]

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), "style-src": self.admin_style_src}
        return parts
