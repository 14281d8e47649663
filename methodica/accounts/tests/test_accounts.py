from __future__ import annotations

import re

import pytest
from django.core import mail

from methodica.accounts.models import FailedLogin, Invitation, User
from methodica.core.models import AuditEntry
from tests.factories import PASSWORD


def run_worker_once() -> None:
    """Run the real database worker until the queue is empty."""
    from django.core.management import call_command

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*"
    )


@pytest.mark.django_db
def test_signing_in_and_out(client, methodologist):
    response = client.post(
        "/accounts/login/", {"username": "methodologist", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/libraries/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/libraries/").status_code == 302


@pytest.mark.django_db
def test_failed_logins_are_throttled_even_with_the_right_password(
    client, methodologist, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post(
            "/accounts/login/", {"username": "methodologist", "password": "wrong"}
        )
        assert response.status_code == 200
    assert FailedLogin.objects.count() == 3
    response = client.post(
        "/accounts/login/", {"username": "methodologist", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_password_reset_email_is_sent(client, methodologist):
    response = client.post("/accounts/password-reset/", {"email": methodologist.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body
    ).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    methodologist.refresh_from_db()
    assert methodologist.check_password("a-new-long-passphrase-42")
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert entry.actor == methodologist and entry.changes == {}  # never the password


@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections
def test_an_administrator_invites_a_reporter_who_then_signs_up(
    client_for, district_admin, library, client
):
    admin_client = client_for(district_admin)
    response = admin_client.post(
        "/accounts/invitations/",
        {
            "email": "new.reporter@example.org",
            "role": "reporter",
            "library": library.pk,
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 0  # the worker sends it
    run_worker_once()
    assert len(mail.outbox) == 1 and "new.reporter@example.org" in mail.outbox[0].to
    token = Invitation.objects.get().token
    assert token in mail.outbox[0].body
    admin_client.logout()
    response = client.post(
        f"/accounts/invitations/{token}/",
        {
            "username": "novareporter",
            "first_name": "Нова",
            "last_name": "Читалищна",
            "password1": "a-long-passphrase-77",
            "password2": "a-long-passphrase-77",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="novareporter")
    assert user.memberships.get().library == library
    assert client.get(f"/libraries/{library.pk}/").status_code == 200
    assert client.get(f"/accounts/invitations/{token}/").status_code == 410
    assert AuditEntry.objects.filter(action="invitation.accepted").exists()


@pytest.mark.django_db
def test_a_methodologist_cannot_invite(client_for, methodologist):
    assert client_for(methodologist).get("/accounts/invitations/").status_code == 403


@pytest.mark.django_db
def test_a_reporter_must_be_invited_for_a_library(client_for, district_admin):
    response = client_for(district_admin).post(
        "/accounts/invitations/", {"email": "x@example.org", "role": "reporter"}
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_language_switch_changes_the_interface(client_for, methodologist):
    client = client_for(methodologist)
    client.post("/i18n/setlang/", {"language": "en", "next": "/libraries/"})
    assert b'lang="en"' in client.get("/libraries/").content
    client.post("/i18n/setlang/", {"language": "ru", "next": "/libraries/"})
    assert b'lang="ru"' in client.get("/libraries/").content


@pytest.mark.django_db
def test_bulgarian_is_the_default_language(client):
    assert b'lang="bg"' in client.get("/accounts/login/").content


def test_behind_a_proxy_the_throttle_sees_the_client_not_the_proxy(rf, settings):
    from methodica.accounts.throttle import client_ip

    request = rf.get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1"
    )
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"  # the header is the client's own claim
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # what our one proxy saw


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_that_fails_is_tried_again_later(
    client_for, district_admin, library, monkeypatch
):
    import smtplib

    from django_tasks_db.models import DBTaskResult

    def mail_server_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection refused")

    monkeypatch.setattr("methodica.accounts.tasks.send_mail", mail_server_down)
    client_for(district_admin).post(
        "/accounts/invitations/",
        {"email": "later@example.org", "role": "reporter", "library": library.pk},
    )
    run_worker_once()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after is not None and retry.run_after > retry.enqueued_at


@pytest.mark.django_db
def test_a_password_set_in_the_admin_is_audited(client, methodologist):
    from tests.factories import UserFactory

    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(
        f"/admin/accounts/user/{methodologist.pk}/password/",
        {
            "password1": "another-long-passphrase-9",
            "password2": "another-long-passphrase-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="user.password_set").actor == operator


@pytest.mark.django_db
def test_an_english_browser_still_gets_bulgarian_until_the_user_switches(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'lang="bg"' in page.content
    client.post("/i18n/setlang/", {"language": "ru", "next": "/accounts/login/"})
    assert b'lang="ru"' in client.get("/accounts/login/").content
