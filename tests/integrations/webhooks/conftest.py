"""A delivery that failed for real: the worker sent it to a port on 127.0.0.1 where nothing listens (a partner whose
server is down), so it waits for a retry."""

import pytest

from events.factories import TrainingEventPageFactory
from integrations.webhooks import services
from integrations.webhooks.models import Delivery, DeliveryStatus
from tests.helpers import free_port

FAILED_TITLE = "CIT Core Course: Tulsa Police Department"


@pytest.fixture
def down_endpoint():
    return services.endpoint_create(
        url=f"http://127.0.0.1:{free_port()}/hooks", event_types=["*"], description="CIT International (staging)"
    )


@pytest.fixture
def failed_delivery(event_index, down_endpoint, run_worker) -> Delivery:
    page = TrainingEventPageFactory(parent=event_index, title=FAILED_TITLE, live=False)
    page.save_revision().publish()
    run_worker()
    delivery = Delivery.objects.get(endpoint=down_endpoint)
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.PENDING  # it will be retried
    return delivery
