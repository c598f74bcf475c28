"""The carousel rule on small hand-built stores: what fires and what must not."""

from __future__ import annotations

import json

from thbmonitor.patterns import INDICATORS, carousel_leads


def _leads(db, **kw):
    return {lead["person_id"]: lead for lead in carousel_leads(db, 2024, **kw).to_dict()["leads"]}


def test_three_persons_moving_together_are_leads_with_every_indicator(builder):
    rids = [builder.person(n) for n in ("Ana", "Bea", "Cara")]
    builder.moving_together(rids, n=6)
    db = builder.build()
    leads = _leads(db)
    assert len(leads) == 3
    for lead in leads.values():
        assert set(lead["indicators"]) == set(INDICATORS)
        assert all(set(i) >= {"value", "threshold", "met"} for i in lead["indicators"].values())
        assert lead["indicators"]["co_movement"] == {
            "value": 2, "threshold": 1, "met": True, "role": "organisation"}
        assert lead["indicators"]["distinct_places"]["value"] == 6
        assert {"mobility", "organisation", "co_movement", "platform_booking"} <= set(
            lead["fired"])
        assert lead["fired"] == sorted(lead["fired"])


def test_touring_alone_is_mobile_but_not_a_lead(builder):
    rid = builder.person("Dora", nationality="NL", phone="+31601111111")
    builder.moving_together([rid], n=8, prefix="tour", booking="ACC-OWN-1")
    db = builder.build()
    result = carousel_leads(db, 2024)
    assert result.leads == []
    assert result.mobility_only == 1


def test_organisation_without_mobility_is_not_a_lead(builder):
    rids = [builder.person(n, phone="+31602222222") for n in ("Eva", "Fay", "Gia")]
    for rid in rids:  # one long stay each, booked through a platform
        builder.stay(rid, "2024-02-01", "2024-05-01", place="Utrecht",
                     location_type="short_stay_rental", channel="booking_platform")
    db = builder.build()
    flags = carousel_leads(db, 2024).flags
    assert flags["organisation"].all() and not flags["mobility"].any()
    assert not flags["lead"].any()


def test_a_phone_shared_with_two_others_is_a_sign_of_organisation(builder):
    rids = [builder.person(n, phone="+31603333333") for n in ("Hana", "Ida", "Jo")]
    for k, rid in enumerate(rids):  # each moves alone, in places of their own
        builder.moving_together([rid], n=5, prefix=f"alone{k}")
    db = builder.build()
    leads = _leads(db)
    assert len(leads) == 3
    for lead in leads.values():
        assert lead["indicators"]["shared_identifier"]["value"] == 2
        assert "co_movement" not in lead["fired"]


def test_a_phone_shared_with_one_other_is_not_enough(builder):
    # one other person is often the same person split by linkage
    rids = [builder.person(n, phone="+31604444444") for n in ("Kim", "Lia")]
    for k, rid in enumerate(rids):
        builder.moving_together([rid], n=5, prefix=f"solo{k}")
    db = builder.build()
    assert _leads(db) == {}


def test_a_suspect_shared_with_another_reported_person(builder):
    builder.investigation("INV-1", suspects=2)
    mover = builder.person("Mia", investigation="INV-1", report_date="2024-06-10")
    builder.person("Nia", investigation="INV-1", report_date="2024-06-20")
    builder.moving_together([mover], n=5, prefix="mia")
    db = builder.build()
    leads = _leads(db)
    assert len(leads) == 1
    (lead,) = leads.values()
    assert lead["indicators"]["linked_suspect"]["value"] == 2
    assert "linked_suspect" in lead["fired"]


def test_a_suspect_of_this_person_alone_is_not_enough(builder):
    builder.investigation("INV-2")
    mover = builder.person("Ola", investigation="INV-2")
    builder.moving_together([mover], n=5, prefix="ola")
    db = builder.build()
    assert _leads(db) == {}


def test_nationality_is_never_an_input(builder_factory):
    outcomes = []
    for nationality in ("CO", "NL"):
        b = builder_factory(nationality)
        rids = [b.person(n, nationality=nationality) for n in ("Pia", "Qin", "Ria")]
        b.moving_together(rids, n=6)
        db = b.build()
        outcomes.append(json.dumps(carousel_leads(db, 2024).to_dict()["leads"], sort_keys=True))
        db.close()
    assert outcomes[0] == outcomes[1]


def test_the_90_day_window_finds_movement_a_long_stay_hides_in_the_year(builder):
    rids = [builder.person(n) for n in ("Sia", "Tea")]
    builder.moving_together(rids, n=6)  # March to mid April
    builder.stay(rids[0], "2024-10-01", "2024-12-31", place="Zwolle",
                 location_type="private_home", channel="direct")
    db = builder.build()
    year = _leads(db)
    window = _leads(db, window="90d")
    for lead in window.values():
        assert lead["period"] == ["2024-03-01", "2024-05-29"]
        assert lead["indicators"]["distinct_places"]["value"] == 6
    # over the whole year the long autumn stay dilutes Sia's moves per 30 days
    assert len(year) == 1 and len(window) == 2


def test_leads_are_recorded_in_the_audit_log_without_personal_values(builder):
    rids = [builder.person(n) for n in ("Uma", "Vera", "Wen")]
    builder.moving_together(rids, n=6)
    db = builder.build()
    carousel_leads(db, 2024, actor="analyst-1")
    rows = db.rows("SELECT actor, action, resource, detail FROM audit_log "
                   "WHERE resource = 'patterns.carousel'")
    assert rows == [("analyst-1", "read", "patterns.carousel",
                     '{"leads": 3, "window": "year", "year": 2024}')]


def test_thresholds_are_settings_recorded_with_the_run(builder):
    rids = [builder.person(n) for n in ("Xia", "Yara", "Zoe")]
    builder.moving_together(rids, n=6)
    db = builder.build()
    db.set_setting("patterns.carousel.min_distinct_places", 7)
    result = carousel_leads(db, 2024).to_dict()
    assert result["leads"] == [] and result["mobility_only"] == 0
    assert result["settings"]["patterns.carousel.min_distinct_places"] == 7
    assert set(result["run"]) == {"version", "rules", "data_hash", "vintages"}
