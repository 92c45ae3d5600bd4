"""``{% fragment a b %}…{% endfragment %}``: markup rendered once per process for each
language and each set of the values named, then reused (issue 11).

base.html's head, offline banner and menu were about a third of a list page's template time:
some 30 ``{% translate %}``, 15 ``{% url %}`` and ``{% static %}`` and 20 ``{% if %}`` per
request, with the same result for every user of the same roles. A fragment may depend only on
the values it names, the language, and what is fixed for the process (URLs, static files,
settings); never on the user, the CSRF token or anything else of one request. Settings
changes (tests' ``override_settings``) empty the store; with ``DEBUG`` (templates reloaded
from disk) nothing is kept.
"""

from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_store: dict[tuple[Any, ...], str] = {}
_ids = itertools.count()
# Bounded: a key is (fragment, language, prefix, urlconf, values); the values are a handful of
# flags and menu sections, so a few hundred entries at most in a running site.
MAX_ENTRIES = 2000


@receiver(setting_changed, dispatch_uid="xianfeng.fragment_tags.clear")
def _clear(**kwargs: object) -> None:
    _store.clear()


class FragmentNode(template.Node):
    def __init__(self, nodelist: NodeList, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values
        self.id = next(_ids)

    def render(self, context: template.Context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (
            self.id,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(value.resolve(context) for value in self.values),
        )
        html = _store.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_store) >= MAX_ENTRIES:
                _store.clear()
            _store[key] = html
        return mark_safe(html)  # the nodelist's own output, escaped as it rendered it


@register.tag("fragment")
def fragment(parser: Parser, token: Token) -> FragmentNode:
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, values)
