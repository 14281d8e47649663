"""Filtering, searching and sorting the register: one implementation for UI and API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q

from methodica.libraries.models import Library, LibraryQuerySet

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "municipality": ("municipality__name", "name", "id"),
    "-municipality": ("-municipality__name", "-name", "-id"),
    "settlement": ("settlement__name", "name", "id"),
    "-settlement": ("-settlement__name", "-name", "-id"),
    "type": ("library_type", "name", "id"),
    "-type": ("-library_type", "-name", "-id"),
    "status": ("status", "name", "id"),
    "-status": ("-status", "-name", "-id"),
    "founded": ("founded_year", "name", "id"),
    "-founded": ("-founded_year", "-name", "-id"),
}


def parse_id(text: str) -> int | None:
    """A positive integer from a query parameter, or None. ``str.isdigit`` also
    accepts "²", which ``int`` then refuses, so ASCII digits only."""
    if text and len(text) <= 18 and text.isascii() and text.isdecimal():
        return int(text)
    return None


@dataclass(frozen=True)
class RegisterFilter:
    """What a user asked of the register list, parsed and made safe."""

    q: str = ""
    municipality: int | None = None
    library_type: str = ""
    status: str = ""
    sort: str = "name"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RegisterFilter:
        municipality = params.get("municipality", "")
        library_type = params.get("type", "")
        status = params.get("status", "")
        sort = params.get("sort", "name")
        return cls(
            q=" ".join(params.get("q", "").split())[:100],
            municipality=parse_id(municipality),
            library_type=library_type if library_type in Library.Type.values else "",
            status=status if status in Library.Status.values else "",
            sort=sort if sort in SORTS else "name",
        )

    def apply(self, queryset: LibraryQuerySet) -> LibraryQuerySet:
        if self.municipality:
            queryset = queryset.filter(municipality_id=self.municipality)
        if self.library_type:
            queryset = queryset.filter(library_type=self.library_type)
        if self.status:
            queryset = queryset.filter(status=self.status)
        for word in self.q.split()[:5]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(settlement__name__icontains=word)
                | Q(chitalishte_number__iexact=word)
                | Q(register_number__iexact=word)
            )
        return queryset.order_by(*SORTS[self.sort])

    def is_active(self) -> bool:
        return bool(self.q or self.municipality or self.library_type or self.status)
