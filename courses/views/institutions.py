"""The public list of filed institutions (provincial regulation art. 15: HRSS "向社会公布")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from accounts.api import PUBLIC, access
from courses.forms.orgs import SearchForm
from courses.selectors import qualifications as selectors
from portal.pagination import paginate


@access(PUBLIC)
def public_institutions(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    search = form.search()
    series_code = request.GET.get("series", "")
    series = list(selectors.qualification_series_choices())
    if series_code not in {s.code for s in series}:
        series_code = ""
    params = {k: v for k, v in (("q", search), ("series", series_code)) if v}
    return render(
        request,
        "courses/institutions/public_list.html",
        {
            "form": form,
            "series_choices": series,
            "series_code": series_code,
            "query": urlencode(params),
            "page": paginate(
                request, selectors.filed_institutions(search=search, series_code=series_code)
            ),
        },
    )
