"""Attachment records (``TASK#<taskId> / ATTACH#<attachmentId>``) and their S3 objects."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.pagination import query_all
from deepiri_tasks.dal.graph import plain, task_key
from deepiri_tasks.models.attachments import Attachment

PREFIX = "ATTACH#"


class AttachmentRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def get(self, task_id: str, attachment_id: str) -> Attachment | None:
        item = self._client.get_item(TableName=self._table, Key=task_key(task_id, PREFIX + attachment_id),
                                     ConsistentRead=True).get("Item")
        return None if item is None else _attachment(plain(item))

    def list(self, task_id: str) -> list[Attachment]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                          ExpressionAttributeValues={":pk": {"S": f"TASK#{task_id}"}, ":prefix": {"S": PREFIX}})
        return [_attachment(plain(i)) for i in items]

    def add(self, attachment: Attachment) -> None:
        item = {
            **task_key(attachment.taskId, PREFIX + attachment.id),
            "kind": {"S": "attachment"},
            **{name: {"S": str(value)} for name, value in attachment.model_dump(
                exclude={"sizeBytes", "downloadUrl"}).items()},
            "sizeBytes": {"N": str(attachment.sizeBytes)},
        }
        self._client.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    def delete(self, task_id: str, attachment_id: str) -> bool:
        response = self._client.delete_item(TableName=self._table, Key=task_key(task_id, PREFIX + attachment_id),
                                            ReturnValues="ALL_OLD")
        return "Attributes" in response

    def mark_uploaded(self, task_id: str, attachment_id: str, object_key: str, size_bytes: int) -> bool:
        """``uploaded`` when the record is pending for that key and size; False otherwise."""
        try:
            self._client.update_item(
                TableName=self._table, Key=task_key(task_id, PREFIX + attachment_id),
                UpdateExpression="SET #status = :uploaded",
                ConditionExpression="attribute_exists(pk) AND objectKey = :key AND sizeBytes = :size "
                                    "AND (attribute_not_exists(#status) OR #status = :pending)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":uploaded": {"S": "uploaded"}, ":pending": {"S": "pending"},
                                           ":key": {"S": object_key}, ":size": {"N": str(size_bytes)}})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False
        return True


class S3Objects:
    """Presigned URLs and deletes in the attachments bucket; ``client`` is a boto3 S3 client."""

    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket, self._client = bucket, client

    def upload_url(self, key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
        params = {"Bucket": self._bucket, "Key": key, "ContentType": content_type, "ContentLength": size_bytes}
        return str(self._client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in))

    def download_url(self, key: str, file_name: str, expires_in: int) -> str:
        quoted = file_name.replace('"', "")
        params = {"Bucket": self._bucket, "Key": key,
                  "ResponseContentDisposition": f'attachment; filename="{quoted}"'}
        return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)


def _attachment(item: dict[str, Any]) -> Attachment:
    return Attachment(id=item["id"], taskId=item["taskId"], fileName=item["fileName"],
                      contentType=item["contentType"], sizeBytes=int(item["sizeBytes"]), objectKey=item["objectKey"],
                      status=item.get("status", "pending"), uploadedBy=item["uploadedBy"], createdAt=item["createdAt"])
