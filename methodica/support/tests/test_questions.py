"""Questions from libraries: asking, the queue, taking, answering, replying, emails."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext

from methodica.accounts.models import Membership
from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.core.permissions import Role
from methodica.support import services
from methodica.support.models import Consultation, Message
from tests.factories import UserFactory, member
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def library_with_email(library):
    library.email = "svetlina@example.bg"
    library.save(update_fields=["email"])
    return library


def test_a_reporter_asks_and_methodologists_are_told(
    client_for,
    reporter,
    methodologist,
    library,
    topics,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    methodologist.email = "m@example.bg"
    methodologist.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reporter).post(
            "/help/ask/",
            {
                "library": library.pk,
                "topic": topics["legal"].pk,
                "question": "Може ли читалището да таксува?",
            },
        )
    assert response.status_code == 302
    question = Consultation.objects.get()
    assert question.origin == "request"
    assert question.status == "open"
    assert question.channel == "system"
    assert question.asked_by == reporter
    assert question.messages.get().body == "Може ли читалището да таксува?"
    assert AuditEntry.objects.filter(action="question.asked").exists()
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["m@example.bg"]]
    assert f"/help/questions/{question.pk}/" in mail.outbox[0].body


def test_an_empty_question_is_refused_and_nothing_is_saved(
    client_for, reporter, library, topics
):
    response = client_for(reporter).post(
        "/help/ask/", {"library": library.pk, "question": "   "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["question"]
    assert not Consultation.objects.exists()
    with pytest.raises(DomainError):
        services.ask_question(actor=reporter, library=library, question=" ")
    assert not Message.objects.exists()


def test_a_reporter_cannot_ask_for_another_library(reporter, other_library):
    with pytest.raises(DomainError):
        services.ask_question(actor=reporter, library=other_library, question="?")
    assert not Consultation.objects.exists()


def test_the_queue_shows_open_questions_oldest_first(
    client_for, methodologist, reporter, library, question
):
    newer = services.ask_question(actor=reporter, library=library, question="Второ")
    page = client_for(methodologist).get("/help/questions/").context["page"]
    assert list(page) == [question, newer]


def test_the_queue_runs_a_fixed_number_of_queries(
    client_for, methodologist, reporter, library, question
):
    client = client_for(methodologist)
    client.get("/help/questions/")
    with count_queries() as few:
        client.get("/help/questions/")
    for n in range(4):
        services.ask_question(actor=reporter, library=library, question=f"Въпрос {n}")
    with count_queries() as more:
        client.get("/help/questions/")
    assert len(more) == len(few)


def test_a_methodologist_takes_and_answers_and_the_library_is_emailed(
    client_for,
    methodologist,
    reporter,
    library_with_email,
    question,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    reporter.email = "reporter@example.bg"
    reporter.save(update_fields=["email"])
    run_tasks()  # the new-question notice
    mail.outbox.clear()
    client = client_for(methodologist)
    client.post(f"/help/questions/{question.pk}/take/")
    question.refresh_from_db()
    assert question.owner == methodologist
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/help/questions/{question.pk}/",
            {
                "answer-body": "Да, по решение на настоятелството.",
                "answer-minutes": "20",
                "answer-read_level": "3",
            },
        )
    question.refresh_from_db()
    assert question.status == "answered"
    assert question.answered_at is not None
    assert question.minutes == 20
    assert question.answer == "Да, по решение на настоятелството."
    assert question.messages.last().from_methodologist
    run_tasks()
    assert mail.outbox[0].to == ["reporter@example.bg", "svetlina@example.bg"]
    assert "настоятелството" in mail.outbox[0].body


def test_a_reply_after_an_answer_reopens_the_thread(
    client_for, methodologist, reporter, question
):
    services.answer_question(actor=methodologist, consultation=question, body="Да.")
    response = client_for(reporter).post(
        f"/help/questions/{question.pk}/", {"reply-body": "А ако е безплатно?"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == "open"
    assert question.messages.count() == 3


def test_a_reporter_cannot_answer(client_for, reporter, question):
    client = client_for(reporter)
    assert client.get("/help/questions/").status_code == 403
    assert client.post(f"/help/questions/{question.pk}/take/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.answer_question(actor=reporter, consultation=question, body="Аз.")
    question.refresh_from_db()
    assert question.status == "open"


def test_a_reporter_sees_their_librarys_threads_only(
    client_for, reporter, other_reporter, library, other_library, question
):
    other = services.ask_question(
        actor=other_reporter, library=other_library, question="Чужд въпрос"
    )
    client = client_for(reporter)
    assert list(client.get("/help/my-questions/").context["page"]) == [question]
    assert client.get(f"/help/questions/{other.pk}/").status_code == 404


def test_a_colleague_of_the_same_library_sees_the_thread(client_for, library, question):
    from methodica.core.permissions import Role
    from tests.factories import member

    colleague = member(UserFactory(username="colleague"), Role.REPORTER, library)
    assert (
        client_for(colleague).get(f"/help/questions/{question.pk}/").status_code == 200
    )


def test_an_empty_answer_is_refused(methodologist, question):
    with pytest.raises(DomainError):
        services.answer_question(actor=methodologist, consultation=question, body=" ")
    question.refresh_from_db()
    assert question.status == "open"
    assert question.messages.count() == 1


def _wait(consultation, since):
    """Backdate a question's wait (auto_now fields cannot be set by a service)."""
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=since, waiting_since=since
    )


