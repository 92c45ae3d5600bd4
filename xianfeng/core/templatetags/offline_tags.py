"""``{% offline_cache_seconds %}``: how long the phone keeps pages for use offline, for
``base.html`` to hand to ``offline.js`` and the service worker."""

from django import template

from xianfeng.core.offline import cache_seconds

register = template.Library()


@register.simple_tag
def offline_cache_seconds() -> int:
    return cache_seconds()
