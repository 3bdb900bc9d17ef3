"""URLs for stored media: plain (CDN) for public files, short-lived SigV4 pre-signed URLs for private ones."""

import contextlib
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage


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
