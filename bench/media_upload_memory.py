"""Peak memory of the web process while an editor uploads a 500 MB recording to S3 (moto_server).

    .venv/bin/python bench/media_upload_memory.py [--megabytes 500]

Starts moto_server and the CMS (`manage.py runserver`, SQLite in a temporary folder, S3 configured by env vars as
in production), logs in to the admin and streams one video through Wagtail's multiple-upload view. Reads the web
process's peak resident set (VmHWM) from /proc. The upload path: Django spools the request to a temporary file
(FILE_UPLOAD_MAX_MEMORY_SIZE), validation reads only its head, checksums stream it, and boto3 sends it in 8 MB
multipart parts (AWS_S3_UPLOAD_CONCURRENCY in flight), so memory does not grow with the file.
"""

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.media_library.s3 import MotoServer, free_port, s3_env  # noqa: E402

MB = 1024 * 1024
CREATE_ADMIN = (
    "from django.contrib.auth.models import User; "
    "User.objects.create_superuser('bench', 'bench@example.org', 'bench-pass-6')"
)


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class Admin:
    """A tiny HTTP client with cookies and CSRF, enough to drive the admin without holding the upload in memory."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        connection.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, data

    def csrf(self, path: str) -> str:
        self.request("GET", path)
        return self.cookies["csrftoken"]

    def login(self, username: str, password: str) -> None:
        token = self.csrf("/admin/login/")
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, _ = self.request(
            "POST", "/admin/login/", form, {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.url()}
        )
        assert status == 302, f"login failed ({status})"

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/admin/"

    def upload_video(self, size: int, filename: str = "cop-meeting.mp4") -> tuple[int, bytes]:
        token = self.csrf("/admin/documents/multiple/add/")
        boundary = "----bench6boundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nCoP meeting recording\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="{filename}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            yield b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * (MB - 24)
            chunk = os.urandom(MB)  # incompressible, reused: the bench measures the server, not the client
            for _ in range(size // MB - 1):
                yield chunk
            yield tail

        return self.request(
            "POST",
            "/admin/documents/multiple/add/",
            body(),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + size + len(tail)),
                "X-Requested-With": "XMLHttpRequest",
                "Referer": self.url(),
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    args = parser.parse_args()
    size = args.megabytes * MB

    moto = MotoServer.start()
    workdir = tempfile.mkdtemp(prefix="bench-media-")
    bucket = "bench-media"
    boto3.client(
        "s3", endpoint_url=moto.endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).create_bucket(Bucket=bucket)
    env = {
        **os.environ,
        **s3_env(moto.endpoint, bucket),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": f"{workdir}/media",
        "DEMO_CREDENTIALS_FILE": f"{workdir}/credentials",
        "LOG_LEVEL": "WARNING",
        # moto assembles a 500 MB CompleteMultipartUpload silently for longer than the 6 s default; AWS S3 sends
        # keep-alive whitespace while it works, so production can keep the short read timeout.
        "AWS_S3_READ_TIMEOUT": "300",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            CREATE_ADMIN,
        ],
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen([*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env)
    try:
        admin = Admin(port)
        for _ in range(100):
            try:
                admin.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        admin.login("bench", "bench-pass-6")
        idle = proc_kb(server.pid, "VmRSS")
        # A 16 MB multipart upload first: boto3's service models and transfer threads load once per process.
        status, data = admin.upload_video(16 * MB, "warm-up.mp4")
        assert status == 200 and b'"success": true' in data, (status, data[:300])
        baseline = proc_kb(server.pid, "VmRSS")
        started = time.monotonic()
        status, data = admin.upload_video(size)
        elapsed = time.monotonic() - started
        peak = proc_kb(server.pid, "VmHWM")
        assert status == 200 and b'"success": true' in data, (status, data[:300])
        stored = boto3.client(
            "s3", endpoint_url=moto.endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        ).list_objects_v2(Bucket=bucket)["Contents"]
        video = next(item for item in stored if item["Key"] == "recordings/cop-meeting.mp4")
        assert video["Size"] == size, video
    finally:
        server.terminate()
        server.wait(timeout=20)
        moto.stop()

    print(f"{'upload':<34}{'value':>14}")
    print(f"{'file size':<34}{size / MB:>11.0f} MB")
    print(f"{'stored in S3 as':<34}{video['Key']:>14}")
    print(f"{'upload time':<34}{elapsed:>12.1f} s")
    print(f"{'throughput':<34}{size / MB / elapsed:>9.1f} MB/s")
    print(f"{'web process RSS, idle after login':<34}{idle / 1024:>11.1f} MB")
    print(f"{'... after a 16 MB warm-up upload':<34}{baseline / 1024:>11.1f} MB")
    print(f"{'web process peak RSS (VmHWM)':<34}{peak / 1024:>11.1f} MB")
    growth = (peak - baseline) / 1024
    print(f"{'growth during the 500 MB upload':<34}{growth:>11.1f} MB  ({growth * MB / size:.2f}x file size)")
    print(f"{'target: peak < 100 MB':<34}{'PASS' if peak / 1024 < 100 else 'FAIL':>14}")
    print(f"{'target: growth < 100 MB':<34}{'PASS' if growth < 100 else 'FAIL':>14}")


if __name__ == "__main__":
    main()
