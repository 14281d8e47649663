"""IIIF Image API 3: info.json, image requests, errors, access and caching."""

import io

import pytest
from PIL import Image

from methodica.heritage.tests.iiif_helpers import (
    add_pages,
    page_storage_fixture,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("page_storage")


@pytest.fixture
def page(public_item, page_storage):
    return add_pages(public_item, page_storage, size=(1200, 1600))[0]


def _image(response):
    return Image.open(io.BytesIO(response.content))


def test_info_json_describes_the_image_service(client, page):
    response = client.get(f"/iiif/image/{page.pk}/info.json")
    info = response.json()
    assert response.status_code == 200
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == f"http://testserver/iiif/image/{page.pk}"
    assert info["type"] == "ImageService3"
    assert info["protocol"] == "http://iiif.io/api/image"
    assert info["profile"] == "level1"
    assert (info["width"], info["height"]) == (1200, 1600)
    assert info["tiles"] == [{"width": 512, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"][-1] == {"width": 600, "height": 800}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]


def test_the_base_uri_redirects_to_info_json(client, page):
    response = client.get(f"/iiif/image/{page.pk}")
    assert response.status_code == 303
    assert response["Location"].endswith(f"/iiif/image/{page.pk}/info.json")


@pytest.mark.parametrize(
    ("path", "size", "fmt"),
    [
        ("full/max/0/default.jpg", (1200, 1600), "JPEG"),
        ("0,0,512,512/256,/0/default.jpg", (256, 256), "JPEG"),
        ("1024,1024,512,512/max/0/default.png", (176, 512), "PNG"),
        ("full/300,/90/gray.jpg", (400, 300), "JPEG"),
        ("square/!100,100/180/color.png", (100, 100), "PNG"),
        ("pct:50,50,50,50/pct:50/0/default.jpg", (300, 400), "JPEG"),
        ("full/,400/!0/default.jpg", (300, 400), "JPEG"),
        ("full/150,100/270/default.jpg", (100, 150), "JPEG"),
        ("0,0,100,100/^200,/0/default.jpg", (200, 200), "JPEG"),
    ],
)
def test_an_image_request_returns_the_size_and_format_asked_for(
    client, page, path, size, fmt
):
    response = client.get(f"/iiif/image/{page.pk}/{path}")
    assert response.status_code == 200, response.content
    image = _image(response)
    assert image.size == size and image.format == fmt
    assert response["Content-Type"] == f"image/{fmt.lower()}"


def test_gray_quality_gives_a_grayscale_image(client, page):
    response = client.get(f"/iiif/image/{page.pk}/full/100,/0/gray.png")
    assert _image(response).mode == "L"


def test_the_region_is_cut_from_the_right_place(client, page):
    # The page's top-left quarter is red, the rest white.
    red = _image(client.get(f"/iiif/image/{page.pk}/0,0,100,100/max/0/default.png"))
    white = _image(
        client.get(f"/iiif/image/{page.pk}/1000,1400,100,100/max/0/default.png")
    )
    assert red.getpixel((50, 50))[0] > 200 > red.getpixel((50, 50))[1]
    assert white.getpixel((50, 50)) == (255, 255, 255)


def test_mirroring_flips_the_image(client, page):
    image = _image(client.get(f"/iiif/image/{page.pk}/full/120,/!0/default.png"))
    assert image.getpixel((110, 10))[1] < 100  # red moved to the right
    assert image.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    "path",
    [
        "bogus/max/0/default.jpg",
        "full/wide,/0/default.jpg",
        "full/2400,/0/default.jpg",  # upscaling without ^
        "full/max/45x/default.jpg",
        "full/max/0/sepia.jpg",
        "0,0,0,10/max/0/default.jpg",
        "5000,5000,10,10/max/0/default.jpg",
        "full/0,/0/default.jpg",
        "full/^99999,/0/default.jpg",  # over the size limit
        "full/pct:nan/0/default.jpg",  # not a finite number
        "full/^pct:inf/0/default.jpg",
        "pct:0,0,nan,10/max/0/default.jpg",
        "0,0," + "1" * 400 + ",10/max/0/default.jpg",  # overflows a float
        "full/" + "9" * 5000 + ",/0/default.jpg",  # too many digits for int()
    ],
)
def test_bad_syntax_is_a_400(client, page, path):
    assert client.get(f"/iiif/image/{page.pk}/{path}").status_code == 400


@pytest.mark.parametrize(
    "path",
    ["full/max/45/default.jpg", "full/max/0/bitonal.jpg", "full/max/0/default.webp"],
)
def test_valid_but_unsupported_features_are_a_501(client, page, path):
    assert client.get(f"/iiif/image/{page.pk}/{path}").status_code == 501


def test_an_unknown_page_is_a_404(client, page):
    assert client.get(f"/iiif/image/{page.pk + 999}/info.json").status_code == 404


def test_a_restricted_page_is_a_404_for_anonymous_and_served_to_staff(
    client,
    client_for,
    staff_item,
    page_storage,
    methodologist,
):
    page = add_pages(staff_item, page_storage)[0]
    for path in ("info.json", "full/100,/0/default.jpg"):
        assert client.get(f"/iiif/image/{page.pk}/{path}").status_code == 404
    response = client_for(methodologist).get(f"/iiif/image/{page.pk}/info.json")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert response["Cache-Control"].startswith("private")


def test_a_restricted_page_answers_exactly_as_a_missing_one(
    client,
    staff_item,
    page_storage,
):
    page = add_pages(staff_item, page_storage)[0]
    restricted = client.get(f"/iiif/image/{page.pk}/info.json")
    missing = client.get(f"/iiif/image/{page.pk + 999}/info.json")
    assert restricted.status_code == missing.status_code == 404
    assert restricted["Content-Type"] == missing["Content-Type"]
    assert staff_item.title not in restricted.text
    assert "Access-Control-Allow-Origin" not in restricted


def test_reading_room_pages_are_served_inside_the_reading_room_only(
    client,
    settings,
    reading_room_item,
    page_storage,
):
    settings.METHODICA_READING_ROOM_NETWORKS = ["192.0.2.0/24"]
    page = add_pages(reading_room_item, page_storage)[0]
    url = f"/iiif/image/{page.pk}/full/100,/0/default.jpg"
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 404
    inside = client.get(url, REMOTE_ADDR="192.0.2.15")
    assert inside.status_code == 200
    assert "Access-Control-Allow-Origin" not in inside


def test_embargoed_pages_are_hidden(client, embargoed_item, page_storage):
    page = add_pages(embargoed_item, page_storage)[0]
    assert client.get(f"/iiif/image/{page.pk}/info.json").status_code == 404


def test_a_tile_is_cached_on_disk_and_served_again(client, page, page_storage):
    url = f"/iiif/image/{page.pk}/0,0,512,512/256,/0/default.jpg"
    first = client.get(url).content
    cached = page_storage.listdir(f"derivatives/iiif/{page.pk}")[1]
    assert len(cached) == 1
    page.image.storage.delete(page.image.name)  # the source is gone: the cache answers
    assert client.get(url).content == first


def test_a_large_odd_size_is_rendered_but_not_kept(client, page, page_storage):
    response = client.get(f"/iiif/image/{page.pk}/full/1111,/0/default.jpg")
    assert response.status_code == 200
    assert not page_storage.exists(f"derivatives/iiif/{page.pk}")
