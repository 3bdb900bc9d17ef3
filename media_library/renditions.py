"""Responsive renditions for any channel: the filter specs a set of widths asks for, bounded by the allow-list in
settings, and the per-request budget on how many renditions may be generated.

Rendering is Wagtail's own (`get_renditions`): `fill-` crops around the image's focal point, `width-` keeps the
proportions, neither upscales. Problems a caller can fix are raised as Django's ValidationError, which each channel
turns into its own error (GraphQL: an error on the field).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.images.models import AbstractImage, AbstractRendition, Filter

FORMATS = ("jpeg", "png", "webp", "avif")
# Crops by aspect ratio (width, height); None keeps the image's own proportions.
CROPS = {"original": None, "16:9": (16, 9), "4:3": (4, 3), "1:1": (1, 1)}


def allowed_widths() -> list[int]:
    return sorted(set(settings.GRAPHQL_IMAGE_WIDTHS))


def checked_widths(widths: list[int]) -> list[int]:
    """`widths` without duplicates, smallest first; any width outside the allow-list is refused whole."""
    allowed = allowed_widths()
    if not widths:
        raise ValidationError("Give at least one width.")
    if len(widths) > len(allowed):
        raise ValidationError(f"Give at most {len(allowed)} widths (there are only {len(allowed)} allowed ones).")
    if refused := [width for width in widths if width not in allowed]:
        raise ValidationError(
            f"Width {refused[0]} is not allowed. Use any of: {', '.join(str(width) for width in allowed)}."
        )
    return sorted(set(widths))


def largest_width(image: AbstractImage, ratio: tuple[int, int] | None) -> int:
    """The widest rendition `image` can give in this crop without upscaling."""
    if ratio is None:
        return image.width
    return min(image.width, image.height * ratio[0] // ratio[1])


def filter_spec(width: int, ratio: tuple[int, int] | None, image_format: str) -> str:
    resize = f"width-{width}" if ratio is None else f"fill-{width}x{round(width * ratio[1] / ratio[0])}"
    return f"{resize}|format-{image_format}"


def responsive_specs(image: AbstractImage, *, widths: list[int], image_format: str, crop: str) -> list[str]:
    """One filter spec per useful width. Widths at or beyond what the image can give would all come out the same
    size (Wagtail never upscales): only the first of them is kept, so the set ends with the largest real size."""
    if image_format not in FORMATS:
        raise ValidationError(f"Unknown image format. Use one of: {', '.join(FORMATS)}.")
    if crop not in CROPS:
        raise ValidationError(f"Unknown crop. Use one of: {', '.join(CROPS)}.")
    ratio = CROPS[crop]
    widths = checked_widths(widths)
    largest = largest_width(image, ratio)
    useful = [width for width in widths if width < largest] + [width for width in widths if width >= largest][:1]
    return [filter_spec(width, ratio, image_format) for width in useful]


class RenditionBudget:
    """How many renditions one request may still generate. Renditions that exist already are free, so asking
    again after a refusal succeeds once earlier requests have made what it needs."""

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def renditions(self, image: AbstractImage, specs: list[str]) -> list[AbstractRendition]:
        """The renditions of `image` for `specs`, in order; refused whole (nothing generated) when the new ones
        would exceed the budget."""
        filters = [Filter(spec=spec) for spec in specs]
        # Free of queries when the image's renditions were prefetched (the GraphQL loader does).
        new = len(filters) - len(image.find_existing_renditions(*filters))
        if new > self.left:
            raise ValidationError(
                f"This request may generate at most {self.limit} new image renditions and has {self.left} left; "
                f"this field needs {new}. Ask for fewer widths, formats or images, or send the query again: "
                "renditions that already exist cost nothing."
            )
        self.left -= new
        found = image.get_renditions(*filters)
        return [found[spec] for spec in specs]
