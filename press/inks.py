"""The press PDF's colour: what each colour of the pages prints with.

The pages come from WeasyPrint in DeviceRGB. For the press they become:

- neutral greys (black text, grey running heads) a tint of the black plate alone, of the grey's
  lightness relative to the paper: a grey darker than solid black can print (the design's ink,
  #1a1a1a, like pure black) is solid black. A press misregisters, and a thin stroke of four
  inks shows coloured fringes; a black plate alone cannot;
- other flat colours (the brand's blue and red, tints, white) the output profile's CMYK,
  relative colorimetric with black point compensation, as a prepress program converts them;
- DeviceGray is already a tint of black (ISO 32000-1 §10.3.5) and is written as one;
- images and anything else in RGB stay RGB, made device-independent: ICC-based sRGB
  (explicitly on images, and as DefaultRGB in every resource dictionary), for the RIP to
  separate with the output intent's profile, within its ink limit.

Transparency groups blend in DeviceCMYK, the output's own space, so that a black-only text
inside one stays black-only (blending in RGB would turn it into four-colour black).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path

import pikepdf
from PIL import Image, ImageCms
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject

from .errors import PressError

# The profile WeasyPrint itself embeds, read from its folder: importing WeasyPrint here would cost
# every build's main process two seconds, and make it typeset in process (press.typeset).
SRGB = (Path(find_spec("weasyprint").submodule_search_locations[0]) / "pdf" / "sRGB2014.icc").read_bytes()


@dataclass(frozen=True)
class OutputCondition:
    """The printing condition the press PDF is made for: its profile and its name."""

    profile: bytes
    identifier: str  # OutputConditionIdentifier: a registered name, or "Custom"
    info: str  # a human-readable description of the condition
    registry: str = "http://www.color.org"

    @cached_property
    def _to_cmyk(self) -> ImageCms.ImageCmsTransform:
        return ImageCms.buildTransform(_profile(SRGB), _profile(self.profile), "RGB", "CMYK",
                                       renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                       flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)

    @cached_property
    def _black_lightness(self) -> list[float]:
        """L* (relative to the paper) of the black plate alone at each 8-bit tint, 0 to 255."""
        ramp = Image.frombytes("CMYK", (256, 1), bytes(b for k in range(256) for b in (0, 0, 0, k)))
        lab = ImageCms.applyTransform(ramp, ImageCms.buildTransform(
            _profile(self.profile), ImageCms.createProfile("LAB"), "CMYK", "LAB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC))
        return [lab.getpixel((k, 0))[0] / 2.55 for k in range(256)]

    @cached_property
    def _separated(self) -> dict[tuple[float, ...], tuple[float, ...]]:
        return {}  # a page uses a few colours many times

    def cmyk(self, rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
        """The press colour of a flat RGB colour of the pages."""
        if rgb not in self._separated:
            self._separated[rgb] = self._separate(rgb)
        return self._separated[rgb]

    def _separate(self, rgb: tuple[float, float, float]) -> tuple[float, float, float, float]:
        if rgb[0] == rgb[1] == rgb[2]:
            return 0.0, 0.0, 0.0, self._black_for(_srgb_lightness(rgb[0]))
        pixel = Image.new("RGB", (1, 1), tuple(round(min(max(c, 0.0), 1.0) * 255) for c in rgb))
        return tuple(round(v / 255, 3) for v in ImageCms.applyTransform(pixel, self._to_cmyk).getpixel((0, 0)))

    def _black_for(self, lightness: float) -> float:
        curve = self._black_lightness
        if lightness <= curve[-1]:
            return 1.0  # darker than solid black prints: solid black
        for k in range(1, 256):
            if curve[k] <= lightness:  # lightness falls between tints k-1 and k
                lighter, darker = curve[k - 1], curve[k]
                share = min(max((lighter - lightness) / (lighter - darker), 0.0), 1.0) if lighter > darker else 0.0
                return round((k - 1 + share) / 255, 3)
        return 0.0


def output_condition(path: Path, default: Path) -> OutputCondition:
    """The condition of the profile at `path`: FOGRA39 for the committed one, else the
    print shop's own, named by its description (ISO 15930-7 calls that "Custom")."""
    try:
        data = path.read_bytes()
        profile = _profile(data)
    except (OSError, ImageCms.PyCMSError) as exc:
        raise PressError.at(path, None, f"cannot read the press profile: {exc}", code="profile.unreadable") from None
    device_class, space = data[12:16], data[16:20]
    if data[36:40] != b"acsp" or device_class != b"prtr" or space != b"CMYK":
        raise PressError.at(path, None, f"the press profile must be a CMYK printer profile (class 'prtr', 'CMYK'), "
                                        f"not {device_class.decode('latin-1')!r}, {space.decode('latin-1')!r}: "
                                        "ask the print shop for its output profile", code="profile.kind")
    description = ImageCms.getProfileDescription(profile).strip()
    if path.resolve() == default.resolve():
        return OutputCondition(data, "FOGRA39", "Coated FOGRA39 (ISO 12647-2:2004/Amd 1)")
    return OutputCondition(data, "Custom", description or path.name, registry="")


