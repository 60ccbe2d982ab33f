from django.urls import path

from zhili.screens import views

app_name = "screens"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("<int:pk>/", views.centre, name="centre"),
    path("<int:pk>/ratings/", views.centre_ratings, name="ratings"),
    path("staff/<int:pk>/active/", views.staff_active, name="staff_active"),
    path("rate/<str:code>/", views.rate, name="rate"),
    path("devices/<int:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("pair/<str:token>/", views.pair, name="pair"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/slides.json", views.kiosk_slides, name="kiosk_slides"),
    path("kiosk/sw.js", views.kiosk_sw, name="kiosk_sw"),
]
