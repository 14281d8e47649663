"""Every write to the local-history collection.

Each service checks the actor's permission, runs in one transaction, writes one
audit entry and, where the preservation record needs it, one preservation event.
Masters are written once under a new name and never modified in place.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection as Roles
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.heritage import edtf, inspection
from methodica.heritage.access import is_public
from methodica.heritage.models import (
    Collection,
    Item,
    ItemAuthority,
    MasterFile,
    PreservationEvent,
    _master_path,
)
from methodica.heritage.xmltext import MESSAGE as CONTROL_MESSAGE
from methodica.heritage.xmltext import has_control_characters
from methodica.libraries.models import District

ITEM_FIELDS = [
    "kind",
    "newspaper",
    "title",
    "alternative",
    "description",
    "publisher",
    "date",
    "languages",
    "rights",
    "holding_library",
    "access",
    "embargo_until",
    "published",
]
ITEM_RELATIONS = ["places", "subjects", "collections"]
COLLECTION_FIELDS = ["title", "description", "parent", "set_spec", "public"]
ITEM_TEXT_FIELDS = ["title", "alternative", "description", "publisher", "date"]
# What a collection change alters in its items' OAI-PMH headers.
COLLECTION_OAI_FIELDS = {"parent", "set_spec", "public"}


def record_event(
    *,
    item: Item,
    type: Any,  # a PreservationEvent.Type (TextChoices: Any keeps mypy plugin-free)
    actor: Any = None,
    file: MasterFile | None = None,
    detail: Mapping[str, Any] | None = None,
    outcome: Any = PreservationEvent.Outcome.SUCCESS,
) -> PreservationEvent:
    """Append one event to the item's preservation log."""
    return PreservationEvent.objects.create(
        item=item,
        file=file,
        type=type,
        actor=actor if getattr(actor, "pk", None) else None,
        detail=dict(detail or {}),
        outcome=outcome,
    )


# --- collections


def _check_parent(collection: Collection | None, parent: Collection | None, district):
    if parent is None:
        return
    if parent.district_id != district.pk:
        raise DomainError(_("A series must be in its collection's district."))
    node = parent
    while node is not None:
        if collection is not None and node.pk == collection.pk:
            raise DomainError(_("A collection cannot be part of itself."))
        node = node.parent


def _check_slug(value: Any, field: str, message: str) -> None:
    # Identifiers and set names become storage paths and OAI-PMH setSpecs
    # (joined by ":"): letters, digits, "-" and "_" only, never "/", "." or ":".
    try:
        validate_slug(value)
    except ValidationError:
        raise DomainError(message % {"value": value}, field=field) from None


