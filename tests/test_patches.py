"""press/patches.py: every patch to WeasyPrint is checked against the source it was written for.

Each check runs in a process of its own: installing the patches changes WeasyPrint for the
rest of the process, and importing WeasyPrint here would set up fontconfig for every test."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from conftest import ROOT


# WeasyPrint imported as press imports it, with press's patches installed: what the test of each
# patch compares with WeasyPrint's own function (the patch's __wrapped__).
PATCHED = "from press.typeset import import_weasyprint\nimport_weasyprint()\nfrom press.patches import install\ninstall()\n"


def run(code: str, patched: bool = False) -> subprocess.CompletedProcess:
    """Run code in a script file of its own (inspect reads the source of what it defines), after
    PATCHED with `patched`."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "script.py"
        script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + (PATCHED if patched else "")
                          + textwrap.dedent(code))
        return subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_patch_is_written_for_the_installed_weasyprint():
    result = run("""
        import weasyprint
        from press.patches import PATCHES, WRITTEN_FOR, fingerprint
        print(weasyprint.__version__, WRITTEN_FOR["weasyprint"])
        for patch in PATCHES:
            for path, wanted in patch.originals.items():
                print(path, fingerprint(path) == wanted)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    installed, written_for = lines[0].split()
    assert installed == written_for
    assert len(lines) > 1 and all(line.endswith(" True") for line in lines[1:]), result.stdout


def test_a_changed_weasyprint_stops_before_anything_is_patched():
    """A WeasyPrint whose justify_line differs, and whose _build_box_tree is gone: one error
    for each, naming the version, the patch and the function; nothing is patched."""
    result = run("""
        import weasyprint
        from weasyprint.layout import block, column, inline
        from weasyprint.pdf import tags

        def justify_line(context, line, extra_width):
            return None

        inline.justify_line = justify_line
        del tags._build_box_tree
        from press.errors import PressError
        from press.patches import install
        try:
            install()
        except PressError as exc:
            for problem in exc.problems:
                print(problem.format())
        print(weasyprint.__version__, block.columns_layout is column.columns_layout,
              inline.justify_line is justify_line)
    """)
    assert result.returncode == 0, result.stderr
    *errors, last = result.stdout.splitlines()
    version, columns_untouched, justify_untouched = last.split()
    assert (columns_untouched, justify_untouched) == ("True", "True")
    changed = hashlib.sha256(textwrap.dedent("""\
        def justify_line(context, line, extra_width):
            return None
    """).encode()).hexdigest()
    assert errors == [
        f"press/composition.py: error: WeasyPrint {version}: weasyprint.layout.inline.justify_line has changed "
        f"(source sha256 {changed[:12]}…, not f83b21ff8793…), and the patch 'Chinese line composition' was written "
        "for it as in WeasyPrint 70.0. Install weasyprint==70.0 (the pin of pyproject.toml), or port the patch "
        "(see press/patches.py)  [patch.changed]",
        f"press/tagging.py: error: WeasyPrint {version}: weasyprint.pdf.tags._build_box_tree is gone, and the patch "
        "'PDF tags' was written for it as in WeasyPrint 70.0. Install weasyprint==70.0 (the pin of pyproject.toml), "
        "or port the patch (see press/patches.py)  [patch.changed]",
    ], result.stdout


def test_fonttools_subsetter_is_imported_only_when_used():
    """press.typeset.import_weasyprint: WeasyPrint imported without fontTools' subsetter and
    instancer (nor what they import), which are the real modules once a name of theirs is read."""
    result = run("""
        import sys
        from press.typeset import import_weasyprint
        import_weasyprint()
        print(sorted(name for name in ("fontTools.subset", "fontTools.varLib", "fontTools.varLib.instancer")
                     if name in sys.modules))
        from weasyprint.pdf import fonts
        import fontTools.subset
        print(fonts.subset.Subsetter is fontTools.subset.Subsetter, sys.modules["fontTools.subset"] is fontTools.subset)
        from fontTools.varLib import instancer
        instancer.instantiateVariableFont = lambda *args, **kwargs: ("instanced", args, kwargs)
        print(fonts.instantiateVariableFont("font", {"wght": 400}, static=True))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True True", "('instanced', ('font', {'wght': 400}), {'static': True})"]


HINTED = """
    from weasyprint import HTML

    page = HTML(string='<table border=3 cellpadding=7 width=300><tr><td align=right bgcolor=red>x</td>'
                       '<td valign=bottom>y<br>z</td></tr></table><hr size=9 noshade>'
                       '<p align=center><font color=blue size=5 face=serif>w</font></p>').render(
        presentational_hints=True).pages[0]._page_box

    def walk(box):
        yield (type(box).__name__, getattr(box, "element_tag", ""), round(box.position_x, 2),
               round(box.position_y, 2), round(box.width, 2), round(box.height, 2),
               str(box.style["text_align_all"]), str(box.style["vertical_align"]),
               str(box.style["background_color"]), str(box.style["color"]), str(box.style["font_size"]))
        for child in getattr(box, "children", []):
            yield from walk(child)

    print(list(walk(page)))
"""


def test_presentational_hints_are_parsed_when_read():
    """press.typeset.import_weasyprint: the presentational hints' stylesheet is not parsed while
    WeasyPrint is imported, and a document rendered with presentational_hints is laid out and
    styled as with WeasyPrint imported plainly (hints that move and colour boxes, as the sheet
    sets them)."""
    ours = run(textwrap.dedent("""
        from press.typeset import import_weasyprint
        import_weasyprint()
        import weasyprint.html
        print(type(weasyprint.html.PH_STYLESHEET).__name__, weasyprint.html.PH_STYLESHEET._sheet)
    """) + textwrap.dedent(HINTED))
    plain = run(HINTED)
    assert ours.returncode == 0, ours.stderr
    assert plain.returncode == 0, plain.stderr
    unparsed, boxes = ours.stdout.splitlines()
    assert unparsed == "_SheetOnUse None"
    assert boxes == plain.stdout.strip()
    # the hints took: the cells' alignments and colour, the paragraph's, the font's colour and size,
    # the rule's grey (each box's tag and style: where a box falls is the fonts' doing, and the
    # fonts a plain WeasyPrint finds differ from machine to machine)
    styled = {(tag, *style) for _, tag, _, _, _, _, *style in ast.literal_eval(boxes)}
    black, none = "color(srgb 0.0 0.0 0.0 / 1.0)", "color(srgb 0.0 0.0 0.0 / 0.0)"
    grey = f"color(srgb {' '.join(3 * [str(128 / 255)])} / 1.0)"
    assert ("td", "right", "middle", "color(srgb 1.0 0.0 0.0 / 1.0)", black, "16") in styled
    assert ("td", "start", "bottom", none, black, "16") in styled
    assert ("p", "center", "baseline", none, black, "16") in styled
    assert ("font", "center", "baseline", none, "color(srgb 0.0 0.0 1.0 / 1.0)", "24.0") in styled
    assert ("hr", "start", "baseline", none, grey, "16") in styled


def test_weasyprint_loads_its_libraries_without_running_a_program():
    """press.typeset.import_weasyprint: no ldconfig, gcc or ld run to find a library (cffi's
    find_library, for each name of a library that does not load), and every library WeasyPrint
    must have is loaded, from the files a plain import loads."""
    result = run("""
        import subprocess
        started = []
        popen = subprocess.Popen.__init__
        def recorded(self, args, *rest, **options):
            started.append(args)
            popen(self, args, *rest, **options)
        subprocess.Popen.__init__ = recorded
        from press.typeset import import_weasyprint
        import_weasyprint()
        from weasyprint.text import ffi
        print(len(started), all(getattr(ffi, name) is not None
                                for name in ("gobject", "pango", "harfbuzz", "fontconfig", "pangoft2")))
        lines = open("/proc/self/maps").read().splitlines()
        print(sorted({line.split()[-1] for line in lines if "libpango" in line or "libharfbuzz" in line}))
    """)
    assert result.returncode == 0, result.stderr
    counted, loaded = result.stdout.splitlines()
    assert counted == "0 True"
    plain = run("""
        from weasyprint.text import ffi
        lines = open("/proc/self/maps").read().splitlines()
        print(sorted({line.split()[-1] for line in lines if "libpango" in line or "libharfbuzz" in line}))
    """)
    assert plain.returncode == 0, plain.stderr
    assert loaded == plain.stdout.strip()


def test_used_lengths_are_weasyprints():
    """press.percent's resolve_percentages sets every used length as WeasyPrint's own does: each
    call of a layout with percentages of both axes, calc(), auto sizes, the three box-sizings,
    collapsed table borders, columns and a page box, made again on a copy of the box by
    WeasyPrint's function, every attribute compared; then each box again in containing blocks of
    other sizes (press.percent keeps the lengths of a style for each size it is asked of)."""
    result = run("""
        import importlib
        from weasyprint import HTML
        from press.percent import MODULES

        mine = importlib.import_module("weasyprint.layout.block").resolve_percentages
        original = mine.__wrapped__
        assert mine is not original
        calls = []

        def checked(box, containing_block):
            twin = box.copy()
            original(twin, containing_block)
            mine(box, containing_block)
            calls.append(vars(box) == vars(twin))
            # (a page's is its size, a tuple; a block being sized has no width yet)
            if isinstance(getattr(containing_block, "width", None), (int, float)):
                boxes.append(box)
                blocks.setdefault((containing_block.width, containing_block.height), containing_block)

        boxes, blocks = [], {}  # containing blocks by size

        for name in MODULES:
            importlib.import_module(f"weasyprint.layout.{name}").resolve_percentages = checked
        HTML(string='''
            <style>
              @page { size: 120mm 160mm; margin: 5% 10mm calc(4mm + 2%) }
              body { columns: 2; column-gap: 4% }
              div { width: 60%; margin: 2% auto 1em; padding: 3% calc(1em + 5%); min-height: 10%;
                    max-width: calc(100% - 2mm); border: 1px solid }
              .border { box-sizing: border-box } .padding { box-sizing: padding-box; height: 20px }
              table { border-collapse: collapse; width: 80% } td { border: 2px solid; padding: 1% }
              span { padding: 0 2%; margin: 0 1% }
            </style>
            <div>one <span>two</span></div><div class="border">three</div><div class="padding">four</div>
            <table><tr><td>a</td><td style="width: 30%">b</td></tr></table>
            <p style="text-indent: 5%; margin: 0 0 5%">''' + "text " * 400 + "</p>").render()
        from weasyprint.formatting_structure.boxes import PageBox
        for box in [box for box in boxes if not isinstance(box, PageBox)]:  # (a page's margins need a height)
            for block in list(blocks.values()):
                if isinstance(block.width, (int, float)):  # as it stands: a check may have set it back to auto
                    checked(box, block)
        print(len(calls), calls.count(False))
    """, patched=True)
    assert result.returncode == 0, result.stderr
    count, different = map(int, result.stdout.split())
    assert count > 100 and different == 0, result.stdout


def test_normal_flow_is_weasyprints():
    """press.flow's Box.is_in_normal_flow answers as WeasyPrint's own for every box asked in a layout
    with floats, footnotes, absolute, fixed and running boxes, and flex items (one floated, which
    flex_children makes a flex item, never floated)."""
    result = run("""
        from weasyprint import HTML
        from weasyprint.formatting_structure import boxes

        mine = boxes.Box.is_in_normal_flow
        original = mine.__wrapped__
        assert mine is not original
        answers = []

        def checked(self):
            answers.append((mine(self), original(self)))
            return answers[-1][0]

        boxes.Box.is_in_normal_flow = checked
        document = HTML(string='''
            <style>
              @page { size: 120mm 160mm; @top-center { content: element(head) } }
              header { position: running(head) } .note { float: footnote }
              .l { float: left; width: 20mm } .r { float: right; width: 20mm }
              .a { position: absolute; top: 0 } .f { position: fixed; bottom: 0 }
              .flex { display: flex } .flex div { float: left; width: 30mm }
            </style>
            <header>Head</header><p>Text<span class="note">a note</span> more.</p>
            <div class="l">left</div><div class="r">right</div><p class="a">abs</p><p class="f">fixed</p>
            <div class="flex"><div>one</div><div>two</div> text</div>
            <p>''' + "text " * 300 + "</p>").render()

        def walk(box):  # and every box laid out, the notes in their area too
            checked(box)
            for child in getattr(box, "children", ()):
                walk(child)

        for page in document.pages:
            walk(page._page_box)
        # and every value of the two properties, on boxes made for the purpose
        for float_ in ("none", "left", "right", "inline-start", "inline-end", "footnote"):
            for position in ("static", "relative", "absolute", "fixed", ("running()", "x"), ("note()", "x")):
                checked(boxes.BlockBox("div", {"float": float_, "position": position}, None, []))
        kinds = {(a, b) for a, b in answers}
        print(len(answers), sum(a != b for a, b in answers), int((False, False) in kinds), int((True, True) in kinds))
    """, patched=True)
    assert result.returncode == 0, result.stderr
    count, different, out_of_flow, in_flow = map(int, result.stdout.split())
    assert count > 100 and different == 0 and out_of_flow and in_flow, result.stdout


def test_margin_boxes_are_weasyprints():
    """press.margins makes no margin box for a page none of whose margin styles generates one, and
    WeasyPrint's own for a page that has one: a document whose named pages have a folio and whose
    others have none is written the same, byte for byte, with each page's margin boxes (a folio on
    each named page, none on the others) and every margin style's content and counters
    (standardized in place by WeasyPrint) as WeasyPrint leaves them."""
    result = run("""
        from weasyprint import HTML, layout
        from press.margins import AT_KEYWORDS

        mine = layout.make_margin_boxes
        original = mine.__wrapped__
        assert mine is not original
        html = '''
            <style>
              @page { size: 120mm 160mm; margin: 15mm }
              @page chapter { @bottom-center { content: "p. " counter(page) } }
              section { page: chapter; break-before: page }
            </style>
            <p>''' + "text " * 600 + "</p><section>" + "more " * 600 + "</section><p>end</p>"

        def laid_out(make_margin_boxes):
            asked = []

            def spy(context, page, state):
                asked.append((context, page))
                return make_margin_boxes(context, page, state)

            layout.make_margin_boxes = spy
            document = HTML(string=html).render()
            boxes = [[type(box).__name__ for box in page._page_box.children[1:]] for page in document.pages]
            styles = [[{key: value for key, value in (context.style_for(page.page_type, at_keyword) or {}).items()
                        if key.startswith(("counter", "content"))} for at_keyword in AT_KEYWORDS]
                      for context, page in asked]
            return document.write_pdf(), boxes, styles

        ours, theirs = laid_out(mine), laid_out(original)
        print(int(ours[0] == theirs[0]), int(ours[1] == theirs[1]), int(ours[2] == theirs[2]),
              sum(b == ["MarginBox"] for b in ours[1]), sum(b == [] for b in ours[1]),
              sum(bool(style) for page in theirs[2] for style in page))
    """, patched=True)
    assert result.returncode == 0, result.stderr
    same_pdf, same_boxes, same_styles, folios, bare, styled = map(int, result.stdout.split())
    assert same_pdf and same_boxes and same_styles, result.stdout
    assert folios >= 2 and bare >= 2 and styled, result.stdout  # both kinds of page, styles read


def test_struts_are_weasyprints():
    """press.pangosetup's strut answers as WeasyPrint's own for every style a layout asks it of:
    line heights normal, a number, a length, a percentage and calc(), fonts of several sizes (one
    of 0), in Chinese and English, each style asked several times."""
    result = run("""
        import importlib
        from weasyprint import HTML
        from press.pangosetup import STRUT_MODULES

        mine = importlib.import_module("weasyprint.layout.inline").strut
        original = mine.__wrapped__
        assert mine is not original
        answers = []

        def checked(style):
            answers.append((mine(style), original(style)))
            return answers[-1][0]

        for name in STRUT_MODULES:
            importlib.import_module(name).strut = checked
        HTML(string='''
            <style>
              @page { size: 120mm 160mm } body { columns: 2 } .a { line-height: 1.7 } .b { line-height: 19px }
              .c { line-height: 150%; font-size: 13px } .d { line-height: calc(1em + 4px); font-size: 8pt }
              .z { font-size: 0 } .big { font-size: 2em; line-height: normal } span { line-height: 2 }
            </style>
            <p>plain ''' + "words " * 80 + '''</p><p class="a">one <span>two</span> ''' + "more " * 60 + '''</p>
            <p class="b" lang="zh-Hans">''' + "中文的段落。" * 40 + '''</p><p class="c">three <b>four</b></p>
            <p class="d">five <span class="z">six</span> seven</p><h1 class="big">eight</h1>''').render()
        print(len(answers), sum(a != b for a, b in answers), len({b for _, b in answers}))
    """, patched=True)
    assert result.returncode == 0, result.stderr
    count, different, kinds = map(int, result.stdout.split())
    assert count > 100 and kinds >= 5 and different == 0, result.stdout


def test_pango_layouts_are_weasyprints():
    """press.pangosetup's Layout.setup makes each layout as WeasyPrint's own does: for text in
    Chinese and English, right to left, underlined and struck through, with font features (kerning
    and ligatures off) and a language override, every layout set up by both (on twins) has the same
    language and metrics, the font description kept is the style's, and the document is written
    the same, byte for byte."""
    result = run("""
        from weasyprint import HTML
        from weasyprint.text import line_break
        from weasyprint.text.ffi import ffi, pango
        from weasyprint.text.fonts import get_font_description

        def described(description):
            return ffi.string(pango.pango_font_description_to_string(description))

        mine = line_break.Layout.setup
        original = mine.__wrapped__
        assert mine is not original
        html = '''
            <style>
              @page { size: 120mm 160mm }
              .u { text-decoration: underline line-through } .k { font-kerning: normal }
              .f { font-feature-settings: "kern" 0, "liga" 0 } .o { font-language-override: "TRK" }
              .r { direction: rtl } p { text-align: justify }
            </style>
            <p lang="zh-Hans">中文的段落，''' + "很长的文字。" * 60 + '''</p>
            <p lang="en" class="u">''' + "Underlined words, " * 40 + '''</p>
            <p class="k f">''' + "AVATAR Toffee, fluffy official WAVE. " * 20 + '''</p>
            <p class="o r">override and right to left ''' + "text " * 50 + "</p>"
        same, layouts = [], []

        def checked(self, style):
            twin = line_break.Layout.__new__(line_break.Layout)
            original(twin, style)
            mine(self, style)
            layouts.append((twin, self))  # kept: a layout's attributes are gone once deactivated
            same.append(all(getattr(self, name, None) == getattr(twin, name, None) for name in
                            ("language", "ascent", "underline_position", "strikethrough_position",
                             "underline_thickness", "strikethrough_thickness", "first_line_direction"))
                        and described(style.__dict__["_press_pango"].description)
                        == described(get_font_description(style)))

        line_break.Layout.setup = checked
        HTML(string=html).write_pdf()
        line_break.Layout.setup = mine
        ours = HTML(string=html).write_pdf()
        line_break.Layout.setup = original
        theirs = HTML(string=html).write_pdf()
        decorated = sum(twin.ascent is not None for twin, _ in layouts)
        print(len(same), same.count(False), int(ours == theirs), decorated)
    """, patched=True)
    assert result.returncode == 0, result.stderr
    count, different, same_pdf, decorated = map(int, result.stdout.split())
    assert count > 50 and different == 0 and same_pdf and decorated, result.stdout


def test_initial_values_are_weasyprints():
    """press.initials' ComputedStyle.__missing__ answers every read as WeasyPrint's own: on a copy
    of the style taken before the read, for rules with logical properties (margin-inline-start,
    inline-size, padding-block-end) in both directions, calc() and var() (an inherited text-indent
    with a percentage among them), inherited properties set on a parent or on the element itself,
    borders, floats and positions, decorations and page rules; and the document is written the
    same, byte for byte."""
    result = run("""
        from weasyprint import HTML
        from weasyprint.css import ComputedStyle

        mine = ComputedStyle.__missing__
        original = mine.__wrapped__
        assert mine is not original
        html = '''
            <style>
              @page { size: 120mm 160mm; margin: 10mm; @bottom-center { content: counter(page) } }
              :root { --gap: 3mm }
              .l { margin-inline-start: 5mm; padding-block-end: var(--gap); inline-size: 60%;
                   text-indent: calc(5% + 1em); font-size: 11pt } .l em { font-size: 9pt; color: red }
              .r { direction: rtl; margin-inline-end: 2mm; border-inline-start: 1px solid }
              .c { width: calc(50% - 2mm); min-height: calc(1em + 2px); border-radius: 2px }
              .f { float: left; width: 20mm } .a { position: absolute; top: 0 }
              .u { text-decoration: underline } table { border-collapse: collapse } td { border: 1px solid }
            </style>
            <p class="l">Logical <em>emphasis</em> ''' + "text " * 80 + '''</p>
            <p class="r">right to left ''' + "text " * 40 + '''</p>
            <div class="c">calc <span class="u">underlined</span></div><div class="f">float</div>
            <p class="a">absolute</p><table><tr><td>a</td><td>b</td></tr></table>
            <ul><li>one</li><li>two</li></ul>'''
        answers = []

        def checked(self, key):
            twin = self.copy()
            theirs = original(twin, key)
            ours = mine(self, key)
            answers.append((ours == theirs and self.get(key) == twin.get(key), key in self.cascaded))
            return ours

        ComputedStyle.__missing__ = checked
        HTML(string=html).render()
        ComputedStyle.__missing__ = mine
        ours = HTML(string=html).write_pdf()
        ComputedStyle.__missing__ = original
        theirs = HTML(string=html).write_pdf()
        print(len(answers), sum(not same for same, _ in answers), sum(cascaded for _, cascaded in answers),
              int(ours == theirs))
    """, patched=True)
    assert result.returncode == 0, result.stderr
    count, different, cascaded, same_pdf = map(int, result.stdout.split())
    assert count > 1000 and cascaded > 50 and different == 0 and same_pdf, result.stdout


def test_first_lines_are_weasyprints():
    """press.firstline's split_first_line finds the same first line as WeasyPrint's own (its length,
    where the next starts, its width, height and baseline) for Chinese text with Latin words and
    punctuation and for English text, from the whole text, at widths from under two ems to many
    lines' worth; and its Chinese drafts are shorter than WeasyPrint's (a ratio of 2, not 4)."""
    result = run("""
        from weasyprint import HTML
        from weasyprint.text import line_break
        from press import firstline

        mine = line_break.split_first_line
        original = mine.__wrapped__
        assert mine is not original
        document = HTML(string='<p lang="zh-Hans">中</p><p lang="en">e</p>').render()
        styles = {}

        def walk(box):
            if type(box).__name__ == "TextBox":
                styles[box.style["lang"][:2]] = box.style
            for child in getattr(box, "children", ()):
                walk(child)

        walk(document.pages[0]._page_box)
        texts = {"zh": "中国科技通讯，2020 年第 2 期：新冠病毒 mRNA 疫苗的实验过程「研究」。" * 12,
                 "en": "Chinese staff demonstrating the experimental process of the vaccine, hyphenation. " * 8}
        drafts = []
        laid_out = line_break.Layout.set_text

        def counted(self, text, justify=False):
            drafts.append(len(text))
            return laid_out(self, text, justify)

        line_break.Layout.set_text = counted
        compared, different, shorter = 0, 0, 0
        for lang, style in styles.items():
            for width in (10, 25, 60, 150, 300, 450, 2000):
                for start in range(0, 200, 17):
                    text = texts[lang][start:]
                    drafts.clear()
                    ours = mine(text, style, None, width, 0)[1:]
                    our_drafts = list(drafts)
                    drafts.clear()
                    theirs = original(text, style, None, width, 0)[1:]
                    compared += 1
                    different += ours != theirs
                    shorter += lang == "zh" and our_drafts[0] < drafts[0]  # the first text laid out: the draft
        print(compared, different, shorter)
    """, patched=True)
    assert result.returncode == 0, result.stderr
    compared, different, shorter = map(int, result.stdout.split())
    assert compared > 100 and different == 0 and shorter > 20, result.stdout


def test_patched_sources_are_inspects():
    """press.patches.source, the source a patch changes (press.balancing, press.firstline), is
    inspect.getsource's text for every function the patches are written for."""
    result = run("""
        import inspect
        from press.typeset import import_weasyprint
        import_weasyprint()
        from press.patches import PATCHES, _resolve, source

        paths = [path for patch in PATCHES for path in patch.originals]
        functions = [_resolve(path) for path in paths]
        print(len(functions), sum(source(f) != inspect.getsource(f) for f in functions))
    """)
    assert result.returncode == 0, result.stderr
    count, different = map(int, result.stdout.split())
    assert count > 40 and different == 0, result.stdout
