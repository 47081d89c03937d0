"""Make tests/corpus/un2015.jsonl from the UN Parallel Corpus v1.0 test set (see tests/corpus/README.md).

    python tools/corpus_from_un.py UNv1.0.testset.zh UNv1.0.testset.en > tests/corpus/un2015.jsonl

The Chinese side of the copy we found is word-segmented: tokens apart by one space, the text's
own spaces (as in 1 036 201 000, the UN's digit grouping) by three. Joining the tokens gives back
the text as published. Every pair whose Chinese holds a digit is taken, in order, none chosen by
what the checker says of it; lines up to 2000 are the tuning half, the rest the held-out half.
"""

import json
import re
import sys


def join(tokens: str) -> str:
    text = "\x00".join(part.replace(" ", "") for part in tokens.strip().split("   "))
    return re.sub(r"\x00+", " ", text).strip()


def main(zh_path: str, en_path: str) -> None:
    zh_lines = open(zh_path, encoding="utf-8").read().split("\n")
    en_lines = open(en_path, encoding="utf-8").read().split("\n")
    for number, (zh, en) in enumerate(zip(zh_lines, en_lines), start=1):
        zh, en = join(zh), " ".join(en.split())
        if not re.search(r"\d", zh) or len(zh) < 12:
            continue
        part = "tune" if number <= 2000 else "held-out"
        print(json.dumps({"line": number, "part": part, "zh": zh, "en": en}, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:3])
