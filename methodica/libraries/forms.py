from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args: Any, can_change_identity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_identity:
            for name in IDENTITY_FIELDS:
                self.fields.pop(name, None)
        else:
            self.fields["settlement"].queryset = Settlement.objects.select_related(
                "municipality"
            )
            self.fields["parent"].queryset = Library.objects.filter(
                library_type__in=[
                    Library.Type.REGIONAL,
                    Library.Type.MUNICIPAL,
                    Library.Type.CHITALISHTE,
                ]
            ).only("id", "name")
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

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, can_change_identity=True, **kwargs)
        self.fields["municipality"].queryset = municipalities


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
