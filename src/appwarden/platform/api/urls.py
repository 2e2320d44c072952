"""``/api/...`` routes. Token auth (``Authorization: Token <key>``; the server keeps only hashes, core/tokens.py)
or the web session; every endpoint needs a login except the token, public complaint intake and status endpoints."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from appwarden.platform.api.docs import SwaggerView, swagger_asset
from appwarden.platform.attestation.api import (
    IssueAttestationView,
    PublicAttestationView,
    PublicLogView,
    RevokeAttestationView,
)
from appwarden.platform.complaints import api as complaints_api
from appwarden.platform.core.api import AuditLogViewSet, MeView, ObtainTokenView
from appwarden.platform.enforcement import api as enforcement_api
from appwarden.platform.notifications import api as notifications_api
from appwarden.platform.portal import api as portal_api
from appwarden.platform.prelisting import api as prelisting_api
from appwarden.platform.registry import api as registry_api
from appwarden.platform.sanctions import api as sanctions_api
from appwarden.platform.selfcheck import api as selfcheck_api
from appwarden.platform.testing import api as testing_api
from appwarden.platform.web import yearly_views
from appwarden.platform.web.early_warning import EarlyWarningView

router = DefaultRouter()
for module in (registry_api, testing_api, enforcement_api, complaints_api, sanctions_api, notifications_api):
    for prefix, viewset in module.ROUTES:
        router.register(prefix, viewset, basename=prefix)
router.register("audit", AuditLogViewSet, basename="audit")
for prefix, viewset in selfcheck_api.ROUTES:  # company self-assessments (issue #21.3)
    router.register(prefix, viewset, basename=prefix)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("docs/assets/swagger-ui-dist/<path:path>", swagger_asset, name="swagger-ui-asset"),
    path("token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path(
        "public/complaints/", complaints_api.PublicComplaintCreate.as_view(), name="public-complaint-create"
    ),
    path(
        "public/complaints/<str:tracking_number>/",
        complaints_api.PublicComplaintStatus.as_view(),
        name="public-complaint-status",
    ),
    path("attestations/log/", PublicLogView.as_view(), name="public-attestation-log"),
    path("attestations/issue/", IssueAttestationView.as_view(), name="attestation-issue"),
    path("attestations/revoke/", RevokeAttestationView.as_view(), name="attestation-revoke"),
    path("attestations/<str:sha256>/", PublicAttestationView.as_view(), name="public-attestation"),
    path("prelisting/", prelisting_api.PrelistingCreateView.as_view(), name="prelisting"),
    path("prelisting/<int:pk>/", prelisting_api.PrelistingDetailView.as_view(), name="prelisting-detail"),
    path("early-warning/", EarlyWarningView.as_view(), name="early-warning"),
    path("stats/yearly/", yearly_views.YearlyStatsView.as_view(), name="yearly-stats"),
    path("stats/yearly/xlsx/", yearly_views.YearlyExportView.as_view(fmt="xlsx"), name="yearly-stats-xlsx"),
    path("stats/yearly/pdf/", yearly_views.YearlyExportView.as_view(fmt="pdf"), name="yearly-stats-pdf"),
    path("my/notices/", portal_api.MyNoticeList.as_view(), name="my-notices"),
    path("documents/orders/<int:pk>/", portal_api.OrderPdfView.as_view(), name="order-pdf"),
    *router.urls,
]
