"""WebVTT captions checked on upload: the header, then cues whose timings parse and run forwards.

Not a full W3C parser: enough that a player will not choke (a missing header, a comma instead of a dot, an end
before its start or text that is not UTF-8 are the mistakes editors make when exporting from other tools).
"""

import re

from django.core.exceptions import ValidationError

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?$")


def _seconds(hours, minutes, seconds, millis) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def validate_webvtt(content: bytes) -> None:
    """Raise ValidationError naming the first problem (with its line number) in `content`."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("Captions must be UTF-8 text (WebVTT).") from error
    if "\x00" in text:
        raise ValidationError("Captions must be text: the file contains NUL bytes.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValidationError("That file is not WebVTT: it must start with the line 'WEBVTT'.")
    cues = 0
    for number, line in enumerate(lines[1:], start=2):
        if "-->" not in line:
            continue
        match = _TIMING.match(line.strip())
        if not match:
            raise ValidationError(
                f"Line {number}: cue timing must look like '00:00:01.000 --> 00:00:04.000'.", code="webvtt_timing"
            )
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end <= start:
            raise ValidationError(f"Line {number}: a cue must end after it starts.", code="webvtt_timing")
        cues += 1
    if not cues:
        raise ValidationError("The captions file has no cues.", code="webvtt_empty")
