"""The load suite's CMS-side helpers, run as separate processes in the served CMS's environment (bench/load/run.py).

    python bench/load/cms_side.py prepare --receiver URL --secret whsec_... [--receiver ...] [--tokens 10]
    python bench/load/cms_side.py editor --every 3

`prepare` registers the webhook endpoints (through the same service as the admin and `manage.py webhooks add`),
creates partner API tokens and prints, as one JSON line, what the virtual users need: tokens, event and topic slugs,
public document URLs. `editor` is an editor publishing a new revision of a demo event every few seconds (a changed
summary, as an edit in the admin would make) until SIGTERM, then prints how many it published. Publishing goes
through Wagtail's revision.publish(), so signals, the webhook outbox, feed validators and the RQ queue all see it.
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from events.models import TrainingEventPage  # noqa: E402
from integrations.graphql.services import api_token_create  # noqa: E402
from integrations.webhooks.services import endpoint_create  # noqa: E402
from media_library.models import CustomDocument  # noqa: E402
from pages.access import visible_pages  # noqa: E402
from pages.models import Topic  # noqa: E402


def prepare(receivers: list[str], secrets: list[str], tokens: int) -> dict:
    for number, (url, secret) in enumerate(zip(receivers, secrets, strict=True), start=1):
        endpoint_create(url=url, event_types=["*"], secret=secret, description=f"load suite receiver {number}")
    partner = get_user_model().objects.get(username="partner")
    plaintexts = [api_token_create(user=partner, name=f"load suite {n}", source="bench")[1] for n in range(tokens)]
    events = visible_pages(TrainingEventPage.objects.all(), user=None)
    documents = CustomDocument.objects.filter(collection__name="Public").exclude(file="")
    return {
        "tokens": plaintexts,
        "event_slugs": sorted(events.values_list("slug", flat=True)),
        "topic_slugs": sorted(Topic.objects.values_list("slug", flat=True)),
        "documents": [document.url for document in documents],
    }


def editor(every: float) -> int:
    """Publish a revision every `every` seconds, cycling through the live events; returns how many."""
    stop = False

    def finish(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    pks = list(visible_pages(TrainingEventPage.objects.all(), user=None).order_by("pk").values_list("pk", flat=True))
    published = 0
    while not stop:
        event = TrainingEventPage.objects.get(pk=pks[published % len(pks)]).get_latest_revision_as_object()
        base = event.summary.split(" [load ", 1)[0]
        event.summary = f"{base} [load {published}]"
        event.save_revision().publish()
        published += 1
        deadline = time.monotonic() + every
        while not stop and time.monotonic() < deadline:
            time.sleep(0.1)
    return published


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--receiver", action="append", default=[])
    p.add_argument("--secret", action="append", default=[])
    p.add_argument("--tokens", type=int, default=10)
    e = sub.add_parser("editor")
    e.add_argument("--every", type=float, default=3.0)
    args = parser.parse_args()
    if args.action == "prepare":
        print(json.dumps(prepare(args.receiver, args.secret, args.tokens)), flush=True)
    else:
        print(json.dumps({"published": editor(args.every)}), flush=True)


if __name__ == "__main__":
    main()
