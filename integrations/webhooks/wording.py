"""Delivery errors in words staff can repeat to a partner.

The log keeps the technical text (the inspect screen shows both); listings and the endpoint owner's email say what
happened and what the partner can check. Only the sender's own error texts are matched (services._send and
network), so the patterns follow those, not every exception Python can raise.
"""

import re
from http import HTTPStatus

GAVE_UP = re.compile(r"Gave up after (\d+) attempts; last: (.*)", re.DOTALL)
HTTP_STATUS = re.compile(r"HTTP (\d{3})")
DEADLINE = re.compile(r"within the ([\d.]+) s deadline")

CLOSED_EARLY = ("ConnectionResetError", "RemoteDisconnected", "BrokenPipeError", "IncompleteRead", "BadStatusLine")


def http_status_words(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "an unknown status"
    if 300 <= status < 400:
        return (
            f"The partner's server answered {status} ({phrase}), a redirect; webhooks do not follow redirects, so "
            "the endpoint's URL should be the final address."
        )
    if status in (401, 403):
        return (
            f"The partner's server refused the delivery: {status} ({phrase}). Check that it uses this endpoint's "
            "current secret and accepts our requests."
        )
    if status == 429:
        return f"The partner's server asked us to slow down: {status} ({phrase}). It is retried later."
    if 400 <= status < 500:
        return f"The partner's server rejected the delivery: {status} ({phrase})."
    return f"The partner's server had an error: {status} ({phrase}). It is retried later."


def in_plain_words(error: str) -> str:
    """One sentence or two for staff; an empty error stays empty, an unknown one is shown as it is."""
    if not error:
        return ""
    if gave_up := GAVE_UP.fullmatch(error):
        return f"Gave up after {gave_up[1]} attempts. The last one: {in_plain_words(gave_up[2])}"
    if status := HTTP_STATUS.match(error):
        return http_status_words(int(status[1]))
    if error.startswith("Blocked destination"):
        return "Not sent: the endpoint's address is on a private or reserved network, which webhooks never call."
    if "could not be resolved" in error or error.startswith("UnresolvableHost"):
        return "The partner's host name could not be found (DNS). Check the endpoint's URL."
    if error.startswith("ConnectionRefusedError"):
        return "The partner's server refused the connection: nothing is accepting requests at that address and port."
    if "Could not connect within" in error:
        seconds = DEADLINE.search(error)
        return f"The partner's server did not accept a connection within {seconds[1] if seconds else 'the'} seconds."
    if "No complete response within" in error or error.startswith(("TimeoutError", "DeadlineExceeded")):
        seconds = DEADLINE.search(error)
        within = f"within {seconds[1]} seconds" if seconds else "in time"
        return f"The partner's server did not answer {within}. It is retried later."
    if error.startswith(CLOSED_EARLY):
        return "The partner's server closed the connection before answering."
    if error.startswith(("SSLError", "SSLCertVerificationError", "CertificateError")):
        return "The secure connection to the partner's server failed (its certificate or TLS setup)."
    if error.startswith("The worker stopped mid-delivery"):
        return "Our delivery worker stopped during this attempt; the delivery was put back in the queue."
    return error
