"""Learning journal services: observations of one or more children, versions, hiding, photos (consent, EXIF removed,
not an image, decompression bombs), next steps, comments and wow moments, and the evidence they give CC-K4."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from keyworker.care import journals_services as services
from keyworker.care.journals_evidence import monitored_journals, observations_made, panel_build
from keyworker.care.journals_selectors import journal_page, learning_chart
from keyworker.care.models_journals import NextStepState, ObservationVersion, WowState
from keyworker.core.conflicts import EditConflict
from keyworker.core.errors import RuleViolation

from .journals_helpers import consent, jpeg, nursery_with_two

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 16)


@pytest.fixture
def n(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return nursery_with_two(world)


def _record(n, actor=None, children=None, **kw):
    data = {"observed_on": DAY, "text": "Poured water from jug to jug, counting to five.", "interests": "water, pouring",
            "schemas": ["transporting"], "areas": ["eyfs.maths", "eyfs.pd"]}
    data.update(kw)
    return services.observation_record(actor=actor or n.key_person_actor, children=children or [n.child], **data)


@pytest.fixture(autouse=True)
def _actors(n, world):
    n.key_person_actor = world.actor(n.key_person)
    n.manager_actor = world.actor(n.manager)


def test_a_group_observation_tags_each_child_and_is_evidence_for_each(n):
    obs = _record(n, children=[n.child, n.child2], next_step="Offer funnels at the water tray")
    assert sorted(t.child_id for t in obs.tags.all()) == sorted([n.child.pk, n.child2.pk])
    assert obs.interests == ["water", "pouring"]
    rows = observations_made(n.setting.organisation_id, DAY, DAY, {})
    assert {r.child_id for r in rows} == {n.child.pk, n.child2.pk}
    assert obs.next_steps.count() == 2


def test_bad_input_names_each_field(n):
    with pytest.raises(services.JournalFieldErrors) as exc:
        _record(n, text=" ", observed_on=dt.date(2026, 12, 25), areas=["cfe.sciences"], schemas=["wobbling"])
    assert set(exc.value.errors) == {"text", "observed_on", "areas", "schemas"}


def test_a_child_outside_the_actors_scope_is_404(n, world):
    with pytest.raises(Http404):
        _record(n, actor=world.actor(world.outsider))


def test_an_edit_is_a_new_version_and_the_old_one_is_kept(n):
    obs = _record(n)
    services.observation_update(actor=n.key_person_actor, observation=obs, version=1, observed_on=DAY,
                                text="Poured water carefully, counting to ten.", areas=["eyfs.maths"])
    obs.refresh_from_db()
    assert obs.version == 2 and "ten" in obs.text
    assert list(ObservationVersion.objects.filter(observation=obs).values_list("number", flat=True)) == [2, 1]
    with pytest.raises(EditConflict):
        services.observation_update(actor=n.key_person_actor, observation=obs, version=1, observed_on=DAY, text="Old")


def test_only_a_leader_hides_with_a_reason_and_a_hidden_one_is_no_evidence(n):
    from django.core.exceptions import PermissionDenied

    obs = _record(n)
    with pytest.raises(PermissionDenied):
        services.observation_hide(actor=n.key_person_actor, observation=obs, reason="Wrong child recorded")
    with pytest.raises(RuleViolation) as exc:
        services.observation_hide(actor=n.manager_actor, observation=obs, reason="")
    assert exc.value.field == "reason"
    services.observation_hide(actor=n.manager_actor, observation=obs, reason="Wrong child recorded")
    obs.refresh_from_db()
    assert obs.is_hidden and obs.hidden_reason == "Wrong child recorded"
    assert list(observations_made(n.setting.organisation_id, DAY, DAY, {})) == []


def test_photos_need_consent_for_every_child(n):
    consent(n.child)
    with pytest.raises(RuleViolation) as exc:
        _record(n, children=[n.child, n.child2], photos=[jpeg()])
    assert exc.value.field == "photos" and "Fin Fox" in exc.value.message
    obs = _record(n, photos=[jpeg()])
    assert obs.photos.count() == 1


def test_exif_and_gps_are_removed_and_the_photo_is_resized(n):
    consent(n.child)
    obs = _record(n, photos=[jpeg(3000, 2000, exif_gps=True)])
    photo = obs.photos.get()
    with default_storage.open(photo.image) as f:
        stored = Image.open(f)
        stored.load()
        assert max(stored.size) == 2048
        assert not stored.getexif() and "exif" not in stored.info
    with default_storage.open(photo.thumbnail) as f:
        assert max(Image.open(f).size) == 320


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(n):
    consent(n.child)
    fake = SimpleUploadedFile("holiday.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(RuleViolation) as exc:
        _record(n, photos=[fake])
    assert exc.value.field == "photos" and "not a photo" in exc.value.message


def test_a_decompression_bomb_is_refused(n):
    consent(n.child)
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # a small file that opens to 144 megapixels
    bomb = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(RuleViolation) as exc:
        _record(n, photos=[bomb])
    assert "too large to open safely" in exc.value.message


def test_a_file_over_the_byte_cap_is_refused(n, settings):
    settings.KEYWORKER_JOURNAL_PHOTO_MAX_MB = 1
    consent(n.child)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10), content_type="image/jpeg")
    with pytest.raises(RuleViolation) as exc:
        _record(n, photos=[big])
    assert "larger than 1 MB" in exc.value.message


def test_next_steps_are_followed_up_by_a_later_observation_or_done(n):
    first = _record(n, next_step="Offer funnels")
    step = first.next_steps.get()
    later = _record(n, observed_on=DAY + dt.timedelta(days=1), follows_up=[step.pk])
    step.refresh_from_db()
    assert step.state == NextStepState.FOLLOWED_UP and step.followed_up_by_id == later.pk
    other = services.next_step_plan(actor=n.key_person_actor, observation=later, child=n.child, text="Sand and scoops")
    services.next_step_done(actor=n.key_person_actor, step=other)
    other.refresh_from_db()
    assert other.state == NextStepState.DONE


def test_carers_comment_and_send_wow_moments_that_staff_approve(n):
    obs = _record(n)
    comment = services.journal_comment_add(link=n.carer, child=n.child, observation=obs, text="She does this at home too!")
    assert comment.carer_name
    with pytest.raises(Http404):
        services.journal_comment_add(link=n.carer, child=n.child2, observation=obs, text="Not my child")
    wow = services.wow_moment_send(link=n.carer, child=n.child, text="Rode her bike without stabilisers", photo=jpeg())
    assert wow.state == WowState.AWAITING and wow.thumbnail
    assert journal_page(n.child, 1).awaiting == [wow]
    services.wow_moment_approve(actor=n.key_person_actor, wow=wow)
    assert [w.pk for w in journal_page(n.child, 1).wow_moments] == [wow.pk]


def test_monitoring_panel_and_chart(n):
    _record(n, areas=["eyfs.maths"])
    as_of = dt.date(2026, 11, 18)
    records = monitored_journals(n.setting, as_of)
    assert records[n.child.pk].up_to_date and records[n.child.pk].last_updated == DAY
    assert records[n.child2.pk].up_to_date and records[n.child2.pk].next_due == dt.date(2026, 11, 23)  # started 9/11
    later = monitored_journals(n.setting, dt.date(2026, 11, 25))[n.child2.pk]
    assert not later.up_to_date and later.reason.startswith("No observation since starting")
    chart = learning_chart(n.child, as_of)
    maths = next(r for r in chart.rows if r.code == "eyfs.maths")
    assert maths.counts[-1] == 1
    panel = panel_build(n.key_person_actor, dt.date(2026, 11, 25))
    assert panel is not None and n.child2.pk in [r.child.pk for r in panel.rows]
