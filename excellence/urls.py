from django.urls import path

from excellence import views

app_name = "excellence"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("report/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/sent/", views.report_sent, name="report_sent"),
    path("reports/<int:pk>/thank-you/", views.thank_you, name="thank_you"),
    path("reports/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("reports/<int:pk>/conversation/", views.conversation, name="conversation"),
    path("reports/<int:pk>/learning-shared/", views.learning_shared, name="learning_shared"),
    path("reports/<int:pk>/start-initiative/", views.start_initiative, name="start_initiative"),
    path("charts/weekly.svg", views.weekly_chart, name="weekly_chart"),
    path("charts/weekly/<slug:slug>.svg", views.weekly_chart, name="ward_weekly_chart"),
    path("wall/", views.wall, name="wall"),
    path("wall/<slug:slug>/", views.wall, name="ward_wall"),
    path("export.csv", views.export_csv, name="export"),
]
