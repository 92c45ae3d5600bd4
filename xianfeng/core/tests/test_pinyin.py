"""One conversion gives both the pinyin and the initials, equal to two conversions."""

from __future__ import annotations

import random

from xianfeng.core.pinyin import name_initials, name_pinyin, name_pinyin_and_initials


def test_pinyin_and_initials_at_once_equal_each_alone():
    rng = random.Random(7)
    names = ["张伟", "单于", "曾子", "欧阳 娜娜", "Tom张", "李-明", "王2伟", "〇", "", "乐乐"]
    names += [
        "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 4)))
        for _ in range(3000)
    ]
    for name in names:
        assert name_pinyin_and_initials(name) == (name_pinyin(name), name_initials(name)), name
