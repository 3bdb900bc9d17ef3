from events.factories import TrainingEventPageFactory


def test_event_is_created_with_derived_instants(event_index):
    event = TrainingEventPageFactory(parent=event_index)
    assert event.start < event.end
    assert event.live
