"""Sending one digest: render it in its language and hand it to apprise, trying again while it fails.

Nothing here touches the database, so a digest can be sent from another process: a big delivery run
spreads its digests over a few sender processes (`nudges.sender_processes`), because rendering and
apprise's URL parsing and HTTP are CPU work that one Python process does one at a time.
"""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from srr_engine.settings import NudgeSettings, config_dir

HEADER_SCHEMES = ("json://", "jsons://", "form://", "forms://", "xml://", "xmls://")


@dataclass(frozen=True)
class Recipient:
    targets: tuple[str, ...]  # apprise URLs or tag:NAME; secrets, never logged whole
    language: str

    @property
    def key(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.targets)).encode()).hexdigest()


@dataclass
class Job:
    """One claimed digest: who gets it, its idempotency key and its check-ins (each a dict of the
    check-in's columns, which is what the templates see as `item`)."""

    digest_id: int
    recipient: Recipient
    key: str
    language: str
    items: list[dict[str, Any]]


@dataclass
class Attempt:
    """What became of one digest in this run."""

    digest_id: int
    result: str  # sent, failed or no_match
    tries: int
    error: str = ""  # the exception's type name when apprise raised


def environment(templates: Path | None) -> Any:
    """Jinja2's sandbox over the user's template folder (if any), then the shipped one. HTML templates
    (`*.html.j2`) escape what they print; the text ones do not. Kept per process and per set of
    folders: it holds the compiled templates (and reloads a template whose file changed)."""
    return _environment(tuple(str(f) for f in ([templates] if templates else []) + [config_dir() / "templates"]))


@lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...]) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=ChoiceLoader([FileSystemLoader(f) for f in folders]),
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False))


def render(job: Job, templates: Path | None) -> dict[str, str]:
    """Subject, plain text and HTML of a digest in its language, the most urgent item first."""
    env = environment(templates)
    items = sorted(job.items, key=lambda i: (-i["urgency"], i["figures"].get("reference", ""), i["id"]))
    context = {"items": items, "key": job.key, "language": job.language, "count": len(items),
               "contracts": len({i["contract_id"] for i in items})}
    folder = f"nudges/{job.language}"
    return {"subject": env.get_template(f"{folder}/subject.txt.j2").render(context).strip(),
            "text": env.get_template(f"{folder}/digest.txt.j2").render(context),
            "html": env.get_template(f"{folder}/digest.html.j2").render(context)}


def outcome(result: Any) -> str:
    """`sent`, `failed` or `no_match` from apprise 1.x (`True`/`False`/`None` when no service matched
    a tag) and 2.x (`AppriseResult` with a status; NOMATCH is not a delivery failure)."""
    if result is None:
        return "no_match"
    if isinstance(result, bool):
        return "sent" if result else "failed"
    status = getattr(getattr(result, "status", None), "name", "")
    return {"SUCCESS": "sent", "NOMATCH": "no_match"}.get(status, "failed")


def with_key(target: str, key: str) -> str:
    """Webhook URLs carry the idempotency key as a header (apprise's `+Header=value` parameters)."""
    if not target.startswith(HEADER_SCHEMES):
        return target
    return f"{target}{'&' if '?' in target else '?'}+Idempotency-Key={key}"


def send(recipient: Recipient, content: dict[str, str], key: str, settings: NudgeSettings) -> str:
    """Send one digest to all of the recipient's targets; email gets HTML, the rest plain text."""
    import apprise

    results = []
    for html in (True, False):
        targets = [t for t in recipient.targets if t.startswith("mailto") == html and not t.startswith("tag:")]
        tags = [t.removeprefix("tag:") for t in recipient.targets if t.startswith("tag:")] if not html else []
        if not targets and not tags:
            continue
        sender = apprise.Apprise()
        for target in targets:
            sender.add(with_key(target, key))
        if tags and settings.apprise_config:
            config = apprise.AppriseConfig()
            config.add(str(settings.apprise_config))
            sender.add(config)
        body, fmt = (content["html"], apprise.NotifyFormat.HTML) if html else (content["text"], apprise.NotifyFormat.TEXT)
        results.append(outcome(sender.notify(title=content["subject"], body=body, body_format=fmt,
                                             tag=tags or apprise.common.MATCH_ALL_TAG)))
    if "failed" in results:
        return "failed"
    return "sent" if "sent" in results else "no_match"


def send_digest(job: Job, settings: NudgeSettings) -> Attempt:
    """Render and send one digest, trying again after each of the configured waits while it fails."""
    attempt = Attempt(job.digest_id, "failed", 0)
    try:
        content = render(job, settings.templates)
    except Exception as exc:  # a broken template of the user's: the digest waits until it is fixed
        where = ":".join(str(p) for p in (getattr(exc, "name", None), getattr(exc, "lineno", None)) if p)
        attempt.error = f"template {type(exc).__name__} {where}".strip()  # not the message: it may quote data
        return attempt
    for wait in [0.0, *settings.retry_seconds]:
        clock.sleep(wait)
        attempt.tries += 1
        try:
            attempt.result, attempt.error = send(job.recipient, content, job.key, settings), ""
        except Exception as exc:  # apprise raises rarely; count it as a failed try
            attempt.result, attempt.error = "failed", type(exc).__name__
        if attempt.result != "failed":
            break
    return attempt
