from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpenCampaignForm(forms.Form):
    year = forms.IntegerField(label=_("Year reported"), min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year - 1 if today.month < 7 else today.year


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def cells_from_post(data: Any, codes: list[str]) -> dict[str, tuple[str, str]]:
    """The report form's cells as the service takes them: {code: (text, mark)}."""
    return {
        code: (data.get(f"v_{code}", ""), data.get(f"m_{code}", ""))
        for code in codes
        if f"v_{code}" in data or f"m_{code}" in data
    }
