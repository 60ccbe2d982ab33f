from django.urls import path

from zhili.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/", views.role_edit, name="role"),
    path("liaisons/", views.liaisons, name="liaisons"),
    path("liaisons/<int:pk>/delete/", views.liaison_delete, name="liaison_delete"),
]
