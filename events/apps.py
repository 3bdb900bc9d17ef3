from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Training events"

    def ready(self):
        from events import signal_handlers

        signal_handlers.connect()
