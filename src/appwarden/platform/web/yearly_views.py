"""The yearly statistics pages and API (regulators only): ``/stats/yearly/?year=2026[&from=…&to=…]`` (tables and
download links), ``/stats/yearly/export.xlsx`` and ``export.pdf``; ``GET /api/stats/yearly/`` (JSON) and
``/api/stats/yearly/xlsx/``, ``/api/stats/yearly/pdf/``. Other roles get 403; a bad year or date 400 with one
Chinese line."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from appwarden.errors import AppwardenError
from appwarden.platform.core.models import ROLE_REGULATOR
from appwarden.platform.core.roles import require
from appwarden.platform.core.views import role_required
from appwarden.platform.web import yearly

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _period(params) -> yearly.Period:  # type: ignore[no-untyped-def]
    return yearly.parse_period(params.get("year"), params.get("from"), params.get("to"))


def _download(stats: dict, fmt: str) -> HttpResponse:
    body = yearly.yearly_xlsx(stats) if fmt == "xlsx" else yearly.yearly_pdf(stats)
    resp = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"appwarden-yearly-{stats['year']}-{stats['start']}-{stats['end']}.{fmt}"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@role_required(ROLE_REGULATOR)
def yearly_page(request):
    """The report on a page, with the period form and XLSX/PDF links for the same period."""
    try:
        period = _period(request.GET)
    except AppwardenError as exc:
        messages.error(request, str(exc))
        return render(request, "web/yearly.html", {"stats": None, "params": request.GET}, status=400)
    stats = yearly.cached_stats(period, fresh=request.GET.get("fresh") == "1")
    context = {
        "stats": stats,
        "summary": yearly.summary_rows(stats),
        "tables": yearly.tables(stats),
        "title": yearly.title(stats),
        "snapshot_minutes": yearly.snapshot_minutes(),
        "outdated_note": yearly.outdated_note(stats),
        "query": f"year={period.year}&from={period.start}&to={period.end}",
        "params": {"year": period.year, "from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
    }
    return render(request, "web/yearly.html", context)


@role_required(ROLE_REGULATOR)
def yearly_export(request, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404("unknown format")
    try:
        period = _period(request.GET)
    except AppwardenError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return _download(yearly.cached_stats(period), fmt)


PARAMS = [
    OpenApiParameter("year", int, description="the year (default: this year)"),
    OpenApiParameter("from", str, description="first day, YYYY-MM-DD, within the year"),
    OpenApiParameter("to", str, description="last day, YYYY-MM-DD, within the year"),
]


class YearlyStatsView(APIView):
    """The yearly statistics as JSON (regulators)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):  # type: ignore[no-untyped-def]
        require(request.user, ROLE_REGULATOR)
        params = request.query_params
        return Response(yearly.cached_stats(_period(params), fresh=params.get("fresh") == "1"))


class YearlyExportView(APIView):
    """The yearly statistics as XLSX or PDF (regulators)."""

    permission_classes = [IsAuthenticated]
    fmt = "xlsx"

    @extend_schema(parameters=PARAMS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request):  # type: ignore[no-untyped-def]
        require(request.user, ROLE_REGULATOR)
        return _download(yearly.cached_stats(_period(request.query_params)), self.fmt)
