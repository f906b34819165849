from django.urls import path

from . import batch_views, export_views, import_views, undelete_views, views

urlpatterns = [
    path("batch/", batch_views.BatchOperationView.as_view(), name="tool-batch"),
    path("undelete/", undelete_views.UndeleteView.as_view(), name="tool-undelete"),
    path("jobs/", views.JobListView.as_view(), name="job-list"),
    path("jobs/new/append-note/", views.AppendNoteJobCreateView.as_view(), name="job-append-note"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/report.csv", views.JobReportView.as_view(), name="job-report"),
    path("jobs/<int:pk>/result/", views.JobResultView.as_view(), name="job-result"),
    path("jobs/<int:pk>/cancel/", views.JobCancelView.as_view(), name="job-cancel"),
    path("export/", export_views.ExportRunView.as_view(), name="tool-export"),
    path(
        "export/mappings/",
        export_views.ExportMappingListView.as_view(),
        name="tool-export-mappings",
    ),
    path(
        "export/mappings/new/",
        export_views.ExportMappingEditView.as_view(),
        name="export-mapping-create",
    ),
    path(
        "export/mappings/preview/",
        export_views.ExportMappingPreviewView.as_view(),
        name="export-mapping-preview",
    ),
    path(
        "export/mappings/<int:pk>/",
        export_views.ExportMappingEditView.as_view(),
        name="export-mapping-edit",
    ),
    path("import-costs/", import_views.CostImportUploadView.as_view(), name="tool-import-costs"),
    path(
        "import-costs/<int:pk>/",
        import_views.CostImportDetailView.as_view(),
        name="cost-import-detail",
    ),
    path(
        "import-costs/<int:pk>/errors.csv",
        import_views.CostImportErrorsView.as_view(),
        name="cost-import-errors",
    ),
    path(
        "import-costs/<int:pk>/apply/",
        import_views.CostImportApplyView.as_view(),
        name="cost-import-apply",
    ),
    path(
        "import-costs/<int:pk>/undo/",
        import_views.CostImportUndoView.as_view(),
        name="cost-import-undo",
    ),
]
