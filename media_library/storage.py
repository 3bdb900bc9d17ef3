"""Media storages (local files, S3) and their URLs: plain (CDN) for public files, short-lived SigV4 pre-signed URLs
for private ones."""

import contextlib
import os

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

MULTIPART_BYTES = 8 * 1024 * 1024


def is_s3(storage) -> bool:
    return isinstance(storage, S3Storage)  # also through Django's lazy default_storage


def presigned_url(storage: S3Storage, name: str, *, content_type: str, disposition: str) -> str:
    """A GET URL valid for MEDIA_PRIVATE_URL_EXPIRE seconds that S3 answers with our download headers.

    Signed straight against the bucket, never the custom domain: the CDN must not be able to cache private files.
    """
    from storages.utils import clean_name

    return storage.connection.meta.client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": storage._normalize_name(clean_name(name)),
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        },
        ExpiresIn=settings.MEDIA_PRIVATE_URL_EXPIRE,
    )


class LocalStorage(FileSystemStorage):
    """FileSystemStorage that removes what it wrote when a save fails (disk full, quota, I/O error).

    Django's leaves the partial file behind: a half-written document nobody's row points at, still filling the
    disk. The error itself goes on up (media_library.middleware tells the editor).
    """

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError as exc:
            if not isinstance(exc, FileExistsError):  # a name taken by someone else's file is not ours to delete
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.path(name))
            raise


class MediaS3Storage(S3Storage):
    """S3Storage whose botocore Config and TransferConfig are built here from plain numbers.

    Wagtail deletes a document's or image's file in a task whose arguments are the storage's deconstructed
    constructor options, stored as JSON: a Config or TransferConfig object among them made every delete on S3 fail
    after commit. Every option of this class is a string, number or None, so the task can be queued and the worker
    builds the same storage. Credentials are not options either (django-storages and boto3 read AWS_ACCESS_KEY_ID /
    AWS_SECRET_ACCESS_KEY from the environment), so they are never written into the task table.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 3,
        read_timeout: float = 6,
        max_attempts: int = 2,
        upload_concurrency: int = 4,
        **options,
    ):
        for name in ("client_config", "transfer_config", "access_key", "secret_key", "security_token"):
            if name in options:
                raise ImproperlyConfigured(f"MediaS3Storage builds {name} itself; give JSON-able options instead.")
        super().__init__(**options)
        # Bounded network waits: botocore's defaults hang for more than 75 s on a black-holed endpoint.
        self.client_config = Config(
            signature_version=self.signature_version,
            s3={"addressing_style": self.addressing_style},
            proxies=self.proxies,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
        )
        # Large files go up in 8 MB parts. s3transfer reads each part of a file object into memory and by default
        # queues 10 of them (max_in_memory_upload_chunks, not a TransferConfig argument): capped here so a 500 MB
        # video costs the web process about upload_concurrency x 8 MB whatever its size.
        self.transfer_config = TransferConfig(
            multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES, max_concurrency=upload_concurrency
        )
        self.transfer_config.max_in_memory_upload_chunks = upload_concurrency
