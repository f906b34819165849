from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "tools"
    verbose_name = "Tools and jobs"

    def ready(self) -> None:
        # Registers the job tasks in every process: tools.jobs queues a job's task by its name
        # (it cannot import it), and a process that runs tasks in place (no broker) looks it up.
        from tools import tasks  # noqa: F401
