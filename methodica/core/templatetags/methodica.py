from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html

from methodica.core.permissions import has_perm as _has_perm

register = template.Library()


@register.simple_tag
def widget(bound_field: forms.BoundField) -> str:
    """A form widget with Bootstrap classes and ARIA links to its help and errors."""
    widget_obj = bound_field.field.widget
    if isinstance(widget_obj, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget_obj, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
    attrs: dict[str, Any] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def can(context: dict, perm: str, obj: Any = None) -> bool:
    """``{% can "libraries.library:change" library as allowed %}`` in templates."""
    return _has_perm(context["request"].user, perm, obj)


@register.simple_tag(takes_context=True)
def sort_link(context: dict, key: str, label: str) -> str:
    """A column header that sorts by ``key``, toggling direction, with aria-sort."""
    request = context["request"]
    current = request.GET.get("sort", "name")
    params = request.GET.copy()
    params.pop("page", None)
    descending = current == key
    params["sort"] = f"-{key}" if descending else key
    arrow = ""
    if current.lstrip("-") == key:
        arrow = " ↓" if current.startswith("-") else " ↑"
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def aria_sort(context: dict, key: str) -> str:
    current = context["request"].GET.get("sort", "name")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"


@register.simple_tag(takes_context=True)
def page_url(context: dict, number: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def audit_value(value: Any) -> Any:
    """A recorded value as a reader sees it: related objects by their name."""
    if isinstance(value, dict) and "repr" in value:
        return value["repr"]
    if value is None or value == "":
        return "—"
    return value
