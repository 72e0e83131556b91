"""ClassDojo is written as the brand writes it, and so are its Dojo Points, one or many."""

from keyworker.celebrations.models import Celebration, CelebrationKind
from keyworker.contacts.models import Channel
from keyworker.people.models import ContactMethod


def test_classdojo_is_spelled_as_the_brand_in_every_choice():
    assert ContactMethod.MESSAGING_APP.label == "ClassDojo or messaging app"
    assert CelebrationKind.DOJO_POINTS.label == "Dojo Points"
    labels = [str(label) for label in (*ContactMethod.labels, *CelebrationKind.labels, *Channel.labels)]
    assert not [label for label in labels if "DoJo" in label or "Class Dojo" in label]


def test_points_are_one_dojo_point_or_many_dojo_points():
    assert Celebration(kind=CelebrationKind.DOJO_POINTS, points=1).kind_label == "1 Dojo Point"
    assert Celebration(kind=CelebrationKind.DOJO_POINTS, points=5).kind_label == "5 Dojo Points"
