"""Texts kept in several languages, as ``{"bg": ..., "ru": ..., "en": ...}``."""

from __future__ import annotations

from django.utils import translation


def in_language(texts: dict[str, str]) -> str:
    """The text for the current language, falling back to Bulgarian, then any."""
    language = (translation.get_language() or "bg")[:2]
    return texts.get(language) or texts.get("bg") or next(iter(texts.values()), "")
