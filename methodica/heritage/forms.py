from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from methodica.heritage.models import LANGUAGES, Authority, Collection, Item, Subject
from methodica.libraries.models import Library, Settlement

ITEM_FORM_FIELDS = [
    "kind",
    "newspaper",
    "title",
    "alternative",
    "description",
    "publisher",
    "date",
    "places",
    "subjects",
    "collections",
    "rights",
    "holding_library",
    "access",
    "embargo_until",
    "published",
]


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["title", "description", "parent", "set_spec", "public"]

    def __init__(self, *args: Any, district: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Collection.objects.filter(district=district)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class ItemForm(forms.ModelForm):
    identifier = forms.SlugField(
        label=_("identifier"),
        max_length=100,
        help_text=_("The item's stable local id; it never changes."),
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=LANGUAGES, required=False
    )
    creators = forms.ModelMultipleChoiceField(
        label=_("creators"), queryset=Authority.objects.all(), required=False
    )

    # The only credits this form edits; the others (contributors, subjects...) stay.
    CREDIT_ROLES = frozenset({"creator"})

    class Meta:
        model = Item
        fields = ITEM_FORM_FIELDS
        widgets = {"embargo_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, district: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The date is checked by the service (EDTF) so that its message is one.
        self.fields["collections"].queryset = Collection.objects.filter(
            district=district
        )
        self.fields["places"].queryset = Settlement.objects.filter(
            municipality__district=district
        )
        self.fields["subjects"].queryset = Subject.objects.all()
        self.fields["holding_library"].queryset = Library.objects.filter(
            municipality__district=district
        ).only("id", "name")
        if self.instance.pk:
            del self.fields["identifier"]
            self.initial["languages"] = self.instance.languages
            self.initial["creators"] = [
                c.authority_id
                for c in self.instance.credits.all()
                if c.role == c.Role.CREATOR
            ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in [*ITEM_FORM_FIELDS, "languages"]}

    def credits(self) -> list[tuple[Any, str]]:
        return [(a, "creator") for a in self.cleaned_data["creators"]]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Master file"),
        help_text=_("A TIFF, JPEG, PNG or PDF file, one at a time."),
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
