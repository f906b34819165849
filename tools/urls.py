from django.urls import path

from . import batch_views, undelete_views, views

urlpatterns = [
    path("batch/", batch_views.BatchOperationView.as_view(), name="tool-batch"),
    path("undelete/", undelete_views.UndeleteView.as_view(), name="tool-undelete"),
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/new/append-note/", views.AppendNoteJobCreateView.as_view(), name="job-append-note"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/report.csv", views.JobReportView.as_view(), name="job-report"),
    path("jobs/<int:pk>/result/", views.JobResultView.as_view(), name="job-result"),
    path("jobs/<int:pk>/cancel/", views.JobCancelView.as_view(), name="job-cancel"),
]
