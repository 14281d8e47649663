import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from methodica.heritage import services
from methodica.heritage.access import can_view
from methodica.heritage.models import Item

ROOM = "192.0.2.0/24"
INSIDE, OUTSIDE = "192.0.2.15", "198.51.100.7"


@pytest.fixture(autouse=True)
def reading_room(settings):
    settings.METHODICA_READING_ROOM_NETWORKS = [ROOM]


@pytest.fixture
def items(public_item, reading_room_item, staff_item, embargoed_item, unpublished_item):
    return {
        "public": public_item,
        "reading_room": reading_room_item,
        "staff": staff_item,
        "embargoed": embargoed_item,
        "unpublished": unpublished_item,
    }


def _seen(user, ip, items):
    by_rule = {name for name, item in items.items() if can_view(user, item, ip)}
    by_filter = set(
        Item.objects.viewable(user, ip).values_list("identifier", flat=True)
    )
    # The function and the queryset are one rule.
    assert by_filter == {items[name].identifier for name in by_rule}
    return by_rule


def test_the_public_sees_only_public_published_unembargoed_items(items):
    assert _seen(AnonymousUser(), OUTSIDE, items) == {"public"}


def test_the_reading_room_network_also_sees_reading_room_items(items):
    assert _seen(AnonymousUser(), INSIDE, items) == {"public", "reading_room"}


def test_an_outsider_and_a_reporter_never_see_restricted_items(
    items, outsider, reporter
):
    assert _seen(outsider, OUTSIDE, items) == {"public"}
    assert _seen(reporter, OUTSIDE, items) == {"public"}
    assert "staff" not in _seen(reporter, INSIDE, items)


@pytest.mark.parametrize("actor", ["cataloguer", "methodologist", "district_admin"])
def test_staff_of_the_district_see_everything(items, actor, request):
    user = request.getfixturevalue(actor)
    assert _seen(user, OUTSIDE, items) == set(items)


def test_a_superuser_sees_everything_in_lists_too(items):
    from tests.factories import UserFactory

    operator = UserFactory(is_superuser=True)
    assert _seen(operator, OUTSIDE, items) == set(items)


def test_a_municipal_methodologist_is_not_district_staff(
    items, municipal_methodologist
):
    assert _seen(municipal_methodologist, OUTSIDE, items) == {"public"}


def test_an_embargo_ends_on_its_date(items, cataloguer):
    item = items["embargoed"]
    services.update_item(
        actor=cataloguer, item=item, values={"embargo_until": timezone.localdate()}
    )
    item.refresh_from_db()
    assert can_view(AnonymousUser(), item, OUTSIDE)


def test_a_deleted_item_is_seen_by_nobody(items, cataloguer):
    item = services.delete_item(actor=cataloguer, item=items["public"], reason="грешка")
    assert not can_view(cataloguer, item, INSIDE)
    assert not Item.objects.viewable(cataloguer, INSIDE).filter(pk=item.pk).exists()


def test_a_malformed_address_is_not_in_the_reading_room(items):
    assert _seen(AnonymousUser(), "not-an-ip", items) == {"public"}
    assert _seen(AnonymousUser(), None, items) == {"public"}


def test_the_embargo_date_is_tomorrow_exclusive(cataloguer, district):
    from methodica.heritage.tests.conftest import make_item

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    item = make_item(cataloguer, district, "e2", embargo_until=tomorrow)
    assert not can_view(AnonymousUser(), item, OUTSIDE)


def test_an_ipv4_mapped_address_is_in_the_reading_room():
    from methodica.heritage.access import in_reading_room

    assert in_reading_room("::ffff:192.0.2.15")
    assert not in_reading_room("::ffff:198.51.100.7")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "status"),
    [
        (0, INSIDE, OUTSIDE, 404),  # a forged header is ignored without proxies
        (0, "", INSIDE, 200),
        (1, f"{INSIDE}, {OUTSIDE}", "10.0.0.1", 404),  # the rightmost counts
        (1, f"{OUTSIDE}, {INSIDE}", "10.0.0.1", 200),
    ],
)
def test_the_reading_room_cannot_be_spoofed_at_the_page(
    client_for,
    outsider,
    reading_room_item,
    settings,
    proxies,
    forwarded,
    remote,
    status,
):
    settings.NUM_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client_for(outsider).get(
        f"/heritage/items/{reading_room_item.pk}/", **extra
    )
    assert response.status_code == status
