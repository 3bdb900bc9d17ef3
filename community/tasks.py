"""Background work for the Online Resource Center (Django Tasks; tasks take ids)."""

from django_tasks import task

from community import notifications, services


@task()
def notify_staff_of_ta_request(ta_request_id: int) -> int:
    """Email TA staff about a new request (enqueued after the request's transaction commits)."""
    return services.ta_request_notify_staff(ta_request_id=ta_request_id)


@task()
def send_notification(notification_id: int) -> str:
    """Send one email notification (enqueued after commit, and again for each retry or by the sweep)."""
    return notifications.notification_send(notification_id=notification_id)


@task()
def notifications_sweep() -> int:
    """Re-enqueue pending notifications whose task was lost. Enqueued by run_worker every --schedule-interval."""
    return notifications.notifications_sweep()


@task()
def ta_uploads_expire() -> int:
    """Delete members' uploads no follow-up referenced in time. Enqueued by run_worker every --schedule-interval."""
    return services.ta_uploads_expire()
