"""Background work for the Online Resource Center (Django Tasks; tasks take ids)."""

from django_tasks import task

from community import services


@task()
def notify_staff_of_ta_request(ta_request_id: int) -> int:
    """Email TA staff about a new request (enqueued after the request's transaction commits)."""
    return services.ta_request_notify_staff(ta_request_id=ta_request_id)
