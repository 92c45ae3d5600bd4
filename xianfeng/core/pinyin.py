"""Pinyin of Chinese names, for search by full pinyin or by initials (张三 → zs)."""

from pypinyin import Style, lazy_pinyin


def name_pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name or "", errors="ignore")).lower()


def name_initials(name: str) -> str:
    return "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")).lower()


def name_pinyin_and_initials(name: str) -> tuple[str, str]:
    """Both at the cost of one conversion (an import converts every new name): the initials are
    the first letters of the full syllables, as ``Style.FIRST_LETTER`` gives them."""
    syllables = lazy_pinyin(name or "", errors="ignore")
    return "".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower()