def _check_texts(values: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if has_control_characters(values.get(name)):
            raise DomainError(str(CONTROL_MESSAGE), field=name)


def _check_set_spec(set_spec: str, exclude: int | None) -> None:
    _check_slug(
        set_spec,
        "set_spec",
        _("The set name “%(value)s” may hold only letters, digits, - and _."),
    )
    taken = Collection.objects.filter(set_spec=set_spec).exclude(pk=exclude)
    if taken.exists():
        raise DomainError(
            _("The set name “%(name)s” is taken.") % {"name": set_spec},
            field="set_spec",
        )


@transaction.atomic
def create_collection(
    *, actor: Any, district: District, values: Mapping[str, Any]
) -> Collection:
    """Create a collection, or a series when ``values["parent"]`` is given."""
    require_perm(actor, "heritage.collection:manage", district)
    _check_texts(values, ["title", "description"])
    _check_parent(None, values.get("parent"), district)
    _check_set_spec(values["set_spec"], None)
    collection = Collection.objects.create(district=district, **values)
    audit(
        actor=actor,
        action="heritage_collection.created",
        obj=collection,
        changes=created(collection, COLLECTION_FIELDS),
    )
    return collection


@transaction.atomic
def update_collection(
    *, actor: Any, collection: Collection, values: Mapping[str, Any]
) -> Collection:
    """Edit a collection's description, place in the tree or set name."""
    require_perm(actor, "heritage.collection:manage", collection)
    _check_texts(values, ["title", "description"])
    _check_parent(collection, values.get("parent"), collection.district)
    if "set_spec" in values:
        _check_set_spec(values["set_spec"], collection.pk)
    before = snapshot(collection, COLLECTION_FIELDS)
    for name, value in values.items():
        setattr(collection, name, value)
    collection.save(update_fields=list(values))
    changes = diff(before, snapshot(collection, COLLECTION_FIELDS))
    if changes:
        audit(
            actor=actor,
            action="heritage_collection.changed",
            obj=collection,
            changes=changes,
        )
    if COLLECTION_OAI_FIELDS & set(changes):
        _touch_collection_items(collection)
    return collection


def descendant_ids(collection: Collection) -> list[int]:
    """The collection and all its series, at any depth (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Collection.objects.filter(
        district_id=collection.district_id
    ).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [collection.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children.get(pk, []))
    return found


def _touch_collection_items(collection: Collection) -> None:
    # The items' setSpecs (or their visibility) changed: restamp them so that
    # incremental harvests pick the new headers up. An item whose embargo ends
    # later keeps that future stamp: it is not shown before then anyway.
    now = timezone.now()
    Item.objects.filter(
        collections__in=descendant_ids(collection), harvest_stamp__lte=now
    ).update(updated_at=now, harvest_stamp=now)


# --- items


def _clean_item_values(
    values: dict[str, Any], district_id: int, kind: str | None = None
) -> dict[str, Any]:
    _check_texts(values, ITEM_TEXT_FIELDS)
    if "date" in values:  # a partial edit that leaves the date keeps its period
        try:
            values["date_start"], values["date_end"] = edtf.bounds(values["date"])
        except edtf.EDTFError as error:
            raise DomainError(str(error), field="date") from None
    if (
        values.get("newspaper")
        and values.get("kind", kind) != Item.Kind.NEWSPAPER_ISSUE
    ):
        raise DomainError(
            _("Only a newspaper issue belongs to a newspaper."), field="newspaper"
        )
    for collection in values.get("collections") or []:
        if collection.district_id != district_id:
            raise DomainError(
                _("The collection “%(name)s” is another district's.")
                % {"name": collection.title},
                field="collections",
            )
    return values


def _restamp(item: Item, *, was_public: bool = False) -> None:
    """Set the OAI-PMH datestamp after a change, and again once it commits.

    The stamp is taken inside the transaction, before the change is visible; a
    harvest running in between would miss it. So it is taken once more right
    after the commit, when the change can be seen (docs/architecture.md).
    """
    item.oai_exposed = item.oai_exposed or was_public or is_public(item)
    item.harvest_stamp = item.compute_harvest_stamp()
    item.save(update_fields=["harvest_stamp", "oai_exposed"])
    transaction.on_commit(lambda pk=item.pk: _restamp_committed(pk))


def _restamp_committed(pk: int) -> None:
    item = Item.objects.filter(pk=pk).first()
    if item is not None:
        stamp = item.compute_harvest_stamp(now=timezone.now())
        Item.objects.filter(pk=pk).update(harvest_stamp=stamp)


def _reindex(item: Item, *, pages: bool = False) -> None:
    # The search vectors are rebuilt after commit, from what was committed; the
    # pages' too when the language (hence the text-search configuration) changed.
    from methodica.heritage.search import index_item_on_commit

    transaction.on_commit(lambda pk=item.pk: index_item_on_commit(pk, pages=pages))


def _touch(item: Item) -> None:
    """A change to an item's files: move its datestamp (formats are in the record)."""
    was_public = is_public(item)
    item.save(update_fields=["updated_at"])
    _restamp(item, was_public=was_public)


def _set_credits(
    item: Item, credits: list[tuple[Any, str]] | None, roles: Roles[str] | None
) -> None:
    """Replace the item's credits in ``roles`` (all roles when None)."""
    if credits is None:
        return
    if roles is not None:
        stray = sorted({role for _, role in credits} - set(roles))
        if stray:
            raise DomainError(
                _("The credits may only have the roles %(roles)s.")
                % {"roles": ", ".join(sorted(roles))}
            )
    replaced = item.credits.all()
    if roles is not None:
        replaced = replaced.filter(role__in=list(roles))
    replaced.delete()
    ItemAuthority.objects.bulk_create(
        ItemAuthority(item=item, authority=authority, role=role, order=index)
        for index, (authority, role) in enumerate(credits)
    )


def _relations_snapshot(item: Item) -> dict[str, Any]:
    return {
        name: sorted(getattr(item, name).values_list("pk", flat=True))
        for name in ITEM_RELATIONS
    } | {
        "credits": [
            [credit.authority_id, credit.role]
            for credit in item.credits.order_by("order")
        ]
    }


@transaction.atomic
def create_item(
    *,
    actor: Any,
    district: District,
    identifier: str,
    values: Mapping[str, Any],
    credits: list[tuple[Any, str]] | None = None,
) -> Item:
    """Describe a new item. ``values`` holds the fields and the M2M lists."""
    require_perm(actor, "heritage.item:catalogue", district)
    _check_slug(
        identifier,
        "identifier",
        _("The identifier “%(value)s” may hold only letters, digits, - and _."),
    )
    if Item.objects.filter(identifier=identifier).exists():
        raise DomainError(
            _("The identifier “%(id)s” is taken.") % {"id": identifier},
            field="identifier",
        )
    values = _clean_item_values(dict(values), district.pk)
    relations = {name: values.pop(name) for name in ITEM_RELATIONS if name in values}
    item = Item.objects.create(district=district, identifier=identifier, **values)
    _restamp(item)
    for name, related in relations.items():
        getattr(item, name).set(related)
    _set_credits(item, credits, None)
    _reindex(item)
    changes = created(item, ["identifier", *ITEM_FIELDS])
    audit(actor=actor, action="heritage_item.created", obj=item, changes=changes)
    return item


@transaction.atomic
def update_item(
    *,
    actor: Any,
    item: Item,
    values: Mapping[str, Any],
    credits: list[tuple[Any, str]] | None = None,
    credit_roles: Roles[str] | None = None,
) -> Item:
    """Edit an item's description; logged as ``metadata_changed`` when it changed.

    ``credits`` replace the item's credits in ``credit_roles`` (a form that edits
    only creators passes ``{"creator"}``), or all of them when that is None.
    """
    require_perm(actor, "heritage.item:catalogue", item)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.deleted_at is not None:
        raise DomainError(_("A deleted item cannot be edited."))
    values = _clean_item_values(dict(values), item.district_id, item.kind)
    relations = {name: values.pop(name) for name in ITEM_RELATIONS if name in values}
    fields = [*ITEM_FIELDS, "date_start", "date_end"]
    before = snapshot(item, fields) | _relations_snapshot(item)
    was_public = is_public(item)
    for name, value in values.items():
        setattr(item, name, value)
    for name, related in relations.items():
        getattr(item, name).set(related)
    _set_credits(item, credits, credit_roles)
    changes = diff(before, snapshot(item, fields) | _relations_snapshot(item))
    if not changes:
        return item
    # updated_at moves even for a relation-only change: OAI-PMH harvests by it.
    item.save(update_fields=[*values, "updated_at"])
    _restamp(item, was_public=was_public)
    _reindex(item, pages="languages" in changes)
    audit(actor=actor, action="heritage_item.changed", obj=item, changes=changes)
    record_event(
        item=item,
        type=PreservationEvent.Type.METADATA_CHANGED,
        actor=actor,
        detail={"fields": sorted(changes)},
    )
    return item


@transaction.atomic
def delete_item(*, actor: Any, item: Item, reason: str) -> Item:
    """Withdraw an item. Its record and masters are kept; OAI-PMH shows it deleted."""
    require_perm(actor, "heritage.item:catalogue", item)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.deleted_at is not None:
        raise DomainError(_("The item is already deleted."))
    if not reason.strip():
        raise DomainError(_("Say why the item is deleted."), field="reason")
    was_public = is_public(item)
    item.deleted_at = timezone.now()
    item.save(update_fields=["deleted_at", "updated_at"])
    _restamp(item, was_public=was_public)  # stamped deleted_at, never in the future
    audit(
        actor=actor,
        action="heritage_item.deleted",
        obj=item,
        changes={"deleted_at": {"before": None, "after": item.deleted_at.isoformat()}},
    )
    record_event(
        item=item,
        type=PreservationEvent.Type.DELETED,
        actor=actor,
        detail={"reason": reason.strip()},
    )
    return item


# --- master files


def _store(
    item: Item, stream: IO[bytes], name: str, checked: inspection.Inspection, **extra
) -> MasterFile:
    master = MasterFile(
        item=item,
        original_name=name[:255],
        mime_type=checked.mime_type,
        size=checked.size,
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
        pages=checked.pages,
        **extra,
    )
    # A fresh random name: the same bytes uploaded twice are two files, and a
    # storage that overwrites (S3) can never replace an existing master.
    stored_name = f"{uuid.uuid4().hex}{_extension(checked.mime_type)}"
    storage = master.file.storage
    path = _master_path(master, stored_name)
    if storage.exists(path):
        raise DomainError(_("A stored file has that name; upload it again."))
    stream.seek(0)
    master.file.save(stored_name, stream, save=False)
    _verify_written(master, checked, name)
    # Should the transaction roll back, the written file stays as an orphan that
    # no row points to: harmless, and never a damaged master.
    master.save()
    return master


def _verify_written(master: MasterFile, checked: inspection.Inspection, name: str):
    """Read the stored file back: what the storage holds must be what was checked."""
    digest = hashlib.sha256()
    with master.file.storage.open(master.file.name, "rb") as stored:
        while chunk := stored.read(inspection.CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != checked.sha256:
        master.file.storage.delete(master.file.name)
        raise DomainError(
            _("“%(name)s” was not stored intact; nothing is saved. Upload it again.")
            % {"name": name}
        )


def _extension(mime: str) -> str:
    return {
        "image/tiff": ".tif",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/pdf": ".pdf",
    }[mime]


def _inspected(stream: IO[bytes], name: str) -> inspection.Inspection:
    return inspection.inspect(stream, name)


@transaction.atomic
def add_master_file(
    *, actor: Any, item: Item, stream: IO[bytes], name: str
) -> MasterFile:
    """Check and store one master as the item's next page; logs ``ingest``."""
    require_perm(actor, "heritage.item:catalogue", item)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.deleted_at is not None:
        raise DomainError(_("Files cannot be added to a deleted item."))
    checked = _inspected(stream, name)
    last = item.files.filter(replaced_by__isnull=True).aggregate(n=Max("order"))["n"]
    master = _store(
        item, stream, name, checked, order=(last or 0) + 1, uploaded_by=_user(actor)
    )
    _touch(item)
    audit(
        actor=actor,
        action="heritage_file.added",
        obj=item,
        changes={"file": {"before": None, "after": name}},
    )
    record_event(
        item=item,
        file=master,
        type=PreservationEvent.Type.INGEST,
        actor=actor,
        detail=_file_detail(master),
    )
    _process_after_commit(master)
    return master


@transaction.atomic
def replace_master_file(
    *, actor: Any, master: MasterFile, stream: IO[bytes], name: str
) -> MasterFile:
    """Store a new master in the old one's place; the old one is kept, unchanged."""
    require_perm(actor, "heritage.item:catalogue", master.item)
    master = (
        MasterFile.objects.select_for_update().select_related("item").get(pk=master.pk)
    )
    if master.replaced_by_id is not None:
        raise DomainError(_("This file has already been replaced."))
    checked = _inspected(stream, name)
    if checked.sha256 == master.sha256:
        raise DomainError(_("The new file is identical to the current one."))
    order = master.order
    # Step the old file out of the current set first, so the unique order holds.
    MasterFile.objects.filter(pk=master.pk).update(order=0)
    new = _store(
        master.item, stream, name, checked, order=order, uploaded_by=_user(actor)
    )
    MasterFile.objects.filter(pk=master.pk).update(order=order, replaced_by=new)
    _touch(Item.objects.select_for_update().get(pk=master.item_id))
    audit(
        actor=actor,
        action="heritage_file.replaced",
        obj=master.item,
        changes={"file": {"before": master.original_name, "after": name}},
    )
    record_event(
        item=master.item,
        file=new,
        type=PreservationEvent.Type.REPLACED,
        actor=actor,
        detail=_file_detail(new) | {"replaces": master.pk, "old_sha256": master.sha256},
    )
    _process_after_commit(new)
    return new


def _process_after_commit(master: MasterFile) -> None:
    # Pages, derivatives and OCR are the worker's (heritage/pages.py), by id.
    from methodica.heritage.pages import process_master

    transaction.on_commit(lambda pk=master.pk: process_master.enqueue(pk))


def _file_detail(master: MasterFile) -> dict[str, Any]:
    return {
        "name": master.original_name,
        "path": master.file.name,
        "sha256": master.sha256,
        "size": master.size,
        "mime_type": master.mime_type,
    }


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
