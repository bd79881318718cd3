"""The site's top-level pages. Not namespaced: "home", "dashboard", "initiative_detail"... name pages, not apps."""

from django.urls import path

from hub import board_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("wards/<slug:slug>/", views.ward_detail, name="ward_detail"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/charts/<slug:kind>.svg", views.dashboard_chart, name="dashboard_chart"),
    path("board/", board_views.trust_board, name="board"),
    path("board/directorates/<slug:directorate_slug>/", board_views.directorate_board, name="board_directorate"),
    path("board/wards/<slug:ward_slug>/", board_views.ward_board, name="board_ward"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
]
