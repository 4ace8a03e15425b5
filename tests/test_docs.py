"""The learners' documents stay honest: the notes maps point at real lines, and the Chinese README keeps every command.

docs/notes-map.md and docs/notes-map.zh-CN.md list each formula of the notes with links such as
``[notes.py L179](../src/glassnet/notes.py#L179) `dW = 1 / m * dZ @ A_prev.T```: the fragment in backticks after a
line link must be on that very line. When code moves, the failure names the entry and the lines where the fragment
is now.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glassnet.labs import LABS

ROOT = Path(__file__).resolve().parents[1]
MAPS = {"en": ROOT / "docs" / "notes-map.md", "zh": ROOT / "docs" / "notes-map.zh-CN.md"}
README, README_ZH = ROOT / "README.md", ROOT / "README.zh-CN.md"
NO_LINE = {"en": "no line in glassnet.notes", "zh": "glassnet.notes 中无此行"}
COUNT = {"en": r"(\d+) entries", "zh": r"共 (\d+) 条"}

LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<target>[^)\s]+)\)(?: `(?P<key>[^`]+)`)?")
LINE_ANCHOR = re.compile(r"^(?P<path>[^#]+\.py)#L(?P<line>\d+)$")
ENTRY = re.compile(r"^\| (?P<id>E\d+) \|")
LAB = re.compile(r"`glassnet lab ([a-z-]+)`")
FENCE = re.compile(r"^```", re.MULTILINE)
CODE_SPAN = re.compile(r"`[^`\n]+`")


def relative_links(text: str):
    """(label, target, key) of every link that is not to the web, a mail address or an anchor of the page.

    Brackets inside inline code (a formula such as ``g[l](Z[l])``) are not links.
    """
    code = [span.span() for span in CODE_SPAN.finditer(text)]
    for match in LINK.finditer(text):
        if any(start <= match.start() < end for start, end in code):
            continue
        target = match["target"]
        if not re.match(r"^(https?:|mailto:|#)", target):
            yield match["label"], target, match["key"]


def entries(lang: str) -> list[tuple[str, list[str]]]:
    """(id, cells) of every row of the map's tables that is an entry (E1, E2, ...)."""
    rows = []
    for line in MAPS[lang].read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            rows.append((match["id"], [cell.strip() for cell in line.strip().strip("|").split("|")]))
    return rows


def code_links(cells: list[str]) -> list[tuple[str, int, str]]:
    """(path from the docs folder, line, key) of each line link in an entry, in order."""
    found = []
    for _, target, key in relative_links(" | ".join(cells)):
        anchor = LINE_ANCHOR.match(target)
        if anchor:
            found.append((anchor["path"], int(anchor["line"]), key))
    return found


def where_now(path: Path, key: str) -> str:
    lines = [i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if key in text]
    return f"it is now on line(s) {lines}" if lines else "it is no longer in that file"


@pytest.mark.parametrize("lang", sorted(MAPS))
def test_every_line_link_points_at_its_fragment(lang):
    problems = []
    for entry, cells in entries(lang):
        for label, target, key in relative_links(" | ".join(cells)):
            anchor = LINE_ANCHOR.match(target)
            if not anchor:
                continue
            path, n = (MAPS[lang].parent / anchor["path"]).resolve(), int(anchor["line"])
            where = f"{MAPS[lang].name} {entry}: {target}"
            if key is None:
                problems.append(f"{where} has no `fragment` after the link to check the line against")
            elif not path.is_file():
                problems.append(f"{where}: no such file")
            elif not label.endswith(f" L{n}"):
                problems.append(f"{where}: the label [{label}] does not name line {n}")
            else:
                lines = path.read_text(encoding="utf-8").splitlines()
                if n > len(lines) or key not in lines[n - 1]:
                    problems.append(f"{where}: line {n} does not hold `{key}`; {where_now(path, key)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", [MAPS["en"], MAPS["zh"], README_ZH], ids=lambda p: p.name)
def test_every_relative_link_resolves(doc):
    missing = [target for _, target, _ in relative_links(doc.read_text(encoding="utf-8"))
               if not (doc.parent / target.split("#")[0]).exists()]
    assert not missing, f"{doc.name} links to files that do not exist: {missing}"


