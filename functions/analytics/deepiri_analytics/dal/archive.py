"""The S3 archive bucket: puts archived events and tombstones, reads them back for a rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Archive:
    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket, self._client = bucket, client

    def put(self, key: str, text: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=text.encode(), ContentType="application/json")

    def keys(self, prefix: str) -> Iterator[str]:
        token = None
        while True:
            args: dict[str, Any] = {"Bucket": self._bucket, "Prefix": prefix}
            if token:
                args["ContinuationToken"] = token
            page = self._client.list_objects_v2(**args)
            for item in page.get("Contents", []):
                yield str(item["Key"])
            token = page.get("NextContinuationToken")
            if not token:
                return

    def read(self, key: str) -> str:
        return str(self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read().decode())

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)
