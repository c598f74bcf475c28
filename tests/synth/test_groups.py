"""Planted pattern groups and look-alikes are in the data (issue 7)."""

from __future__ import annotations

import pandas as pd

Tables = dict[str, pd.DataFrame]


def _person_locations(tables: Tables) -> pd.DataFrame:
    return tables["locations"].merge(tables["gt_report_persons"], on=["source", "report_id"])


def _of_group(frame: pd.DataFrame, group: pd.DataFrame) -> pd.DataFrame:
    """Rows of the group's persons in the group's year."""
    keys = group[["group_id", "person_id", "year"]].drop_duplicates()
    return frame.merge(keys, on=["person_id", "year"])


def test_carousel_groups_move_together_through_temporary_lodging(
    tables: Tables,
) -> None:
    groups, loc = tables["gt_groups"], _person_locations(tables)
    carousel = groups[groups["kind"] == "carousel"]
    assert carousel[carousel["year"] == "2024"]["group_id"].nunique() >= 5
    assert (carousel.groupby("group_id").size() >= 3).all()
    assert (carousel["cross_border"] == "true").any()
    members = _of_group(loc, carousel)
    per_person = members.groupby("person_id")
    assert (per_person["place"].nunique() >= 4).mean() > 0.9
    lodging = members["location_type"].isin(["hotel", "holiday_park", "short_stay_rental"])
    assert lodging.all()
    assert members["booking_channel"].isin(["booking_platform", "holiday_park", "direct"]).all()
    assert set(members["country"]) >= {"NL", "BE", "DE"}
    stay = (pd.to_datetime(members["end_date"]) - pd.to_datetime(members["start_date"])).dt.days
    assert stay.between(3, 12).all()
    # shared booking accounts and co-located stays within a group
    acc = members[members["booking_ref"].str.startswith("ACC-")]
    shared = acc.groupby(["group_id", "booking_ref"])["person_id"].nunique()
    assert (shared.groupby(level=0).max() >= 2).mean() > 0.8
    # accounts never cross groups
    assert (acc.groupby("booking_ref")["group_id"].nunique() == 1).all()


def test_touring_lookalikes_travel_alone(tables: Tables) -> None:
    groups, loc = tables["gt_groups"], _person_locations(tables)
    touring = groups[groups["kind"] == "touring_lookalike"]
    assert touring["person_id"].nunique() >= 30
    members = _of_group(loc, touring)
    assert (members.groupby("person_id")["place"].nunique() >= 4).mean() > 0.9
    refs = members.loc[members["booking_ref"] != "", "booking_ref"]
    owners = loc[loc["booking_ref"].isin(refs)].groupby("booking_ref")["person_id"].nunique()
    assert (owners == 1).all()
    phones = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    phones = phones[phones["contact_phone"] != ""]
    phones = phones.assign(d=phones["contact_phone"].str.replace(r"\D", "", regex=True).str[-7:])
    users = phones.groupby("d")["person_id"].nunique()
    hubs = set(users[users > 20].index)  # shelter and NGO intake lines
    own = _of_group(phones, touring)
    own = own[~own["d"].isin(hubs)]
    assert len(own) > 20
    assert (users.loc[sorted(set(own["d"]))] == 1).all()


def test_networks_share_identifiers(tables: Tables) -> None:
    groups = tables["gt_groups"]
    nets = groups[groups["kind"] == "network"]
    assert nets["group_id"].nunique() >= 60
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    r = _of_group(r, nets)
    r["phone7"] = r["contact_phone"].str.replace(r"\D", "", regex=True).str[-7:]
    loc = _of_group(_person_locations(tables), nets)
    linked = 0
    for gid, g in r.groupby("group_id"):
        phone = g.loc[g["contact_phone"] != ""].groupby("phone7")["person_id"].nunique().max()
        inv = g.loc[g["investigation_id"] != ""].groupby("investigation_id")["person_id"].nunique()
        addr = loc[(loc["group_id"] == gid) & (loc["address"] != "")]
        shared_addr = addr.groupby("address")["person_id"].nunique().max() if len(addr) else 0
        if max(phone if phone == phone else 0, inv.max() if len(inv) else 0, shared_addr) >= 2:
            linked += 1
    assert linked / nets["group_id"].nunique() > 0.9
    assert (nets["cross_border"] == "true").any()


def test_shared_housing_and_intake_phones_are_hubs(tables: Tables) -> None:
    groups, loc = tables["gt_groups"], _person_locations(tables)
    housing = groups[groups["kind"] == "shared_housing"]
    assert housing["group_id"].nunique() >= 6
    members = _of_group(loc, housing)
    sizes = members.groupby("address")["person_id"].nunique()
    assert (sizes >= 25).sum() >= 6
    shelter = groups[groups["kind"] == "shelter_phone"]
    assert (shelter.groupby("group_id")["person_id"].nunique() > 20).any()


def test_every_shared_identifier_is_planted(tables: Tables) -> None:
    """Two persons share a phone, address, booking reference or investigation only in a group."""
    groups = tables["gt_groups"]
    members = groups.groupby("group_id")["person_id"].agg(set)
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    loc = _person_locations(tables)
    shared: list[set[str]] = []
    for frame, column in ((r.assign(phone=r["contact_phone"].str.replace(r"\D", "", regex=True)
                                    .str[-7:]), "phone"),
                          (r, "investigation_id"), (loc, "address"), (loc, "booking_ref")):
        used = frame[frame[column] != ""].groupby(column)["person_id"].agg(set)
        shared += [s for s in used if len(s) > 1]
    assert len(shared) > 100
    for persons in shared:
        assert any(persons <= m for m in members), sorted(persons)
