"""What every chart must be: a decodable PNG, phone-wide, of a sane size."""
import io

import matplotlib.image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_phone_png(png: bytes) -> None:
    """Fail unless png is a 1080 px wide PNG between 10 KB and 2 MB that matplotlib can decode."""
    assert png[:8] == PNG_MAGIC
    assert 10_000 <= len(png) <= 2_000_000, len(png)
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[1] == 1080 and pixels.shape[0] >= 800
