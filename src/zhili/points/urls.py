from django.urls import path

from zhili.points import views

app_name = "points"
urlpatterns = [
    path("", views.home, name="home"),
    path("v/<str:code>/", views.village, name="village"),
    path("v/<str:code>/score/", views.score, name="score"),
    path("v/<str:code>/review/", views.review, name="review"),
    path("v/<str:code>/shop/", views.shop, name="shop"),
    path("v/<str:code>/manage/", views.manage, name="manage"),
    path("v/<str:code>/households.xlsx", views.households_export, name="households_export"),
    path(
        "v/<str:code>/households-template.xlsx",
        views.households_template,
        name="households_template",
    ),
    path("v/<str:code>/rules/", views.rule_catalogue, name="rules"),
    path("rules/<int:pk>.xlsx", views.rules_export, name="rules_export"),
    path("records/<int:pk>/<str:action>/", views.record_act, name="record_act"),
    path("orders/<int:pk>/<str:action>/", views.order_act, name="order_act"),
    path("public/<str:code>/", views.public_board, name="public"),
]
