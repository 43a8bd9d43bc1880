"""Task attachments as the API sees them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ATTACHMENT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES: frozenset[str] = frozenset({
    "image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain", "text/markdown", "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})


class AttachmentCreate(BaseModel):
    """Body of ``POST /api/tasks/{id}/attachments``; size and type are checked by the domain rules."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    fileName: str = Field(min_length=1, max_length=255)
    contentType: str = Field(min_length=1, max_length=255)
    sizeBytes: int = Field(ge=1, strict=True)


class Attachment(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    taskId: str
    fileName: str
    contentType: str
    sizeBytes: int
    objectKey: str
    status: Literal["pending", "uploaded"] = "pending"
    uploadedBy: str
    createdAt: str
    downloadUrl: str | None = None


class AttachmentUpload(BaseModel):
    """The record and where to PUT the file: send exactly ``uploadHeaders`` and ``sizeBytes`` bytes."""

    model_config = ConfigDict(defer_build=True)

    attachment: Attachment
    uploadUrl: str
    uploadHeaders: dict[str, str]
    expiresInSeconds: int


class AttachmentList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Attachment]