def to_press_inks(page, condition: OutputCondition, srgb: IndirectObject, done: set[int]) -> None:
    """Rewrite the page's colours as the module's docstring says, with its forms, patterns and
    images; `srgb` is the document's ICC-based sRGB space (srgb_space), `done` holds the
    objects already rewritten (forms and images are shared between pages)."""
    group = page.get("/Group")
    if group is not None and group.get_object().get("/CS") is not None:
        group.get_object()[NameObject("/CS")] = NameObject("/DeviceCMYK")
    _resources(page["/Resources"].get_object(), srgb, condition, done)
    contents = page.raw_get("/Contents")
    for ref in (contents.get_object() if isinstance(contents.get_object(), ArrayObject) else [contents]):
        if id(ref.get_object()) not in done:
            done.add(id(ref.get_object()))
            _rewrite(ref.get_object(), condition)


def _resources(resources: DictionaryObject, srgb, condition: OutputCondition, done: set[int]) -> None:
    spaces = DictionaryObject(resources.get("/ColorSpace", DictionaryObject()).get_object())
    spaces[NameObject("/DefaultRGB")] = srgb
    resources[NameObject("/ColorSpace")] = spaces
    for xobject in resources.get("/XObject", DictionaryObject()).get_object().values():
        xobject = xobject.get_object()
        if id(xobject) in done:
            continue
        done.add(id(xobject))
        if xobject["/Subtype"] == "/Image":
            if xobject.get("/ColorSpace") == "/DeviceRGB":
                xobject[NameObject("/ColorSpace")] = srgb
        else:
            group = xobject.get("/Group")
            if group is not None and group.get_object().get("/CS") is not None:
                group.get_object()[NameObject("/CS")] = NameObject("/DeviceCMYK")
            if "/Resources" in xobject:
                _resources(xobject["/Resources"].get_object(), srgb, condition, done)
            _rewrite(xobject, condition)
    for pattern in resources.get("/Pattern", DictionaryObject()).get_object().values():
        pattern = pattern.get_object()
        if pattern.get("/PatternType") == 1 and id(pattern) not in done:
            done.add(id(pattern))
            _resources(pattern["/Resources"].get_object(), srgb, condition, done)
            _rewrite(pattern, condition)
        elif "/Shading" in pattern:
            _shading(pattern["/Shading"].get_object(), srgb)
    for shading in resources.get("/Shading", DictionaryObject()).get_object().values():
        _shading(shading.get_object(), srgb)


def _shading(shading: DictionaryObject, srgb) -> None:
    if shading.get("/ColorSpace") == "/DeviceRGB":
        shading[NameObject("/ColorSpace")] = srgb


_FLAT = {b"rg": b"k", b"RG": b"K"}


def _rewrite(stream: StreamObject, condition: OutputCondition) -> None:
    # qpdf's parser (through pikepdf): pypdf's takes seconds over the text of an issue. It parses
    # only a stream that belongs to a document, and the document keeps every stream made in it: a
    # scratch one each time (5 µs), or serve would hold every press build's page text for good.
    # Named, so that it outlives the stream (a Stream does not keep its document alive).
    scratch = pikepdf.Pdf.new()
    operations = pikepdf.parse_content_stream(pikepdf.Stream(scratch, stream.get_data()))
    changed = False
    for index, (operands, operator) in enumerate(operations):
        name = bytes(operator)
        if name in _FLAT:
            cmyk = condition.cmyk(tuple(float(v) for v in operands))
            operations[index] = ([Decimal(f"{v:.3f}") for v in cmyk], pikepdf.Operator(_FLAT[name].decode()))
            changed = True
        elif name in (b"g", b"G"):
            black = Decimal(f"{1 - float(operands[0]):.3f}")
            operations[index] = ([0, 0, 0, black], pikepdf.Operator("k" if name == b"g" else "K"))
            changed = True
    if changed:
        stream.set_data(pikepdf.unparse_content_stream(operations))


def srgb_space(writer) -> IndirectObject:
    """An ICC-based sRGB colour space, added to the document once."""
    profile = StreamObject()
    profile.set_data(SRGB)
    profile[NameObject("/N")] = NumberObject(3)
    profile[NameObject("/Alternate")] = NameObject("/DeviceRGB")
    return writer._add_object(ArrayObject([NameObject("/ICCBased"), writer._add_object(profile.flate_encode())]))


def _profile(data: bytes) -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(data))


def _srgb_lightness(value: float) -> float:
    """CIE L* of an sRGB grey (IEC 61966-2.1's curve, then CIE 1976)."""
    linear = value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    return 903.3 * linear if linear <= 216 / 24389 else 116 * linear ** (1 / 3) - 16
