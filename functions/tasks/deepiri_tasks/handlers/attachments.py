"""Task attachment routes:

    POST   /api/tasks/{id}/attachments                {fileName, contentType, sizeBytes} → 201 + presigned PUT
    GET    /api/tasks/{id}/attachments                records with presigned GET URLs
    DELETE /api/tasks/{id}/attachments/{attachmentId} object and record → 204
"""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id
from deepiri_common.routes import Routes
from deepiri_tasks import wiring
from deepiri_tasks.handlers.params import READ, WRITE, AttachmentId, TaskId
from deepiri_tasks.logic import attachments
from deepiri_tasks.models.attachments import (
    AttachmentCreate,
    AttachmentList,
    AttachmentUpload,
)

app = create_resolver()
routes = Routes(app)


@routes.post("/api/tasks/<id>/attachments", scope=WRITE, status=201)
def add_attachment(id: TaskId, body: AttachmentCreate) -> Response[AttachmentUpload]:
    """Start an attachment: a presigned S3 upload URL for a declared type and size."""
    upload = attachments.add_attachment(wiring.task_facts(), wiring.project_repository(),
                                        wiring.attachment_repository(), wiring.attachment_objects(),
                                        user_id=caller_id(app), task_id=id, body=body, now=utc_now())
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=upload)


@routes.get("/api/tasks/<id>/attachments", scope=READ)
def list_attachments(id: TaskId) -> AttachmentList:
    """The task's attachments; each one whose upload is confirmed has a download URL."""
    return attachments.list_attachments(wiring.task_facts(), wiring.project_repository(),
                                        wiring.attachment_repository(), wiring.attachment_objects(),
                                        user_id=caller_id(app), task_id=id)


@routes.delete("/api/tasks/<id>/attachments/<attachmentId>", scope=WRITE)
def delete_attachment(id: TaskId, attachmentId: AttachmentId) -> Response[None]:
    """Remove an attachment and its stored file."""
    attachments.delete_attachment(wiring.task_facts(), wiring.project_repository(), wiring.attachment_repository(),
                                  wiring.attachment_objects(),
                                  user_id=caller_id(app), task_id=id, attachment_id=attachmentId)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


handler = api_handler(app)
