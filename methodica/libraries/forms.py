from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import scope_q
from methodica.libraries.models import (
    WEEKDAYS,
    Library,
    Municipality,
    Settlement,
    StaffMember,
    parse_hours,
)
from methodica.libraries.services import CONTACT_FIELDS, IDENTITY_FIELDS, STAFF_FIELDS

WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}


def validate_hours(value: str) -> None:
    """One weekday's opening hours, such as "09:00-12:00, 13:00-17:00"."""
    try:
        parse_hours(value)
    except ValueError as exc:
        raise forms.ValidationError(
            _('"%(value)s" is not a time range such as 09:00-12:30.'),
            params={"value": exc.args[0]},
        ) from None


class LibraryForm(forms.ModelForm):
    """Library details. Identity fields are left out for users who may not change them."""

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Library
        fields = [f for f in IDENTITY_FIELDS + CONTACT_FIELDS if f != "opening_hours"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, user: Any, can_change_identity: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_identity:
            for name in IDENTITY_FIELDS:
                self.fields.pop(name, None)
        else:
            self._limit_places(user)
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAY_LABELS[day],
                required=False,
                max_length=100,
                initial=(self.instance.opening_hours or {}).get(day, ""),
                validators=[validate_hours],
                widget=forms.TextInput(
                    attrs={"placeholder": "09:00-12:00, 13:00-17:00"}
                ),
            )

    def _limit_places(self, user: Any) -> None:
        """Offer only the places where the user may put a library, and parents
        they can see; the service checks again."""
        municipalities = Municipality.objects.filter(
            scope_q(
                user,
                "libraries.library:change_identity",
                district="district_id",
                municipality="id",
                library="libraries__id",
            )
        ).distinct()
        self.fields["municipality"].queryset = municipalities.order_by("name")
        self.fields["settlement"].queryset = (
            Settlement.objects.filter(municipality__in=municipalities)
            .select_related("municipality")
            .order_by("municipality__name", "name")
        )
        parents = Library.objects.visible_to(user).filter(
            library_type__in=[Library.Type.REGIONAL, Library.Type.MUNICIPAL]
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.only("id", "name")

    def service_data(self) -> dict[str, Any]:
        """The cleaned data in the shape the services take."""
        data = {
            k: v for k, v in self.cleaned_data.items() if not k.startswith("hours_")
        }
        data["opening_hours"] = {
            day: self.cleaned_data[f"hours_{day}"] for day in WEEKDAYS
        }
        return data

    def _post_clean(self) -> None:
        # The services validate the model (in a transaction, with the row
        # locked); skip ModelForm's own instance validation to do it once.
        pass


class NewLibraryForm(LibraryForm):
    class Meta(LibraryForm.Meta):
        fields = LibraryForm.Meta.fields

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, can_change_identity=True, **kwargs)
        self.fields["municipality"].queryset = (
            Municipality.objects.filter(
                scope_q(
                    user,
                    "libraries.library:create",
                    district="district_id",
                    municipality="id",
                    library="libraries__id",
                )
            )
            .distinct()
            .order_by("name")
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Library.Status.choices)
    effective_date = forms.DateField(
        label=_("Effective from"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class StaffForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = list(STAFF_FIELDS)
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def _post_clean(self) -> None:
        pass


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("An .xlsx or .csv file with one library per row and a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def municipality_choices() -> Any:
    return Municipality.objects.order_by("name")
