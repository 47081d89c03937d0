"""What each page of a typeset part draws, digested as WeasyPrint writes it (press/pagedigests.py):
equal pages have equal digests, and a page whose drawing names a resource that changed has another,
though its own drawing is the same bytes (a translucent image is drawn as a group, /x0, which
names the image: another image, the same /x0). The issue's pages: tests/test_proof_pages.py."""

from __future__ import annotations

import base64
import io

from PIL import Image


def _digests(html: str) -> tuple[tuple[str, ...], list[bytes]]:
    """The pages' digests, and each page's drawing as written."""
    from pydyf import _to_bytes
    from weasyprint import HTML

    from press.pagedigests import page_digests

    found: list = []

    def finisher(_, pdf) -> None:
        found.append(page_digests(pdf))
        for number in pdf.pages["Kids"][::3]:
            contents = pdf.objects[int(pdf.objects[number]["Contents"].split()[0])]
            found.append(b"\n".join(_to_bytes(item) for item in contents.stream))

    HTML(string=html).render().write_pdf(finisher=finisher)
    return found[0], found[1:]


def _pages(opacity: float = 1, color: str = "red") -> str:
    """Two pages, each the same image at the same place."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    src = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return (f"<style>@page {{ size: 60px 60px; margin: 0 }} body {{ margin: 0 }} img {{ width: 40px; display: block;"
            f" opacity: {opacity} }}</style><img src='{src}'><img src='{src}' style='break-before: page'>")


def test_equal_pages_have_equal_digests_and_a_changed_resource_another():
    digests, drawn = _digests(_pages())
    assert len(digests) == 2 and digests[0] == digests[1] and drawn[0] == drawn[1]
    assert _digests(_pages()) == (digests, drawn)  # the same part written again
    red, red_drawn = _digests(_pages(0.5))
    blue, blue_drawn = _digests(_pages(0.5, "blue"))
    assert blue_drawn == red_drawn and b"/x0 Do" in red_drawn[0]
    assert blue[0] != red[0] and blue[1] != red[1]
    assert _digests(_pages(0.5, "blue"))[0] == blue
    # A page that draws otherwise, naming the same resources.
    box = "<style>@page {{ size: 60px 60px; margin: 0 }}</style><div style='height: 20px; background: {}'></div>"
    assert _digests(box.format("red"))[0] != _digests(box.format("blue"))[0]
