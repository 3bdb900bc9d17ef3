"""Document serving: permission check + pre-signed URL (members-only) vs the plain CDN URL (public), side by side.

    .venv/bin/python bench/media_serving.py [--requests 2000]

Both go through /documents/<id>/<name> with S3 storage on a moto_server bucket and AWS_S3_CUSTOM_DOMAIN set, as a
member would request them: the public document redirects to its plain CDN URL, the members-only one is checked
against the privacy rule and redirected to a freshly signed SigV4 URL. The target is >= 0.5x.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.media_library.s3 import MotoServer, s3_env  # noqa: E402


def rate(client, url: str, count: int, expect: str) -> float:
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(url)
        assert response.status_code == 302 and expect in response["Location"], response
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    moto = MotoServer.start()
    os.environ.update(s3_env(moto.endpoint, "bench-serving", AWS_S3_CUSTOM_DOMAIN="media.cdn.example.org"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import boto3
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from wagtail.models import Collection, CollectionViewRestriction

    from media_library.factories import DocumentFactory
    from media_library.pdf import make_pdf

    boto3.client(
        "s3", endpoint_url=moto.endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).create_bucket(Bucket="bench-serving")
    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0)
    try:
        members = Collection.get_first_root_node().add_child(name="Members only")
        restriction = CollectionViewRestriction.objects.create(
            collection=members, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set([Group.objects.get(name="CoP Members")])
        public = DocumentFactory(title="Starter guide", file=ContentFile(make_pdf("Guide", []), "guide.pdf"))
        private = DocumentFactory(
            title="CoP notes", collection=members, file=ContentFile(make_pdf("Notes", []), "notes.pdf")
        )
        member = User.objects.create_user("member", password="x")
        member.groups.add(Group.objects.get(name="CoP Members"))
        client = Client()
        client.force_login(member)
        rate(client, public.url, 50, "media.cdn.example.org")  # warm up both paths
        rate(client, private.url, 50, "X-Amz-Signature")
        rows = []
        for _ in range(args.rounds):  # interleaved rounds: load on the machine hits both equally
            rows.append(
                (
                    rate(client, public.url, args.requests, "media.cdn.example.org"),
                    rate(client, private.url, args.requests, "X-Amz-Signature"),
                )
            )
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
        moto.stop()

    print(f"{'round':<8}{'public (CDN URL) req/s':>24}{'members-only (check + presign) req/s':>40}{'ratio':>8}")
    for number, (public_rate, private_rate) in enumerate(rows, start=1):
        print(f"{number:<8}{public_rate:>24.0f}{private_rate:>40.0f}{private_rate / public_rate:>8.2f}")
    best_public = max(row[0] for row in rows)
    best_private = max(row[1] for row in rows)
    ratio = best_private / best_public
    print(
        f"{'best':<8}{best_public:>24.0f}{best_private:>40.0f}{ratio:>8.2f}  target >= 0.50: "
        f"{'PASS' if ratio >= 0.5 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
