from django.urls import path

from ffit import views

app_name = "ffit"

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("open/", views.audit_open, name="audit_open"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("<int:pk>/invite/", views.audit_invite, name="audit_invite"),
    path("<int:pk>/sections/<int:number>/", views.answer_section, name="answer_section"),
    path("<int:pk>/check-your-answers/", views.answer_check, name="answer_check"),
    path("<int:pk>/submitted/", views.answer_done, name="answer_done"),
    path("<int:pk>/close/", views.audit_close, name="audit_close"),
    path("<int:pk>/results/", views.audit_results, name="audit_results"),
    path("<int:pk>/results/chart.svg", views.audit_chart, name="audit_chart"),
    path("<int:pk>/results.csv", views.audit_csv, name="audit_csv"),
    path("wards/<slug:slug>/history/", views.ward_history, name="ward_history"),
]
