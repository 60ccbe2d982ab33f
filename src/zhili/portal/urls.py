from django.urls import path

from zhili.portal import views

# Project-level names (no namespace): the shell's templates link to them by these names.
urlpatterns = [
    path("", views.home, name="home"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("account/2fa/", views.otp_setup, name="otp_setup"),
    path("account/2fa/verify/", views.otp_verify, name="otp_verify"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
