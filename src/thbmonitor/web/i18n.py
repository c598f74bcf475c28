"""The web app's languages: Dutch (default) and English, per request.

A separate gettext domain (`web`, catalogues in `web/locale/`), read at run
time from the `.po` files as the report's texts are (no compile step).
msgids are English. The language of a request: the user's choice (`?lang=`,
kept in a cookie), else the browser's `Accept-Language`, else Dutch.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
DOMAIN = "web"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(lang: str) -> Translations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return Translations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def negotiate(choice: str | None, accept_language: str | None) -> str:
    """The user's choice when it is a language we have, else the best Accept-Language match."""
    if choice in LANGUAGES:
        return str(choice)
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            wanted.append((weight, tag.strip()))
        for _, tag in sorted(wanted, key=lambda w: -w[0]):
            try:
                language = Locale.parse(tag.replace("-", "_")).language
            except (ValueError, UnknownLocaleError):
                continue
            if language in LANGUAGES:
                return language
    return DEFAULT
