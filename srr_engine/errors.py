"""Errors a person can act on: each problem names where it is (file, row, field) and what is wrong."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from srr_engine.messages import Language, Message, msg


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, and what."""

    where: str
    what: Message

    def text(self, language: Language = "nl") -> str:
        return f"{self.where}: {self.what.text(language)}" if self.where else self.what.text(language)


class UserError(Exception):
    """Input or a request that cannot be carried out; nothing was changed."""

    def __init__(self, problems: Sequence[Problem] | Message):
        self.problems = [Problem("", problems)] if isinstance(problems, Message) else list(problems)
        super().__init__(self.text("en"))

    def text(self, language: Language = "nl") -> str:
        return "\n".join(p.text(language) for p in self.problems)


def location(parts: Iterable[str | int]) -> str:
    """`('instruments', 0, 'percentage')` -> `instruments[1].percentage` (rows counted from 1)."""
    out = ""
    for part in parts:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# pydantic error types in words a contract manager understands; others fall back to pydantic's text.
_WORDS: dict[str, tuple[str, str]] = {
    "missing": ("ontbreekt (verplicht veld)", "is missing (required field)"),
    "extra_forbidden": ("onbekend veld (tikfout?)", "unknown field (typo?)"),
    "decimal_parsing": ("is geen bedrag of getal", "is not an amount or number"),
    "decimal_type": ("is geen bedrag of getal", "is not an amount or number"),
    "date_from_datetime_parsing": ("is geen datum (gebruik JJJJ-MM-DD)", "is not a date (use YYYY-MM-DD)"),
    "date_parsing": ("is geen datum (gebruik JJJJ-MM-DD)", "is not a date (use YYYY-MM-DD)"),
    "date_type": ("is geen datum (gebruik JJJJ-MM-DD)", "is not a date (use YYYY-MM-DD)"),
    "bool_parsing": ("moet ja/nee (true/false) zijn", "must be yes/no (true/false)"),
    "int_parsing": ("is geen geheel getal", "is not a whole number"),
    "string_type": ("moet tekst zijn", "must be text"),
    "list_type": ("moet een lijst zijn", "must be a list"),
    "dict_type": ("moet een groep velden zijn", "must be a group of fields"),
    "model_type": ("moet een groep velden zijn", "must be a group of fields"),
}


def problems_from_validation(error: ValidationError, where: str = "") -> list[Problem]:
    """Turn a pydantic error into problems, one per field, prefixed with `where` (e.g. the file)."""
    problems = []
    for item in error.errors(include_url=False):
        loc = location(item["loc"])
        place = ", ".join(p for p in (where, f"veld '{loc}'" if loc else "") if p)
        value = item.get("input")
        shown = f" ({value!r})" if item["type"] not in ("missing",) and not isinstance(value, dict | list) else ""
        if item["type"] in _WORDS:
            nl, en = _WORDS[item["type"]]
            problems.append(Problem(place, msg(nl + shown, en + shown)))
        else:
            text = item["msg"].removeprefix("Value error, ")
            ctx_msg = item.get("ctx", {}).get("error")
            if isinstance(ctx_msg, ContractError):
                problems.append(Problem(place, ctx_msg.message))
            else:
                problems.append(Problem(place, msg(text + shown, text + shown)))
    return problems


class ContractError(ValueError):
    """Raised inside validators with a two-language message (shown as is, not as pydantic's text)."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(message.en)
