"""Fault 3: S3 refusing connections, and S3 black-holing them (accepts, never answers).

Document metadata lives in the database, so GraphQL keeps answering; anything that needs the store answers within
the bounded botocore timeouts (connect 3 s, read 6 s, 2 attempts) with a clear error, never a hang or a 500.
"""

import pytest

from tests.faults import harness

DOCUMENTS_QUERY = "{ publications(perPage: 20) { items { title document { title fileSize contentType url } } } }"
BOUND_SECONDS = 30  # the worst case of botocore's bounded attempts, with room for a loaded machine


@pytest.mark.parametrize("fault", ["refusing", "black-hole"])
def test_s3_unavailable(stack, processes, fault):
    hole = harness.BlackHole() if fault == "black-hole" else None
    port = hole.port if hole else harness.free_port()  # nothing listens on a fresh free port: refused
    try:
        env = stack.env(s3={"AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
        web, base = harness.gunicorn(env, stack.logs / f"web-s3-{fault}.log")
        processes.append(web)

        metadata = harness.graphql(base, DOCUMENTS_QUERY, timeout=BOUND_SECONDS)
        assert metadata.status == 200, metadata.body[:300]
        documents = [item["document"] for item in metadata.json()["data"]["publications"]["items"] if item["document"]]
        assert documents and all(doc["title"] and doc["contentType"] for doc in documents)

        path = documents[0]["url"].split("://", 1)[-1].split("/", 1)[1]
        download = harness.get_no_redirect(f"{base}/{path}", timeout=BOUND_SECONDS + 10)
        health = harness.get(base + "/healthz", timeout=BOUND_SECONDS + 10)
        harness.summary(
            f"s3-{fault}: GraphQL metadata {metadata.status} in {metadata.seconds:.1f}s ({len(documents)} documents), "
            f"download {download.status} in {download.seconds:.1f}s, healthz {health.status} in {health.seconds:.1f}s "
            f"(storage ok={health.json()['storage']['ok'] if health.status else None})"
        )
        # Public documents are redirects to a signed URL (made without asking S3); anything that must ask S3 gets
        # a clear 503. Never a 500, never a hang.
        assert download.status in (302, 503), (download.status, download.error, download.body[:300])
        assert download.seconds < BOUND_SECONDS
        if download.status == 503:
            assert b"media store is not responding" in download.body
        assert health.status == 503 and health.seconds < BOUND_SECONDS
        assert health.json()["storage"]["ok"] is False
        assert health.json()["database"]["ok"] is True
        assert harness.graphql(base, DOCUMENTS_QUERY).status == 200  # and the API still answers afterwards
    finally:
        if hole:
            hole.close()
