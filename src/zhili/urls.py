from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhili.api import api
from zhili.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    path("audit/", core_views.audit_list, name="audit"),
    path("inbox/", include("zhili.core.inbox_urls")),
    path("calendar/", include("zhili.core.calendar_urls")),
    path("areas/", include("zhili.areas.urls")),
    path("org/", include("zhili.org.urls")),
    path("matters/", include("zhili.matters.urls")),
    path("public/", include("zhili.matters.public_urls")),
    path("risks/", include("zhili.risks.urls")),
    path("disputes/", include("zhili.disputes.urls")),
    path("targets/", include("zhili.targets.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", include("zhili.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
]
