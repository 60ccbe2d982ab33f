from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhili.api import api
from zhili.core import views as core_views

urlpatterns = [
    path("", include("zhili.portal.urls")),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", core_views.audit_list, name="audit"),
    path("inbox/", include("zhili.core.inbox_urls")),
    path("calendar/", include("zhili.core.calendar_urls")),
    path("parameters/", include("zhili.core.tunables_urls")),
    path("exports/", include("zhili.core.exports_urls")),
    path("areas/", include("zhili.areas.urls")),
    path("org/", include("zhili.org.urls")),
    path("matters/", include("zhili.matters.urls")),
    path("public/notices/", include("zhili.deliberation.public_urls")),
    path("public/", include("zhili.matters.public_urls")),
    path("risks/", include("zhili.risks.urls")),
    path("points/", include("zhili.points.urls")),
    path("disputes/", include("zhili.disputes.urls")),
    path("targets/", include("zhili.targets.urls")),
    path("visits/", include("zhili.visits.urls")),
    path("compounds/", include("zhili.compounds.urls")),
    path("deliberation/", include("zhili.deliberation.urls")),
    path("legal/", include("zhili.legal.urls")),
    path("indicators/", include("zhili.indicators.urls")),
    path("cockpit/", include("zhili.cockpit.urls")),
    path("screens/", include("zhili.screens.urls")),
    path("wages/", include("zhili.wages.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("zhili.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
]
