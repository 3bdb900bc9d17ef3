"""A real S3-compatible server for tests and benchmarks: `moto_server` (pip moto[server]) on an ephemeral port."""

import os
import shutil
import subprocess
import time
import urllib.request

from tests.helpers import free_port


class MotoServer:
    """Start with `MotoServer.start()`; `.endpoint` is its URL; `.stop()` ends only the process it started."""

    def __init__(self, process: subprocess.Popen, endpoint: str):
        self.process = process
        self.endpoint = endpoint

    @classmethod
    def start(cls, timeout: float = 30) -> "MotoServer":
        executable = shutil.which("moto_server") or os.path.join(os.path.dirname(os.sys.executable), "moto_server")
        if not os.path.exists(executable):
            raise FileNotFoundError("moto_server is not installed (pip install 'moto[server]')")
        port = free_port()
        process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with status {process.returncode}")
            try:
                with urllib.request.urlopen(endpoint + "/moto-api/", timeout=1):  # noqa: S310 (our own server)
                    return cls(process, endpoint)
            except OSError:
                time.sleep(0.2)
        process.kill()
        raise RuntimeError(f"moto_server did not answer on {endpoint} within {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def s3_env(endpoint: str, bucket: str, **extra: str) -> dict[str, str]:
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_ADDRESSING_STYLE": "path",
        **extra,
    }