def test_a_reply_after_an_answer_restarts_the_wait_and_the_queue_order(
    client_for, methodologist, reporter, library, question
):
    long_ago = timezone.now() - datetime.timedelta(days=10)
    _wait(question, long_ago)
    newer = services.ask_question(actor=reporter, library=library, question="Второ")
    _wait(newer, timezone.now() - datetime.timedelta(days=2))
    services.answer_question(actor=methodologist, consultation=question, body="Да.")
    services.reply_to_question(actor=reporter, consultation=question, body="А още?")
    question.refresh_from_db()
    assert question.created_at == long_ago
    assert question.waiting_since > timezone.now() - datetime.timedelta(hours=1)
    assert question.age < datetime.timedelta(hours=1)
    client = client_for(methodologist)
    assert list(client.get("/help/questions/").context["page"]) == [newer, question]
    oldest = client.get("/help/").context["oldest"]
    assert oldest == Consultation.objects.get(pk=newer.pk).waiting_since


def test_a_reply_after_an_answer_notifies_the_owner_and_is_audited(
    methodologist, reporter, question, run_tasks, django_capture_on_commit_callbacks
):
    methodologist.email = "m@example.bg"
    methodologist.save(update_fields=["email"])
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(actor=methodologist, consultation=question, body="Да.")
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_question(actor=reporter, consultation=question, body="А още?")
    entry = AuditEntry.objects.get(action="question.replied")
    assert entry.changes["status"] == {"before": "answered", "after": "open"}
    assert entry.changes["message"]["after"] == "А още?"
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["m@example.bg"]]
    assert "А още?" in mail.outbox[0].body
    with translation.override("bg"):
        subject = gettext("A reply from %(library)s") % {"library": question.library}
    assert mail.outbox[0].subject == subject


def test_a_municipal_methodologist_is_not_emailed_about_another_municipality(
    municipal_methodologist,
    methodologist,
    other_reporter,
    other_library,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    municipal_methodologist.email = "kazanlak@example.bg"
    municipal_methodologist.save(update_fields=["email"])
    methodologist.email = "m@example.bg"
    methodologist.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(actor=other_reporter, library=other_library, question="?")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["m@example.bg"]]


def test_an_owner_who_lost_access_is_not_emailed_and_the_others_are(
    methodologist,
    reporter,
    library,
    question,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    owner = member(
        UserFactory(username="left", email="left@example.bg"),
        Role.METHODOLOGIST,
        library.municipality.district,
    )
    services.take_question(actor=owner, consultation=question)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    methodologist.email = "m@example.bg"
    methodologist.save(update_fields=["email"])
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_question(actor=reporter, consultation=question, body="Ало?")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["m@example.bg"]]


def test_an_asker_who_lost_access_gets_no_answer_by_email(
    methodologist,
    reporter,
    library_with_email,
    question,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    reporter.email = "reporter@example.bg"
    reporter.save(update_fields=["email"])
    Membership.objects.filter(user=reporter).delete()
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(actor=methodologist, consultation=question, body="Да.")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["svetlina@example.bg"]]
