from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import scope_q
from methodica.libraries.models import Library
from methodica.support.models import (
    ChecklistItem,
    Consultation,
    Finding,
    Recommendation,
    Topic,
)
from methodica.support.services import MAX_MINUTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOGGED_CHANNELS = [c for c in Consultation.Channel.choices if c[0] != "system"]


def libraries_for(user: Any, perm: str) -> Any:
    """The libraries on which ``user`` holds ``perm``, with their municipality."""
    return (
        Library.objects.filter(scope_q(user, perm))
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by("municipality__name", "name", "id")
    )


class LibraryChoiceField(forms.ModelChoiceField):
    """A select of libraries grouped by municipality (type to search in it)."""

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, **kwargs)
        libraries = list(queryset)
        choices: list[Any] = [("", "—")]
        for municipality, group in groupby(libraries, key=lambda lib: lib.municipality):
            choices.append((municipality.name, [(lib.pk, lib.name) for lib in group]))
        self.widget.choices = choices


def _topics(district: Any) -> Any:
    return Topic.objects.filter(district=district, active=True)


class ConsultationForm(forms.Form):
    given_on = forms.DateField(label=_("date"), widget=DATE)
    library = forms.Field(required=False)  # replaced in __init__
    person = forms.CharField(
        label=_("or a person"),
        max_length=200,
        required=False,
        help_text=_("Who asked, when it was not on behalf of a library."),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=LOGGED_CHANNELS)
    topic = forms.ModelChoiceField(
        label=_("topic"), queryset=Topic.objects.none(), required=False
    )
    question = forms.CharField(
        label=_("question"), widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.IntegerField(
        label=_("time spent (minutes)"),
        min_value=0,
        max_value=MAX_MINUTES,
        initial=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    read_level = forms.TypedChoiceField(
        label=_("effort (READ scale)"),
        choices=[("", "—"), *Consultation.READ_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("When unsure, choose the higher level."),
    )
    follow_up = forms.BooleanField(label=_("follow-up needed"), required=False)

    def __init__(self, *args: Any, user: Any, district: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"] = LibraryChoiceField(
            libraries_for(user, "support.consultation:log"),
            label=_("library"),
            required=False,
        )
        self.fields["topic"].queryset = _topics(district)
        self.order_fields(["given_on", "library", "person", "channel", "topic"])

    @classmethod
    def initial_for(cls, consultation: Consultation) -> dict[str, Any]:
        return {
            name: getattr(consultation, name)
            for name in (
                "given_on",
                "library",
                "person",
                "channel",
                "topic",
                "question",
                "answer",
                "minutes",
                "read_level",
                "follow_up",
            )
        }


class AskForm(forms.Form):
    library = forms.Field(required=False)
    topic = forms.ModelChoiceField(
        label=_("topic (if you know it)"), queryset=Topic.objects.none(), required=False
    )
    question = forms.CharField(
        label=_("your question"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, user: Any, district: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        libraries = libraries_for(user, "support.request:ask")
        self.fields["library"] = forms.ModelChoiceField(
            queryset=libraries, label=_("library"), empty_label=None
        )
        self.fields["topic"].queryset = _topics(district)
        self.order_fields(["library", "topic", "question"])


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 5}))
    minutes = forms.IntegerField(
        label=_("time spent (minutes)"), min_value=0, max_value=MAX_MINUTES, initial=0
    )
    read_level = forms.TypedChoiceField(
        label=_("effort (READ scale)"),
        choices=[("", "—"), *Consultation.READ_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 4}))


class TaxonomyEntryForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=50)
    name_bg = forms.CharField(label=_("name in Bulgarian"), max_length=200)
    name_ru = forms.CharField(
        label=_("name in Russian"), max_length=200, required=False
    )
    name_en = forms.CharField(
        label=_("name in English"), max_length=200, required=False
    )
    position = forms.IntegerField(label=_("position"), min_value=0, max_value=999)
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    @classmethod
    def initial_for(cls, entry: Topic | ChecklistItem) -> dict[str, Any]:
        return {
            "code": entry.code,
            "name_bg": entry.names.get("bg", ""),
            "name_ru": entry.names.get("ru", ""),
            "name_en": entry.names.get("en", ""),
            "position": entry.position,
            "active": entry.active,
        }

    def names(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"name_{lang}"] for lang in ("bg", "ru", "en")}


class VisitPlanForm(forms.Form):
    library = forms.Field()
    planned_for = forms.DateField(label=_("planned for"), widget=DATE)
    purpose = forms.CharField(label=_("purpose"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"] = LibraryChoiceField(
            libraries_for(user, "support.visit:manage"), label=_("library")
        )
        self.order_fields(["library", "planned_for", "purpose"])


class VisitRecordForm(forms.Form):
    visited_on = forms.DateField(label=_("visited on"), widget=DATE)
    met_with = forms.CharField(label=_("met with"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class FindingForm(forms.Form):
    # Bounded to a primary key's range: a larger number is a database error.
    item = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647
    )
    rating = forms.ChoiceField(label=_("rating"), choices=Finding.Rating.choices)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("recommendation"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("due"), widget=DATE)


class BaseFindingFormSet(forms.BaseFormSet):
    """One finding per item of the checklist the form was given, each once."""

    def __init__(self, *args: Any, items: Any = (), **kwargs: Any) -> None:
        self.items = set(items)
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            item = form.cleaned_data.get("item")
            if item is None:
                continue
            if item not in self.items:
                raise forms.ValidationError(
                    _("Use the district's checklist."), code="unknown_item"
                )
            if item in seen:
                raise forms.ValidationError(
                    _("Each checklist item can be rated only once."),
                    code="duplicate_item",
                )
            seen.add(item)


FindingFormSet = forms.formset_factory(FindingForm, formset=BaseFindingFormSet, extra=0)
RecommendationFormSet = forms.formset_factory(RecommendationForm, extra=3)


class RecommendationUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Recommendation.Status.choices)
    progress_note = forms.CharField(
        label=_("follow-up note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)