@pytest.mark.parametrize("lang", sorted(MAPS))
def test_entries_are_complete(lang):
    """Six cells a row, a glassnet.notes link or the words that say there is none, an engine link, real labs."""
    rows = entries(lang)
    assert rows, f"{MAPS[lang].name} has no entries"
    stated = re.search(COUNT[lang], MAPS[lang].read_text(encoding="utf-8"))
    assert stated and int(stated[1]) == len(rows), f"{MAPS[lang].name} states a count other than its {len(rows)}"
    assert [entry for entry, _ in rows] == [f"E{i}" for i in range(1, len(rows) + 1)]
    for entry, cells in rows:
        assert len(cells) == 6, f"{MAPS[lang].name} {entry}: {len(cells)} cells, expected 6 (a stray '|'?)"
        notes, engine, lab = cells[3], cells[4], cells[5]
        assert "(../src/glassnet/notes.py#L" in notes or NO_LINE[lang] in notes, (
            f"{MAPS[lang].name} {entry}: link the line of glassnet.notes, or say '{NO_LINE[lang]}'")
        assert code_links([engine]), f"{MAPS[lang].name} {entry}: the engine cell links no line"
        unknown = [name for name in LAB.findall(lab) if name not in LABS]
        assert not unknown, f"{MAPS[lang].name} {entry}: no lab named {unknown}; the labs are {sorted(LABS)}"


def test_both_maps_have_the_same_entries():
    english, chinese = entries("en"), entries("zh")
    assert [e for e, _ in english] == [e for e, _ in chinese]
    for (entry, en_cells), (_, zh_cells) in zip(english, chinese, strict=True):
        assert code_links(en_cells) == code_links(zh_cells), f"{entry}: the two maps link different lines"
        assert LAB.findall(en_cells[5]) == LAB.findall(zh_cells[5]), f"{entry}: the two maps name different labs"


def test_readme_links_the_translation_and_both_maps():
    top = "\n".join(README.read_text(encoding="utf-8").splitlines()[:4])
    for target in ("README.zh-CN.md", "docs/notes-map.md", "docs/notes-map.zh-CN.md"):
        assert f"]({target})" in top, f"the first lines of README.md should link {target}"


def code_blocks(text: str) -> list[str]:
    parts = FENCE.split(text)
    return parts[1::2]


def test_chinese_readme_keeps_every_section_and_command():
    english, chinese = README.read_text(encoding="utf-8"), README_ZH.read_text(encoding="utf-8")
    assert len(FENCE.findall(chinese)) == len(FENCE.findall(english)), (
        "README.md and README.zh-CN.md have different numbers of fenced code blocks: translate what README gained")
    for i, (block_en, block_zh) in enumerate(zip(code_blocks(english), code_blocks(chinese), strict=True), 1):
        assert block_zh == block_en, f"code block {i} of README.zh-CN.md differs from README.md's"
    sections = [len(re.findall(r"^## ", text, re.MULTILINE)) for text in (english, chinese)]
    assert sections[0] == sections[1], f"README.md has {sections[0]} sections, README.zh-CN.md {sections[1]}"
    assert "](README.md)" in "\n".join(chinese.splitlines()[:4]), "README.zh-CN.md should link back to README.md"


def relink(lang: str) -> int:
    """Move every line link whose fragment moved to the line that now holds it (the nearest, if several).

    ``python tests/test_docs.py`` runs it on both maps after a code change; links whose fragment left the
    file stay as they are, for the test to name.
    """
    text, moved = MAPS[lang].read_text(encoding="utf-8"), 0

    def move(match: re.Match) -> str:
        nonlocal moved
        anchor = LINE_ANCHOR.match(match["target"])
        if not anchor or match["key"] is None or not match["label"].endswith(f" L{anchor['line']}"):
            return match[0]
        path, n = (MAPS[lang].parent / anchor["path"]).resolve(), int(anchor["line"])
        if not path.is_file():
            return match[0]
        lines = path.read_text(encoding="utf-8").splitlines()
        if n <= len(lines) and match["key"] in lines[n - 1]:
            return match[0]
        now = [i for i, line in enumerate(lines, 1) if match["key"] in line]
        if not now:
            return match[0]
        new = min(now, key=lambda i: abs(i - n))
        moved += 1
        label = match["label"][: -len(f" L{n}")] + f" L{new}"
        return f"[{label}]({anchor['path']}#L{new}) `{match['key']}`"

    MAPS[lang].write_text(LINK.sub(move, text), encoding="utf-8")
    return moved


if __name__ == "__main__":
    for language in sorted(MAPS):
        print(f"{MAPS[language].name}: {relink(language)} link(s) moved")
