"""OAI-PMH 2.0 for the local-history collection: all six verbs, ``oai_dc`` and ``marc21`` (MARCXML).

What is exposed: only public records (published, access "public", embargo over).
An item that never was public does not appear at all, not even as a header. An
item that was public (``Item.oai_exposed``) and is deleted or restricted later
appears as a header with ``status="deleted"``, for ever (``deletedRecord`` is
``persistent``). Sets are the public collections whose ancestors are all public:
a series under a private collection is left out with it.

A record's datestamp is ``Item.harvest_stamp``: its last change, or the moment
its embargo ended if that is later, so that an item whose embargo ends is
harvested incrementally. The services take it again right after the commit, so
that no harvest can run between the stamp and the moment the change is seen.
Lists are ordered by (harvest_stamp, id), an index.

Lists are paged 100 at a time by keyset on (datestamp, id). The resumption
token is stateless: the request's arguments, the cursor and the last key,
signed with Django's signing so that a tampered token is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from lxml import etree

from methodica.heritage import dublin_core, marcxml
from methodica.heritage.access import is_public, public_q
from methodica.heritage.models import Collection, Item, open_collection_specs
from methodica.heritage.xmltext import xml_safe

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PAGE_SIZE = 100
TOKEN_SALT = "methodica.heritage.oai"  # noqa: S105 - a signing salt, not a secret
FORMATS = {
    "oai_dc": (dublin_core.OAI_DC_SCHEMA, dublin_core.OAI_DC),
    "marc21": (marcxml.MARC_SCHEMA, marcxml.MARC),
}
BUILDERS = {"oai_dc": dublin_core.oai_dc, "marc21": marcxml.record}
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": (
        {"metadataPrefix"},
        {"from", "until", "set", "resumptionToken"},
    ),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Window:
    """The ``from``/``until`` bounds of a list, as aware datetimes (half-open end)."""

    start: datetime.datetime | None
    end: datetime.datetime | None


def _namespace() -> str:
    return settings.METHODICA_OAI_NAMESPACE


def oai_identifier(item: Item) -> str:
    return f"oai:{_namespace()}:{item.identifier}"


def _local_identifier(identifier: str) -> str | None:
    prefix = f"oai:{_namespace()}:"
    return identifier[len(prefix) :] if identifier.startswith(prefix) else None


def _stamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_bound(text: str, *, until: bool) -> tuple[datetime.datetime, str]:
    """A from/until value and its granularity ("day" or "seconds")."""
    try:
        if len(text) == 10:
            day = datetime.datetime.strptime(text, "%Y-%m-%d").replace(
                tzinfo=datetime.UTC
            )
            return (day + datetime.timedelta(days=1) if until else day), "day"
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        raise OAIError(
            "badArgument",
            f"{'until' if until else 'from'} must be YYYY-MM-DD or "
            "YYYY-MM-DDThh:mm:ssZ",
        ) from None
    return (moment + datetime.timedelta(seconds=1) if until else moment), "seconds"


def _window(start: str | None, end: str | None) -> Window:
    low = high = None
    granularities = set()
    if start:
        low, granularity = _parse_bound(start, until=False)
        granularities.add(granularity)
    if end:
        high, granularity = _parse_bound(end, until=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity")
    if low and high and low >= high:
        raise OAIError("badArgument", "from is later than until")
    return Window(low, high)


def exposed_items() -> QuerySet[Item]:
    """Every record OAI-PMH shows (public now, or once), in datestamp order."""
    return Item.objects.filter(public_q() | Q(oai_exposed=True)).order_by(
        "harvest_stamp", "pk"
    )


def _filtered(args: dict[str, str], window: Window, specs: dict[int, str]) -> Any:
    items = exposed_items()
    if window.start:
        items = items.filter(harvest_stamp__gte=window.start)
    if window.end:
        # Datestamps are shown to the second: "until 12:00:00" includes 12:00:00.9.
        items = items.filter(harvest_stamp__lt=window.end)
    if args.get("set"):
        wanted = args["set"]
        ids = [
            pk
            for pk, spec in specs.items()
            if spec == wanted or spec.startswith(wanted + ":")
        ]
        through = Item.collections.through.objects.filter(
            item_id=OuterRef("pk"), collection_id__in=ids
        )
        items = items.filter(Exists(through))
    return items


class Request:
    """One OAI-PMH request: its arguments in, an lxml document out."""

    def __init__(self, params: dict[str, list[str]], base_url: str) -> None:
        self.params = params
        self.base_url = base_url
        self.root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
        self.root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
        etree.SubElement(self.root, f"{{{OAI}}}responseDate").text = _stamp(
            timezone.now()
        )
        self.request_element = etree.SubElement(self.root, f"{{{OAI}}}request")
        self.request_element.text = base_url

    def respond(self) -> bytes:
        try:
            verb, args = self._arguments()
            for name, value in args.items():
                self.request_element.set(name, value)
            self.request_element.set("verb", verb)
            getattr(self, f"_{verb}")(args)
        except OAIError as error:
            if error.code in ("badVerb", "badArgument"):
                # The request element carries no attributes for these two errors.
                self.request_element.attrib.clear()
            element = etree.SubElement(self.root, f"{{{OAI}}}error", code=error.code)
            element.text = error.message
        return etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", pretty_print=False
        )

    def _arguments(self) -> tuple[str, dict[str, str]]:
        verbs = self.params.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OAIError("badVerb", "Illegal or missing verb")
        verb = verbs[0]
        required, optional = VERBS[verb]
        args = {}
        for name, values in self.params.items():
            if name == "verb":
                continue
            if name not in required | optional:
                raise OAIError("badArgument", f"Illegal argument {name}")
            if len(values) != 1:
                raise OAIError("badArgument", f"Repeated argument {name}")
            if not values[0]:
                raise OAIError("badArgument", f"Empty argument {name}")
            args[name] = values[0]
        if "resumptionToken" in args:
            if len(args) > 1:
                raise OAIError(
                    "badArgument", "resumptionToken is an exclusive argument"
                )
            return verb, args
        missing = required - set(args)
        if missing:
            raise OAIError("badArgument", f"Missing argument {sorted(missing)[0]}")
        return verb, args

    def _sub(self, parent: Any, name: str, text: str | None = None, **attrs) -> Any:
        element = etree.SubElement(parent, f"{{{OAI}}}{name}", **attrs)
        if text is not None:
            element.text = text
        return element

    # --- verbs

    def _Identify(self, args: dict[str, str]) -> None:
        earliest = exposed_items().values_list("harvest_stamp", flat=True).first()
        identify = self._sub(self.root, "Identify")
        self._sub(identify, "repositoryName", settings.SITE_NAME)
        self._sub(identify, "baseURL", self.base_url)
        self._sub(identify, "protocolVersion", "2.0")
        self._sub(identify, "adminEmail", settings.METHODICA_OAI_ADMIN_EMAIL)
        self._sub(
            identify,
            "earliestDatestamp",
            _stamp(earliest) if earliest else "1970-01-01T00:00:00Z",
        )
        self._sub(identify, "deletedRecord", "persistent")
        self._sub(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")

    def _ListMetadataFormats(self, args: dict[str, str]) -> None:
        if "identifier" in args:
            self._item(args["identifier"])
        formats = self._sub(self.root, "ListMetadataFormats")
        for prefix, (schema, namespace) in FORMATS.items():
            element = self._sub(formats, "metadataFormat")
            self._sub(element, "metadataPrefix", prefix)
            self._sub(element, "schema", schema)
            self._sub(element, "metadataNamespace", namespace)

    def _ListSets(self, args: dict[str, str]) -> None:
        if "resumptionToken" in args:
            # Every set fits on one page, so no token of ours is ever valid here.
            raise OAIError("badResumptionToken", "ListSets is never paged")
        specs = open_collection_specs()
        if not specs:
            raise OAIError("noSetHierarchy", "This repository has no sets")
        collections = Collection.objects.filter(pk__in=specs).order_by("pk")
        sets = self._sub(self.root, "ListSets")
        for collection in collections:
            element = self._sub(sets, "set")
            self._sub(element, "setSpec", specs[collection.pk])
            self._sub(element, "setName", xml_safe(collection.title))
            if collection.description:
                description = self._sub(element, "setDescription")
                dc = etree.SubElement(
                    description,
                    f"{{{dublin_core.OAI_DC}}}dc",
                    nsmap={"oai_dc": dublin_core.OAI_DC, "dc": dublin_core.DC},
                )
                dc.set(
                    f"{{{XSI}}}schemaLocation",
                    f"{dublin_core.OAI_DC} {dublin_core.OAI_DC_SCHEMA}",
                )
                etree.SubElement(
                    dc, f"{{{dublin_core.DC}}}description"
                ).text = xml_safe(collection.description)

    def _GetRecord(self, args: dict[str, str]) -> None:
        self._check_prefix(args["metadataPrefix"])
        item = self._item(args["identifier"])
        record = self._sub(self._sub(self.root, "GetRecord"), "record")
        self._record(record, item, open_collection_specs(), args["metadataPrefix"])

    def _ListIdentifiers(self, args: dict[str, str]) -> None:
        self._list(args, verb="ListIdentifiers", with_metadata=False)

    def _ListRecords(self, args: dict[str, str]) -> None:
        self._list(args, verb="ListRecords", with_metadata=True)

    # --- helpers

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in FORMATS:
            raise OAIError(
                "cannotDisseminateFormat",
                f"{prefix} is not a format of this repository",
            )

    def _item(self, identifier: str) -> Item:
        local = _local_identifier(identifier)
        item = (
            self._with_metadata(exposed_items()).filter(identifier=local).first()
            if local
            else None
        )
        if item is None:
            raise OAIError("idDoesNotExist", f"{identifier} is not in this repository")
        return item

    def _with_metadata(self, items: Any) -> Any:
        return (
            items.select_related("newspaper")
            .prefetch_related("credits__authority", "subjects", "places", "collections")
            .annotate(mime_types=dublin_core.mime_types_subquery())
        )

    def _list(self, args: dict[str, str], *, verb: str, with_metadata: bool) -> None:
        if "resumptionToken" in args:
            state = _read_token(args["resumptionToken"], verb)
        else:
            self._check_prefix(args["metadataPrefix"])
            state = {
                "args": {k: v for k, v in args.items() if k != "metadataPrefix"},
                "prefix": args["metadataPrefix"],
                "cursor": 0,
                "after": None,
            }
        filters = state["args"]
        specs = open_collection_specs()
        if filters.get("set") and not specs:
            raise OAIError("noSetHierarchy", "This repository has no sets")
        items = _filtered(
            filters, _window(filters.get("from"), filters.get("until")), specs
        )
        total = state.get("total")
        if total is None:
            total = items.count()
        if state["after"]:
            stamp = datetime.datetime.fromisoformat(state["after"][0])
            items = items.filter(
                Q(harvest_stamp__gt=stamp)
                | Q(harvest_stamp=stamp, pk__gt=state["after"][1])
            )
        if with_metadata:
            items = self._with_metadata(items)
        else:
            items = items.prefetch_related("collections")
        page = list(items[: PAGE_SIZE + 1])
        if not page:
            raise OAIError("noRecordsMatch", "No records match the request")
        more = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        container = self._sub(self.root, verb)
        for item in page:
            if with_metadata:
                self._record(
                    self._sub(container, "record"), item, specs, state["prefix"]
                )
            else:
                self._header(container, item, specs)
        cursor = state["cursor"]
        if more or cursor:
            token = self._sub(
                container,
                "resumptionToken",
                completeListSize=str(total),
                cursor=str(cursor),
            )
            if more:
                last = page[-1]
                token.text = signing.dumps(
                    {
                        "verb": verb,
                        "prefix": state["prefix"],
                        "args": filters,
                        "cursor": cursor + len(page),
                        "after": [last.harvest_stamp.isoformat(), last.pk],
                        "total": total,
                    },
                    salt=TOKEN_SALT,
                    compress=True,
                )

    def _header(self, parent: Any, item: Item, specs: dict[int, str]) -> None:
        header = self._sub(parent, "header")
        if not is_public(item):  # deleted, or restricted after it was shown
            header.set("status", "deleted")
        self._sub(header, "identifier", oai_identifier(item))
        self._sub(header, "datestamp", _stamp(item.harvest_stamp))
        for spec in sorted(
            specs[c.pk] for c in item.collections.all() if c.pk in specs
        ):
            self._sub(header, "setSpec", spec)

    def _record(
        self, record: Any, item: Item, specs: dict[int, str], prefix: str
    ) -> None:
        self._header(record, item, specs)
        if is_public(item):
            metadata = self._sub(record, "metadata")
            metadata.append(BUILDERS[prefix](item, base_url=self._site()))

    def _site(self) -> str:
        return self.base_url.rsplit("/oai", 1)[0]


def _read_token(token: str, verb: str) -> dict[str, Any]:
    try:
        state = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise OAIError(
            "badResumptionToken", "The resumption token is invalid"
        ) from None
    if not isinstance(state, dict) or state.get("verb") != verb:
        raise OAIError("badResumptionToken", "The resumption token is for another list")
    return state
