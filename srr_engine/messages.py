"""Text in Dutch and English (Dutch first: the users are Dutch)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Language = Literal["nl", "en"]


class Message(BaseModel):
    """One message in both languages; `str()` gives the Dutch text."""

    model_config = ConfigDict(frozen=True)

    nl: str
    en: str

    def text(self, language: Language = "nl") -> str:
        return self.nl if language == "nl" else self.en

    def __str__(self) -> str:
        return self.nl


def msg(nl: str, en: str) -> Message:
    """Shorthand for `Message(nl=..., en=...)`."""
    return Message(nl=nl, en=en)
