"""The member, building, visit and task list pages render their rows in Python, without the
template engine's per-row lookups, ``{% url %}`` or ``{% translate %}`` (issue 11), and the HTML
stays what the earlier row templates rendered: each page's rows are compared with the earlier
markup (kept here, verbatim) rendered over the same rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core import labels
from xianfeng.people.choices import MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember
from xianfeng.places.choices import BuildingKind, SafetyColour
from xianfeng.places.models import Building, Household
from xianfeng.visits.models import Visit
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

pytestmark = pytest.mark.django_db

OLD_BUILDING_ROWS = (
    "{% load i18n list_tags %}"
    "{% translate '类型' as l_kind %}{% translate '地址' as l_address %}"
    "{% translate '网格' as l_grid %}{% translate '安全' as l_safety %}"
    '{% for b in page.object_list %}<tr><td><a href="{{ detail_prefix }}{{ b.pk }}/">'
    '{{ b.name }}</a></td><td data-label="{{ l_kind }}">{{ kind_labels|label:b.kind }}</td>'
    '<td data-label="{{ l_address }}">{{ b.address }}</td><td data-label="{{ l_grid }}">'
    '{{ b.grid.name }}</td><td data-label="{{ l_safety }}">{% include "places/_colour.html" '
    "with colour=b.safety_colour label=colour_labels|label:b.safety_colour %}</td></tr>"
    "{% endfor %}"
)

OLD_VISIT_ROWS = (
    "{% load i18n %}"
    "{% for v in page.object_list %}<tr><td>"
    '<a href="{% url \'work:visit_detail\' v.pk %}">{{ v.visited_at|date:"Y-m-d H:i" }}</a>'
    "</td><td data-label=\"{% translate '住户' %}\">{% if v.household %}{{ v.household }}"
    "{% else %}{{ v.building.name }}{% endif %}</td><td data-label=\"{% translate '党员' %}\">"
    "{{ v.member.person.name }}</td><td data-label=\"{% translate '事项' %}\">"
    '{{ v.purpose_labels|join:"、" }}</td></tr>{% endfor %}'
)


# The member rows as the page's template loop wrote them before they were rendered in Python
# (people/views.py: member_rows), verbatim with their whitespace.
OLD_MEMBER_ROWS = (
    "{% load i18n list_tags %}"
    "  {# Labels translated once, outside the rows (issue 11). #}\n"
    "  {% translate '党组织' as l_branch %}{% translate '类型' as l_kind %}"
    "{% translate '类别' as l_category %}{% translate '状态' as l_status %}"
    "{% translate '手机号' as l_mobile %}\n"
    "  {% for m in page.object_list %}\n"
    "  <tr>\n"
    '    <td><a href="{{ detail_prefix }}{{ m.pk }}/">{{ m.person.name }}</a></td>\n'
    '    <td data-label="{{ l_branch }}">{{ m.branch.display_name }}</td>\n'
    '    <td data-label="{{ l_kind }}">{{ kind_labels|label:m.kind }}</td>\n'
    '    <td data-label="{{ l_category }}">{{ category_labels|label:m.category }}'
    "</td>\n"
    '    <td data-label="{{ l_status }}">{% if m.status != "normal" %}'
    '<span class="tag red">{{ status_labels|label:m.status }}</span>{% else %}'
    "{{ status_labels|label:m.status }}{% endif %}</td>\n"
    '    <td data-label="{{ l_mobile }}">{{ m.person.mobile_masked|default:"—" }}'
    "</td>\n"
    "  </tr>\n"
    "  {% endfor %}"
)


# The task rows as the page's template loop wrote them before they were rendered in Python
# (work/views.py: task_rows).
OLD_TASK_ROWS = (
    "{% load i18n list_tags %}"
    "{% translate '状态' as l_state %}{% translate '发布' as l_org %}"
    "{% translate '承担' as l_assignee %}{% translate '时限' as l_deadline %}"
    '{% for t in page.object_list %}<tr><td><a href="{{ detail_prefix }}{{ t.pk }}/">'
    '{{ t.title }}</a></td><td data-label="{{ l_state }}"><span class="state {{ t.state }}">'
    '{{ state_labels|label:t.state }}</span></td><td data-label="{{ l_org }}">'
    '{{ t.organization.display_name }}</td><td data-label="{{ l_assignee }}">'
    '{{ t.assignee.person.name|default:"—" }}</td><td data-label="{{ l_deadline }}">'
    "{{ t.deadline }}</td></tr>{% endfor %}"
)


def old_rows(response, source: str, model: type, **extra: object) -> str:
    """The earlier markup rendered over the page's own rows, as the model instances the earlier
    views handed to it (the page now reads plain tuples, the id first), with the labels and
    link prefix those views gave it."""
    ids = [row[0] for row in response.context["page"].object_list]
    found = model.objects.in_bulk(ids)
    context = {"page": {"object_list": [found[pk] for pk in ids]}, **extra}
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    "persona, query",
    [("shequ", ""), ("shequ", "?page=2"), ("qu", "?kind=rental"), ("qu", "?page=2")],
)
def test_building_rows_render_as_before(client_for, persona, query):
    colours = ["red", "yellow", "green", ""]
    for n, pk in enumerate(Building.objects.order_by("id").values_list("pk", flat=True)[:8]):
        Building.objects.filter(pk=pk).update(safety_colour=colours[n % 4])
    response = client_for(persona).get(f"/places/buildings/{query}")
    assert response.status_code == 200
    rows = old_rows(
        response,
        OLD_BUILDING_ROWS,
        Building,
        detail_prefix=labels.url_prefix("places:building_detail"),
        kind_labels=labels.labels(BuildingKind),
        colour_labels=labels.labels(SafetyColour),
    )
    assert rows.count("<tr>") == len(response.context["page"].object_list) > 0
    assert rows in response.content.decode()


@pytest.fixture
def visits(personas):
    member = PartyMember.objects.get(person_id=personas["dangyuan"].person_id)
    households = list(Household.objects.order_by("id")[:3])
    for n in range(60):
        household = households[n % 3]
        Visit.objects.create(
            member=member,
            household=household if n % 4 else None,
            building=household.building,
            organization=household.organization,
            visited_at=timezone.now() - timedelta(hours=n),
            purposes=["safety", "care"] if n % 2 else ["policy", "unknown"],
        )


@pytest.mark.parametrize(
    "persona, query",
    [("shequ", ""), ("shequ", "?page=2"), ("qu", ""), ("dangyuan", "?mine=1&page=2")],
)
def test_visit_rows_render_as_before(client_for, visits, persona, query):
    response = client_for(persona).get(f"/work/visits/{query}")
    assert response.status_code == 200
    rows = old_rows(response, OLD_VISIT_ROWS, Visit)
    assert rows.count("<tr>") == len(response.context["page"].object_list) > 0
    assert rows in response.content.decode()


@pytest.mark.parametrize("persona", ["shequ", "qu"])
def test_the_visit_page_counts_the_visits_alone(client_for, visits, persona, settings):
    """The session, its user, the roles, the COUNT, the page and the households' names: six
    queries for 2 rows as for 40. The COUNT reads the visits alone: counted over the page's
    columns it joined buildings, members and persons (16 ms on the district's visits)."""
    client = client_for(persona)
    client.get("/work/visits/")
    for size in (2, 40):
        settings.PAGE_SIZE = size
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/work/visits/")
        assert len(response.context["page"].object_list) == min(size, 60)
        sql = [q["sql"] for q in ctx.captured_queries]
        assert len(sql) == 6, sql
        (count,) = [q for q in sql if "COUNT(" in q]
        assert "JOIN" not in count, count


@pytest.mark.parametrize(
    "persona, query",
    [("shequ", ""), ("shequ", "?page=2"), ("qu", "?status=normal"), ("qu", "?q=wang")],
)
def test_member_rows_render_as_before(client_for, persona, query):
    """Escaping included: a name and a branch with markup characters, a member who is not in
    normal standing (the red tag) and one without a mobile (the dash)."""
    first = PartyMember.objects.select_related("person", "branch").order_by("branch__path", "id")
    member = first.first()
    member.person.name = "wang<&>\"'"
    member.person.mobile = ""
    member.person.save()
    member.branch.short_name = "支部<b>"
    member.branch.save()
    PartyMember.objects.filter(pk=first[1].pk).update(status="lost_contact")
    response = client_for(persona).get(f"/members/{query}")
    assert response.status_code == 200
    rows = old_rows(
        response,
        OLD_MEMBER_ROWS,
        PartyMember,
        detail_prefix=labels.url_prefix("people:member_detail"),
        kind_labels=labels.labels(MemberKind),
        category_labels=labels.labels(MemberCategory),
        status_labels=labels.labels(MemberStatus),
    )
    assert rows.count("<tr>") == len(response.context["page"].object_list) > 0
    assert rows in response.content.decode()


@pytest.fixture
def tasks(personas):
    """Sixty tasks in shequ's community: every state, every third without an assignee, one
    title with markup characters."""
    from xianfeng.core.testing import role_org
    from xianfeng.work.tests.factories import chain, task_in

    community = role_org(personas["shequ"])
    member = PartyMember.objects.get(person_id=personas["dangyuan"].person_id)
    first = chain(community, title="任务<b>&\"'")
    states = list(TaskState.values)
    for n in range(60):
        task = task_in(first, title=f"任务{n}", deadline=first.deadline)
        Task.objects.filter(pk=task.pk).update(
            state=states[n % len(states)], assignee=member if n % 3 else None
        )


@pytest.mark.parametrize(
    "persona, query",
    [("shequ", ""), ("shequ", "?page=2"), ("qu", ""), ("qu", "?state=claimed")],
)
def test_task_rows_render_as_before(client_for, tasks, persona, query):
    response = client_for(persona).get(f"/work/tasks/{query}")
    assert response.status_code == 200
    rows = old_rows(
        response,
        OLD_TASK_ROWS,
        Task,
        detail_prefix=labels.url_prefix("work:task_detail"),
        state_labels=labels.labels(TaskState),
    )
    assert rows.count("<tr>") == len(response.context["page"].object_list) > 0
    assert rows in response.content.decode()


@pytest.mark.parametrize(
    "path, shown_only",
    [
        ("/places/buildings/", '"places_grid"'),  # the grid's name
        ("/work/tasks/", '"people_person"'),  # the assignee's name
    ],
)
@pytest.mark.parametrize("persona", ["shequ", "qu"])
def test_the_building_and_task_pages_count_without_the_shown_columns_joins(
    client_for, tasks, persona, path, shown_only
):
    """The COUNT is the selector's queryset's, not the page's rows': counted after
    ``values_list`` it joined the tables only a shown column needs, for the same number."""
    client = client_for(persona)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    page = response.context["page"]
    (count,) = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert shown_only not in count, count
    rows = [q["sql"] for q in ctx.captured_queries if shown_only in q["sql"]]
    assert rows, "the page's rows still read the shown column"
    assert page.paginator.count > 0
    assert page.paginator.count == page.paginator.object_list.count()  # the rows' own COUNT
