"""Choice labels built once per language and row links by prefix (issue 11): the list pages
show the same words and links as ``get_FOO_display`` and ``{% url %}`` would."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from xianfeng.core import labels
from xianfeng.people.choices import MemberKind
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def test_labels_are_those_of_get_display_in_the_active_language():
    member = PartyMember(kind=MemberKind.IN_SERVICE)
    assert labels.labels(MemberKind)[member.kind] == member.get_kind_display()
    with translation.override("en"):
        english = labels.labels(MemberKind)
    assert set(english) == set(MemberKind.values)
    assert labels.options(MemberKind) == list(labels.labels(MemberKind).items())


def test_the_row_link_prefix_makes_the_same_address_as_url():
    prefix = labels.url_prefix("people:member_detail")
    assert prefix + "42/" == reverse("people:member_detail", args=[42])
    # An address that does not end with the object's id cannot be made by a prefix.
    with pytest.raises(ValueError):
        labels.url_prefix("orgs:children")


def test_the_member_list_shows_labels_and_links(client_for, personas):
    page = client_for("shequ").get("/members/").content.decode()
    first = PartyMember.objects.restrict(personas["shequ"]).order_by("branch__path", "id")[0]
    assert f'href="/members/{first.pk}/"' in page
    assert first.get_kind_display() in page and first.get_category_display() in page


def test_the_api_labels_are_those_of_get_display(personas):
    from xianfeng.core.api import choice_label

    member = PartyMember.objects.restrict(personas["qu"]).first()
    resolve = choice_label("status").__func__
    assert resolve(member) == member.get_status_display()
    member.status = "not-a-status"
    assert resolve(member) == "not-a-status"


OLD_OPTIONS = (
    '{% for v, l in options %}<option value="{{ v }}" '
    "{% if selected == v %}selected{% endif %}>{{ l }}</option>{% endfor %}"
)


@pytest.mark.parametrize("selected", [None, "", "normal", "nonsense", '"><b>'])
def test_option_tags_are_the_template_loops_bytes(selected):
    from django.template import Context, Template

    from xianfeng.people.choices import MemberStatus

    old = Template(OLD_OPTIONS).render(
        Context({"options": labels.options(MemberStatus), "selected": selected})
    )
    assert labels.option_tags(MemberStatus, selected) == old
    assert old.count(" selected>") == (1 if selected in MemberStatus.values else 0)
