from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from methodica.libraries.models import Library, Municipality
from methodica.training import audience
from methodica.training.models import Course, Programme, Session, Survey
from methodica.training.services import COURSE_FIELDS, PROGRAMME_FIELDS


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = COURSE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
        }


class ModuleForm(forms.Form):
    """One module row; an empty row is ignored."""

    title = forms.CharField(label=_("title"), max_length=300, required=False)
    hours = forms.DecimalField(
        label=_("academic hours"),
        max_digits=5,
        decimal_places=1,
        min_value=0.5,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("title") and data.get("hours") is None:
            self.add_error("hours", _("Give the module's academic hours."))
        return data


ModuleFormSet = forms.formset_factory(ModuleForm, extra=3, can_delete=True)


def module_initial(course: Course | None) -> list[dict[str, Any]]:
    if course is None:
        return []
    return [{"title": m.title, "hours": m.hours} for m in course.modules.all()]


def module_rows(formset: Any) -> list[dict[str, Any]]:
    """The modules a valid formset describes, in order, the deleted and empty left
    out."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("title"):
            continue
        rows.append({"title": data["title"], "hours": data["hours"]})
    return rows


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("online link"), required=False, max_length=200, assume_scheme="https"
    )
    hours = forms.DecimalField(
        label=_("academic hours"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=0.5,
        help_text=_(
            "Leave empty for the course's hours. An academic hour is 45 minutes."
        ),
    )

    class Meta:
        model = Session
        fields = [
            "starts_at",
            "ends_at",
            "all_day",
            "place",
            "online_url",
            "trainer",
            "capacity",
            "hours",
            "survey",
        ]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args: Any, district_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(district_id=district_id)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            # Said here, before the model's constraint would say it less clearly.
            self.add_error("ends_at", _("A session cannot end before it starts."))
        return data


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label=_("reason, told to those enrolled"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AudienceForm(forms.Form):
    municipalities = forms.ModelMultipleChoiceField(
        label=_("municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every municipality."),
    )
    library_types = forms.MultipleChoiceField(
        label=_("library types"),
        choices=Library.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    without_qualification = forms.BooleanField(
        label=_("only staff without a library qualification"), required=False
    )
    not_attended_course = forms.ModelChoiceField(
        label=_("only those who have not yet attended the course"),
        queryset=Course.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, district_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = Municipality.objects.filter(
            district_id=district_id
        ).only("id", "name")
        self.fields["not_attended_course"].queryset = Course.objects.filter(
            programme__district_id=district_id
        )

    def criteria(self) -> audience.Criteria:
        data = self.cleaned_data
        course = data.get("not_attended_course")
        return audience.Criteria(
            municipality_ids=tuple(m.pk for m in data.get("municipalities") or ()),
            library_types=tuple(data.get("library_types") or ()),
            without_qualification=bool(data.get("without_qualification")),
            not_attended_course_id=course.pk if course else None,
        )


class PeopleFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("municipality"), queryset=Municipality.objects.none(), required=False
    )
    library = forms.ModelChoiceField(
        label=_("library"), queryset=Library.objects.none(), required=False
    )
    qualification = forms.ChoiceField(
        label=_("library qualification"),
        required=False,
        choices=[("", _("all")), ("yes", _("with")), ("no", _("without"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.visible_to(
            user
        ).only("id", "name")
        self.fields["library"].queryset = Library.objects.visible_to(user).only(
            "id", "name"
        )
