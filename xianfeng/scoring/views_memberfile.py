"""Pages of the annual member file (党员年度档案): my file (or, for a secretary, the members
whose files they keep), one member's year as a page (phone first) and as a PDF."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from xianfeng.core.views import ScopedView, paginate
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring import memberfile


def _year(request: HttpRequest) -> tuple[int, str]:
    try:
        return memberfile.parse_year(request.GET.get("year")), ""
    except ValidationError as exc:
        return timezone.localdate().year, exc.messages[0]


class FileIndexView(ScopedView):
    """A member goes to their own file; a secretary sees the members whose files they keep."""

    model = PartyMember

    def get(self, request: HttpRequest) -> HttpResponse:
        members = memberfile.file_members(request.user)
        own = member_of(request.user)
        if own is not None and members.count() == 1 and members.first().pk == own.pk:
            return redirect(reverse("scoring:member_file", args=[own.pk]))
        year, _error = _year(request)
        query = (request.GET.get("q") or "").strip()[:40]
        if query:
            members = members.filter(person__name__contains=query)
        return render(
            request,
            "scoring/member_files.html",
            {"page": paginate(request, members), "year": year, "q": query, "own": own},
        )


class _FileView(ScopedView):
    model = PartyMember

    def member(self, pk: int) -> PartyMember:
        member = self.object_for(
            pk, queryset=PartyMember.objects.select_related("person", "branch")
        )
        memberfile.check_read(self.request.user, member)
        return member


class FileView(_FileView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.member(pk)
        year, error = _year(request)
        context = memberfile.member_file(member, year)
        page = paginate(request, memberfile.year_entries(member, year))
        memberfile.label_entries(page)
        context.update(
            {
                "page": page,
                "year_error": error,
                "year_qs": f"year={year}&",
                "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            }
        )
        return render(request, "scoring/member_file.html", context)


class FilePdfView(_FileView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.member(pk)
        year, _error = _year(request)
        response = HttpResponse(
            memberfile.member_file_pdf(member, year), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="member-file-{member.pk}-{year}.pdf"'
        )
        return response
