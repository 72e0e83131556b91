"""Pages of the manager's monitoring: the monitoring view, a sample's scoring and sign-off, a finding's
acknowledgement, as the right persona and as outsiders (404); a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.accounts.access import actor_for
from keyworker.care import monitoring_services as services
from keyworker.care.models_monitoring import MonitoringFinding, MonitoringSample

from .monitoring_helpers import AS_OF, grow, make_nursery, sources_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ALL_GOOD = {"up_to_date": "good", "child_voice": "good", "next_steps": "good", "high_standard": "good"}


def _score_post(item, **overrides):
    data = {f"item-{item.pk}-{k}": v for k, v in {**ALL_GOOD, **overrides}.items()}
    return data


def test_monitoring_view_as_manager_and_assistant(world, sources, client_for):
    nursery = make_nursery(world)
    for staff in (nursery.manager, nursery.assistant):
        response = client_for(staff).get(reverse("care:monitoring", args=[nursery.setting.pk]))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Learning journal" in text and "No observation for 19 days" in text
        assert "Kai Keyperson" in text and "Overdue obligations" in text
    response = client_for(nursery.manager).get(reverse("care:monitoring_index"))
    assert response.status_code == 302


def test_monitoring_view_filters(world, sources, client_for):
    nursery = make_nursery(world)
    url = reverse("care:monitoring", args=[nursery.setting.pk])
    response = client_for(nursery.manager).get(url, {"out_of_date": "on", "key_person": nursery.key_person.pk})
    assert response.status_code == 200
    shown = response.context["view"].shown
    assert shown and all(not r.record.up_to_date and r.key_person.pk == nursery.key_person.pk for r in shown)
    offered = client_for(nursery.manager).get(url, {"size": "3"})
    assert len(offered.context["view"].offered) == 3
    bad = client_for(nursery.manager).get(url, {"key_person": "abc", "size": "999"})
    assert bad.status_code == 200 and bad.context["view"].offered == set()


@pytest.mark.parametrize("who", ["key_person", "practitioner", "outsider", "school_head_elsewhere"])
def test_monitoring_view_outsiders_get_404(world, sources, client_for, who):
    nursery = make_nursery(world)
    staff = {"key_person": nursery.key_person, "practitioner": nursery.practitioner, "outsider": world.outsider,
             "school_head_elsewhere": world.outsider}[who]
    client = client_for(staff)
    assert client.get(reverse("care:monitoring", args=[nursery.setting.pk])).status_code == 404
    assert client.post(reverse("care:monitoring_sample_start", args=[nursery.setting.pk]),
                       {"records": [f"journal:{nursery.children[0].pk}"]}).status_code == 404


def test_school_is_not_monitored(world, sources, client_for):
    assert client_for(world.headteacher).get(reverse("care:monitoring", args=[world.school.pk])).status_code == 404
    assert client_for(world.headteacher).get(reverse("care:monitoring", args=[999999])).status_code == 404


def test_start_score_sign_off_acknowledge(world, sources, client_for):
    nursery = make_nursery(world)
    client = client_for(nursery.manager)
    response = client.post(reverse("care:monitoring_sample_start", args=[nursery.setting.pk]), {"records": []})
    assert response.status_code == 400 and "Pick at least one record" in response.content.decode()
    child = nursery.children[0]
    response = client.post(reverse("care:monitoring_sample_start", args=[nursery.setting.pk]),
                           {"records": [f"journal:{child.pk}"]})
    sample = MonitoringSample.objects.get(setting=nursery.setting)
    assert response.status_code == 302 and response.url == reverse("care:monitoring_sample", args=[sample.pk])
    item = sample.items.get()
    page = client.get(response.url)
    assert page.status_code == 200 and "Shows the child&#x27;s voice" in page.content.decode()
    # Signing off an unscored sample says what is missing.
    refused = client.post(reverse("care:monitoring_sign_off", args=[sample.pk]))
    assert refused.status_code == 400 and "Score every record before signing off" in refused.content.decode()
    # A score with something missing and no comment: the message is on the comment.
    bad = client.post(reverse("care:monitoring_item_score", args=[sample.pk, item.pk]), _score_post(item, child_voice="missing"))
    assert bad.status_code == 400 and "a comment is needed" in bad.content.decode()
    blank = client.post(reverse("care:monitoring_item_score", args=[sample.pk, item.pk]), {})
    assert blank.status_code == 400 and "Choose a score for" in blank.content.decode()
    assert client.post(reverse("care:monitoring_item_score", args=[sample.pk, item.pk + 99]), {}).status_code == 404
    ok = client.post(reverse("care:monitoring_item_score", args=[sample.pk, item.pk]),
                     {**_score_post(item, child_voice="needs_work"), f"item-{item.pk}-comment": "Add her own words."})
    assert ok.status_code == 302
    assert client.post(reverse("care:monitoring_sign_off", args=[sample.pk])).status_code == 302
    finding = MonitoringFinding.objects.get(item=item)
    assert finding.staff == nursery.key_person
    # The key person reads it on My week and acknowledges it; the manager sees who has.
    kp = client_for(nursery.key_person)
    assert kp.get(reverse("care:monitoring_finding", args=[finding.pk])).status_code == 200
    assert kp.get(reverse("care:monitoring_sample", args=[sample.pk])).status_code == 404
    assert kp.post(reverse("care:monitoring_finding_acknowledge", args=[finding.pk])).status_code == 302
    finding.refresh_from_db()
    assert finding.acknowledged_at is not None
    page = client_for(nursery.manager).get(reverse("care:monitoring_sample", args=[sample.pk]))
    assert "Acknowledged" in page.content.decode()


def test_findings_are_hidden_from_others(world, sources, client_for):
    nursery = make_nursery(world)
    actor = actor_for(nursery.manager.user)
    sample = services.sample_start(actor=actor, setting=nursery.setting,
                                   records=[f"journal:{nursery.children[0].pk}"], as_of=AS_OF)
    services.item_score(actor=actor, sample=sample, item_id=sample.items.get().pk, scores=ALL_GOOD)
    services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
    finding = MonitoringFinding.objects.get()
    for staff in (nursery.other_key_person, world.outsider):
        client = client_for(staff)
        assert client.get(reverse("care:monitoring_finding", args=[finding.pk])).status_code == 404
        assert client.post(reverse("care:monitoring_finding_acknowledge", args=[finding.pk])).status_code == 404
    # The manager sees it but cannot acknowledge it for the key person.
    client = client_for(nursery.manager)
    response = client.post(reverse("care:monitoring_finding_acknowledge", args=[finding.pk]), follow=True)
    assert "only they can acknowledge" in response.content.decode()
    finding.refresh_from_db()
    assert finding.acknowledged_at is None


def test_my_week_lists_findings_awaiting(world, sources, client_for):
    from keyworker.care.monitoring_panels import build

    nursery = make_nursery(world)
    actor = actor_for(nursery.manager.user)
    sample = services.sample_start(actor=actor, setting=nursery.setting,
                                   records=[f"journal:{nursery.children[0].pk}"], as_of=AS_OF)
    assert build(actor, AS_OF).open_samples == [sample]
    assert build(actor_for(nursery.key_person.user), AS_OF) is None
    services.item_score(actor=actor, sample=sample, item_id=sample.items.get().pk, scores=ALL_GOOD)
    services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
    panel = build(actor_for(nursery.key_person.user), AS_OF)
    assert [f.item.child_id for f in panel.findings] == [nursery.children[0].pk]
    response = client_for(nursery.key_person).get(reverse("week:my_week"))
    assert response.status_code == 200 and "Quality check findings" in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_use_a_fixed_number_of_queries(world, sources, client_for):
    nursery = make_nursery(world, 3)
    actor = actor_for(nursery.manager.user)
    client = client_for(nursery.manager)
    view_url = reverse("care:monitoring", args=[nursery.setting.pk])

    def sample_round():
        sample = services.sample_start(actor=actor, setting=nursery.setting, random_size=len(nursery.children),
                                       as_of=AS_OF)
        for item in sample.items.all():
            services.item_score(actor=actor, sample=sample, item_id=item.pk, scores=ALL_GOOD)
        services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
        return sample

    sample = sample_round()
    small = (_queries(client, view_url), _queries(client, reverse("care:monitoring_sample", args=[sample.pk])))
    grow(nursery, world, 27)
    sample = sample_round()
    large = (_queries(client, view_url), _queries(client, reverse("care:monitoring_sample", args=[sample.pk])))
    assert small == large
    assert large[0] <= 25
