from django.urls import path

from zhili.legal import views

app_name = "legal"
urlpatterns = [
    path("", views.home, name="home"),
    path("advisers/new/", views.adviser_create, name="adviser_create"),
    path("coverage/new/", views.coverage_create, name="coverage_create"),
    path("duties/new/", views.duty_create, name="duty_create"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
]
