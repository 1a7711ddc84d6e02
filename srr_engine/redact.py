"""Hide secrets in URLs wherever they are printed or logged."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_SECRET_QUERY = re.compile(r"(?i)([?&](?:pass(?:word)?|token|key|secret|apikey|api_key)=)[^&]*")


def redact_url(url: str) -> str:
    """A database or webhook URL with its password and token-like query values replaced by `***`."""
    if "@" not in url and not _SECRET_QUERY.search(url):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = _SECRET_QUERY.sub(r"\1***", "?" + parts.query)[1:] if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_notify_url(url: str) -> str:
    """An apprise URL in apprise's own privacy form (tokens and passwords masked)."""
    import apprise  # deferred: heavy import, only needed when URLs are shown

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        return redact_url(url)
    return plugin.url(privacy=True)
