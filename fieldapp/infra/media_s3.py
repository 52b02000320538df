"""The S3-compatible media backend (AWS S3, MinIO, Ceph, Garage…) on boto3.

Objects go under `<prefix>/<key>` in one bucket; credentials come from boto3's usual chain
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from the URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from fieldapp.config import MediaLocation
from fieldapp.infra.media import check_key, is_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3Store:
    """Objects in a bucket, one per key, written once (no upload when the key exists)."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    @classmethod
    def from_location(cls, location: MediaLocation) -> S3Store:
        """A store for a parsed `s3://` FIELDAPP_MEDIA_URL."""
        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 4, "mode": "standard"},
            s3={"addressing_style": location.addressing_style or "auto"},
        )
        # A session of its own: boto3's default session is shared module state.
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=location.endpoint_url,
            region_name=location.region,
            config=config,
        )
        return cls(client, location.bucket, location.prefix)

    def object_key(self, key: str) -> str:
        """The object's name in the bucket.

        :raises ValueError: for a key that is not a plain relative name.
        """
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def store(self, key: str, data: bytes, content_type: str) -> None:
        """Upload once, with its content type; an existing object is left as it is."""
        if self.exists(key):
            return
        self.client.put_object(
            Bucket=self.bucket, Key=self.object_key(key), Body=data, ContentType=content_type
        )

    def read(self, key: str) -> bytes:
        """The object's bytes.

        :raises FileNotFoundError: when there is no such object.
        """
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"s3://{self.bucket}/{self.object_key(key)}") from exc
            raise
        with found["Body"] as body:
            return body.read()

    def exists(self, key: str) -> bool:
        """Whether the object is there (a HEAD request)."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        """Delete the object; False when it was not there."""
        if not self.exists(key):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        return True

    def iter_keys(self) -> Iterator[str]:
        """Every object under the prefix, as a key (folder markers left out)."""
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        found = (
            item["Key"].removeprefix(start) for page in pages for item in page.get("Contents", ())
        )
        return iter(sorted(key for key in found if is_key(key)))  # not folder markers ("a/")
