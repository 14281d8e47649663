"""Text that can go into XML: the control characters XML 1.0 forbids.

Dublin Core, MARCXML and the OAI-PMH set names are XML; lxml refuses a string
with a C0 control character (other than tab, newline and carriage return) or
U+FFFE/U+FFFF. Such characters are refused on input (:func:`no_control_characters`),
and :func:`xml_safe` drops any that are already stored, so that one bad row
never breaks a harvest or an export.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MESSAGE = _(
    "Remove the invisible control characters (such as a vertical tab) from the text."
)


def has_control_characters(value: object) -> bool:
    return isinstance(value, str) and CONTROL_CHARACTERS.search(value) is not None


def no_control_characters(value: object) -> None:
    """A field validator: refuse text XML cannot hold."""
    if has_control_characters(value):
        raise ValidationError(MESSAGE, code="control_characters")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML cannot hold."""
    return CONTROL_CHARACTERS.sub("", value)
