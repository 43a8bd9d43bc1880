"""Attachments: the upload checks as a client reads them, safe object names, and the use cases over
in-memory stores (records and objects)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepiri_common.ids import new_ulid
from deepiri_common.problems import Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from deepiri_tasks.logic import attachments
from deepiri_tasks.logic.attachments import (
    add_attachment,
    check_upload,
    confirm_upload,
    delete_attachment,
    list_attachments,
    sanitise_file_name,
)
from deepiri_tasks.models.attachments import ALLOWED_CONTENT_TYPES, MAX_ATTACHMENT_BYTES, Attachment, AttachmentCreate
from deepiri_tasks.models.graph import TaskFacts
from tests.unit.tasks.fakes import FakeProjects

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_given_the_limits_then_ten_megabytes_fifteen_minute_links_and_120_character_names() -> None:
    assert MAX_ATTACHMENT_BYTES == 10 * 1024 * 1024
    assert (attachments.UPLOAD_URL_SECONDS, attachments.DOWNLOAD_URL_SECONDS, attachments.MAX_SAFE_NAME) == (
        900, 900, 120)
    assert {"image/png", "application/pdf", "text/plain"} <= ALLOWED_CONTENT_TYPES
    assert "text/html" not in ALLOWED_CONTENT_TYPES


def test_given_a_type_outside_the_list_then_422_names_the_field_and_the_allowed_types() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_upload(AttachmentCreate(fileName="a", contentType="text/html", sizeBytes=1))

    assert refused.value.errors == [{"field": "body.contentType",
                                     "message": "allowed: " + ", ".join(sorted(ALLOWED_CONTENT_TYPES))}]


def test_given_a_file_over_the_limit_then_413_says_both_sizes() -> None:
    with pytest.raises(PayloadTooLarge) as refused:
        check_upload(AttachmentCreate(fileName="a", contentType="IMAGE/PNG", sizeBytes=MAX_ATTACHMENT_BYTES + 1))

    assert refused.value.detail == (f"an attachment has at most {MAX_ATTACHMENT_BYTES} bytes; "
                                    f"this one {MAX_ATTACHMENT_BYTES + 1}")


@pytest.mark.parametrize(("name", "safe"), [
    ("a" * 120, "a" * 120),  # at the limit: kept whole
    ("a" * 200 + ".pdf", "a" * 116 + ".pdf"),  # the extension survives the cut
    ("b" * 130 + ".c.tar", "b" * 116 + ".tar"),  # only the last suffix is the extension
    ("a" * 130 + "." + "x" * 10, "a" * 109 + "." + "x" * 10),  # a 10-letter extension still counts as one
    ("a" * 130 + "." + "x" * 11, ("a" * 130 + "." + "x" * 11)[:120]),  # longer: not an extension, plain cut
    ("c" * 150, "c" * 120),
    ("Xylophone.pngX", "Xylophone.pngX"),
    ("_.hidden._", "hidden"),
])
def test_given_long_or_odd_names_when_sanitised_then_they_fit_the_key_and_keep_their_extension(
    name: str, safe: str
) -> None:
    assert sanitise_file_name(name) == safe
    assert len(sanitise_file_name(name)) <= 120


class Lookup:
    def __init__(self, *tasks: TaskFacts) -> None:
        self.tasks = {t.id: t for t in tasks}

    def facts(self, task_id: str) -> TaskFacts | None:
        return self.tasks.get(task_id)


class MemoryAttachments:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Attachment] = {}

    def get(self, task_id: str, attachment_id: str) -> Attachment | None:
        return self.items.get((task_id, attachment_id))

    def list(self, task_id: str) -> list[Attachment]:
        return [a for (t, _), a in sorted(self.items.items()) if t == task_id]

    def add(self, attachment: Attachment) -> None:
        self.items[(attachment.taskId, attachment.id)] = attachment

    def delete(self, task_id: str, attachment_id: str) -> bool:
        return self.items.pop((task_id, attachment_id), None) is not None

    def mark_uploaded(self, task_id: str, attachment_id: str, object_key: str, size_bytes: int) -> bool:
        found = self.items.get((task_id, attachment_id))
        if found is None or found.status != "pending" or (found.objectKey, found.sizeBytes) != (object_key, size_bytes):
            return False
        self.items[(task_id, attachment_id)] = found.model_copy(update={"status": "uploaded"})
        return True


class Objects:
    def __init__(self) -> None:
        self.signed: list[tuple[str, str, int, int]] = []
        self.deleted: list[str] = []

    def upload_url(self, key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
        self.signed.append((key, content_type, size_bytes, expires_in))
        return f"https://put/{key}"

    def download_url(self, key: str, file_name: str, expires_in: int) -> str:
        return f"https://get/{key}?name={file_name}&ttl={expires_in}"

    def delete(self, key: str) -> None:
        self.deleted.append(key)


TASK = TaskFacts(id="T1", ownerId="ada", assigneeIds=frozenset({"bob"}))


def _add(store: MemoryAttachments, objects: Objects, user: str = "ada", name: str = "Résumé.PDF") -> Attachment:
    upload = add_attachment(Lookup(TASK), FakeProjects(), store, objects, user_id=user, task_id="T1",
                            body=AttachmentCreate(fileName=name, contentType="Application/PDF", sizeBytes=2048),
                            now=NOW)
    key = upload.attachment.objectKey
    assert upload.uploadUrl == f"https://put/{key}"
    assert upload.uploadHeaders == {"Content-Type": "application/pdf"}
    assert upload.expiresInSeconds == 900
    return upload.attachment


def test_given_the_owner_when_adding_a_file_then_a_pending_record_and_a_signed_put_for_its_type_and_size() -> None:
    store, objects = MemoryAttachments(), Objects()

    attachment = _add(store, objects)

    assert store.get("T1", attachment.id) == attachment
    assert attachment.objectKey == f"attachments/T1/{attachment.id}/Resume.PDF"
    assert (attachment.fileName, attachment.contentType) == ("Résumé.PDF", "application/pdf")
    assert attachment.sizeBytes == 2048
    assert (attachment.status, attachment.uploadedBy, attachment.createdAt) == ("pending", "ada",
                                                                               "2026-03-01T12:00:00.000Z")
    assert objects.signed == [(attachment.objectKey, "application/pdf", 2048, 900)]


def test_given_an_assignee_who_may_not_change_the_task_then_adding_is_forbidden_but_listing_works() -> None:
    store, objects = MemoryAttachments(), Objects()
    attachment = _add(store, objects)

    with pytest.raises(Forbidden):
        _add(store, objects, user="bob")
    pending = list_attachments(Lookup(TASK), FakeProjects(), store, objects, user_id="bob", task_id="T1")
    assert confirm_upload(store, attachment.objectKey, 2048)
    listed = list_attachments(Lookup(TASK), FakeProjects(), store, objects, user_id="bob", task_id="T1")

    assert [(a.id, a.status, a.downloadUrl) for a in pending.items] == [(attachment.id, "pending", None)]
    assert [(a.id, a.status) for a in listed.items] == [(attachment.id, "uploaded")]
    assert listed.items[0].downloadUrl == f"https://get/{attachment.objectKey}?name=Résumé.PDF&ttl=900"
    with pytest.raises(NotFound):
        list_attachments(Lookup(TASK), FakeProjects(), store, objects, user_id="carol", task_id="T1")


def test_given_an_attachment_when_deleted_then_the_object_and_the_record_go() -> None:
    store, objects = MemoryAttachments(), Objects()
    attachment = _add(store, objects)

    delete_attachment(Lookup(TASK), FakeProjects(), store, objects, user_id="ada", task_id="T1",
                      attachment_id=attachment.id)

    assert objects.deleted == [attachment.objectKey]
    assert store.items == {}


def test_given_an_unknown_attachment_when_deleted_then_404_names_it() -> None:
    with pytest.raises(NotFound) as missing:
        delete_attachment(Lookup(TASK), FakeProjects(), MemoryAttachments(), Objects(), user_id="ada",
                          task_id="T1", attachment_id="A9")

    assert missing.value.detail == "attachment A9 not found"


def test_given_a_project_task_then_members_attach_and_viewers_only_read() -> None:
    shared = TaskFacts(id="T2", ownerId="mia", projectId="P1")
    projects = FakeProjects({"P1": {"mia": "member", "vic": "viewer"}})
    store, objects = MemoryAttachments(), Objects()
    body = AttachmentCreate(fileName="a.png", contentType="image/png", sizeBytes=10)

    upload = add_attachment(Lookup(shared), projects, store, objects, user_id="mia", task_id="T2", body=body, now=NOW)

    assert [a.id for a in list_attachments(Lookup(shared), projects, store, objects, user_id="vic",
                                           task_id="T2").items] == [upload.attachment.id]
    with pytest.raises(Forbidden):
        add_attachment(Lookup(shared), projects, store, objects, user_id="vic", task_id="T2", body=body, now=NOW)
    with pytest.raises(Forbidden):
        delete_attachment(Lookup(shared), projects, store, objects, user_id="vic", task_id="T2",
                          attachment_id=upload.attachment.id)
    delete_attachment(Lookup(shared), projects, store, objects, user_id="mia", task_id="T2",
                      attachment_id=upload.attachment.id)
    assert store.items == {}


def test_given_the_uploaded_object_then_its_record_is_confirmed_once_and_no_other_object_confirms_anything() -> None:
    store, objects = MemoryAttachments(), Objects()
    attachment = _add(store, objects)
    key = attachment.objectKey
    task_folder, name = key.rsplit("/", 2)[0], key.rsplit("/", 1)[1]

    assert not confirm_upload(store, key, 2047)  # not the size the upload was issued for
    assert not confirm_upload(store, f"{key}/x", 2048)
    assert not confirm_upload(store, f"x{key}", 2048)
    assert not confirm_upload(store, f"{task_folder}/{new_ulid()}/{name}", 2048)  # no such attachment id
    assert not confirm_upload(store, f"attachments/T1/{attachment.id}/a b", 2048)  # no name add_attachment issues
    assert store.get("T1", attachment.id).status == "pending"  # type: ignore[union-attr]
    assert confirm_upload(store, key, 2048)
    assert store.get("T1", attachment.id).status == "uploaded"  # type: ignore[union-attr]
    assert not confirm_upload(store, key, 2048)  # a notification delivered twice changes nothing more
