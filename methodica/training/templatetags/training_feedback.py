"""What the feedback panel of a session may tell: the live response count of an
anonymous survey only once it has closed (see ``surveys.results_ready``)."""

from __future__ import annotations

from typing import Any

from django import template

from methodica.training import surveys

register = template.Library()


@register.simple_tag
def feedback_state(session: Any) -> dict[str, Any]:
    survey = surveys.survey_for(session)
    anonymous = (
        bool(survey and survey.anonymous)
        or session.responses.filter(survey__anonymous=True).exists()
    )
    shown = not anonymous or surveys.results_ready(session)
    return {
        "responses": session.responses.count() if shown else None,
        "closes_at": surveys.closes_at(session),
        "closed": surveys.is_closed(session),
    }
