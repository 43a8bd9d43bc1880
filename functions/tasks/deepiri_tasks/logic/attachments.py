"""Files attached to a task, uploaded straight to S3 with a presigned PUT.

- Adding one needs the right to change the task; it checks the content type against the allow-list
  (422) and the size against 10 MB (413), then stores a ``pending`` record and answers a presigned PUT
  URL for ``attachments/<taskId>/<attachmentId>/<sanitised name>``. The URL signs the content type and
  length, so S3 refuses a different type or size.
- The bucket's ObjectCreated notification confirms an upload (``confirm_upload``): the record of the
  object's key becomes ``uploaded`` when the object has the size it was issued for, once.
- Listing answers each record, an uploaded one with a presigned GET URL; deleting removes the object and
  the record.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import to_iso
from deepiri_common.ids import new_ulid
from deepiri_common.problems import NotFound, PayloadTooLarge, ValidationFailed
from deepiri_tasks.logic.access import ProjectAccess
from deepiri_tasks.logic.graph import TaskLookup
from deepiri_tasks.logic.tasks_access import find_visible, find_writable
from deepiri_tasks.models.attachments import (
    ALLOWED_CONTENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    Attachment,
    AttachmentCreate,
    AttachmentList,
    AttachmentUpload,
)

UPLOAD_URL_SECONDS = 900
DOWNLOAD_URL_SECONDS = 900
MAX_SAFE_NAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# attachments/<taskId>/<attachmentId>/<sanitised name>, as ``add_attachment`` issues it
_OBJECT_KEY = re.compile(
    r"attachments/(?P<task>[^/]{1,128})/(?P<attachment>[0-9A-HJKMNP-TV-Z]{26})/[A-Za-z0-9._-]{1,120}")


class AttachmentStore(Protocol):
    def get(self, task_id: str, attachment_id: str) -> Attachment | None: ...
    def list(self, task_id: str) -> list[Attachment]: ...
    def add(self, attachment: Attachment) -> None: ...
    def delete(self, task_id: str, attachment_id: str) -> bool: ...
    def mark_uploaded(self, task_id: str, attachment_id: str, object_key: str, size_bytes: int) -> bool: ...


class ObjectStore(Protocol):
    def upload_url(self, key: str, content_type: str, size_bytes: int, expires_in: int) -> str: ...
    def download_url(self, key: str, file_name: str, expires_in: int) -> str: ...
    def delete(self, key: str) -> None: ...


def check_upload(body: AttachmentCreate) -> None:
    """422 for a content type outside the allow-list, 413 for a file over the size limit."""
    if body.contentType.lower() not in ALLOWED_CONTENT_TYPES:
        raise ValidationFailed([{"field": "body.contentType",
                                 "message": f"allowed: {', '.join(sorted(ALLOWED_CONTENT_TYPES))}"}])
    if body.sizeBytes > MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(f"an attachment has at most {MAX_ATTACHMENT_BYTES} bytes; this one {body.sizeBytes}")


def sanitise_file_name(name: str) -> str:
    """A name safe in an object key: no directories, ASCII letters, digits, ``.``, ``_`` and ``-`` only."""
    base = re.split(r"[\\/]", name)[-1]
    # "ASCII": same codec (equivalent)
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    safe = _UNSAFE.sub("_", ascii_name).strip("._")
    if len(safe) > MAX_SAFE_NAME:  # cutting a name of exactly 120 to 120 changes nothing (``>=`` is equivalent)
        stem, dot, ext = safe.rpartition(".")
        safe = (stem[: MAX_SAFE_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else safe[:MAX_SAFE_NAME]
    return safe or "file"


def add_attachment(tasks: TaskLookup, projects: ProjectAccess, store: AttachmentStore, objects: ObjectStore,
                   *, user_id: str, task_id: str, body: AttachmentCreate, now: datetime) -> AttachmentUpload:
    find_writable(tasks.facts, projects, task_id, user_id)
    check_upload(body)
    attachment_id = new_ulid()
    content_type = body.contentType.lower()
    key = f"attachments/{task_id}/{attachment_id}/{sanitise_file_name(body.fileName)}"
    attachment = Attachment(id=attachment_id, taskId=task_id, fileName=body.fileName, contentType=content_type,
                            sizeBytes=body.sizeBytes, objectKey=key, uploadedBy=user_id, createdAt=to_iso(now))
    store.add(attachment)
    url = objects.upload_url(key, content_type, body.sizeBytes, UPLOAD_URL_SECONDS)
    return AttachmentUpload(attachment=attachment, uploadUrl=url, uploadHeaders={"Content-Type": content_type},
                            expiresInSeconds=UPLOAD_URL_SECONDS)


def list_attachments(tasks: TaskLookup, projects: ProjectAccess, store: AttachmentStore, objects: ObjectStore,
                     *, user_id: str, task_id: str) -> AttachmentList:
    find_visible(tasks.facts, projects, task_id, user_id)
    return AttachmentList(items=[
        a.model_copy(update={"downloadUrl": objects.download_url(a.objectKey, a.fileName, DOWNLOAD_URL_SECONDS)})
        if a.status == "uploaded" else a
        for a in store.list(task_id)
    ])


def confirm_upload(store: AttachmentStore, object_key: str, size_bytes: int) -> bool:
    """The object ``object_key`` of ``size_bytes`` bytes is in the bucket: its pending record becomes
    ``uploaded``. False when no pending record was issued for that key and size (an object of another
    shape, a record deleted meanwhile, or a notification delivered twice)."""
    match = _OBJECT_KEY.fullmatch(object_key)
    if match is None:
        return False
    return store.mark_uploaded(match["task"], match["attachment"], object_key, size_bytes)


def delete_attachment(tasks: TaskLookup, projects: ProjectAccess, store: AttachmentStore, objects: ObjectStore,
                      *, user_id: str, task_id: str, attachment_id: str) -> None:
    find_writable(tasks.facts, projects, task_id, user_id)
    attachment = store.get(task_id, attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found")
    # The object first: a failure leaves the record, so the delete can be retried.
    objects.delete(attachment.objectKey)
    store.delete(task_id, attachment_id)
