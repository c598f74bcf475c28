"""Networks on small hand-built stores: edges, removals, summaries, explain."""

from __future__ import annotations

import json

import pytest

from thbmonitor.errors import UsageError
from thbmonitor.ingest import Pseudonymiser
from thbmonitor.patterns import explain_link, find_networks

KEY = bytes.fromhex("7e" * 32)


def _members(result):
    return sorted(len(n["person_ids"]) for n in result.networks)


def test_a_phone_shared_by_more_than_the_hub_limit_is_removed_and_counted(builder):
    for i in range(21):
        builder.person(f"Hub{i:02d}", phone="+31605550000")
    builder.person("Anna", phone="+31605551111")
    builder.person("Bert", phone="+31605551111")
    db = builder.build()
    result = find_networks(db, 2024)
    assert _members(result) == [2]
    assert result.removed.to_dict() == {"hub_identifiers": 1, "deny_listed": 0,
                                        "intake_lines": 0}


def test_a_deny_listed_phone_is_removed_first(builder):
    builder.person("Cor", phone="+31605552222")
    builder.person("Dirk", phone="+31605552222")
    db = builder.build()
    token = Pseudonymiser(KEY).phones(["+31605552222"])["+31605552222"]
    db.set_setting("patterns.networks.deny_list", [f"phone:{token}"])
    result = find_networks(db, 2024)
    assert result.networks == []
    assert result.removed.deny_listed == 1
    assert result.settings["patterns.networks.deny_list"] == [f"phone:{token}"]


def test_a_shelter_intake_line_is_not_a_network(builder):
    for i in range(6):
        builder.person(f"Shelter{i}", phone="+31605553333", source="shelter-noord",
                       source_type="shelter")
    db = builder.build()
    result = find_networks(db, 2024)
    assert result.networks == [] and result.removed.intake_lines == 1


def test_an_address_links_only_in_overlapping_dates(builder):
    a, b, c = (builder.person(n) for n in ("Eef", "Fien", "Guus"))
    builder.stay(a, "2024-01-01", "2024-01-31", place="Delft", address="Dorpsstraat 1")
    builder.stay(b, "2024-01-20", "2024-02-10", place="Delft", address="Dorpsstraat 1")
    builder.stay(c, "2024-03-01", "2024-03-05", place="Delft", address="Dorpsstraat 1")
    db = builder.build()
    result = find_networks(db, 2024)
    assert _members(result) == [2]
    assert result.networks[0]["links"] == {"address": 1}


def test_cross_border_network_abroad_without_investigation(builder):
    a, b = builder.person("Hans"), builder.person("Ilse")
    builder.stay(a, "2024-04-01", "2024-04-10", place="Antwerpen", country="BE",
                 address="Meir 3")
    builder.stay(b, "2024-04-05", "2024-04-12", place="Antwerpen", country="BE",
                 address="Meir 3")
    builder.stay(b, "2024-05-01", "2024-05-12", place="Breda", country="NL")
    builder.investigation("INV-9")
    c = builder.person("Jan", phone="+31605554444", investigation="INV-9")
    d = builder.person("Kees", phone="+31605554444")
    db = builder.build()
    every = find_networks(db, 2024).to_dict()["networks"]
    assert len(every) == 2
    abroad = next(n for n in every if n["cross_border"])
    assert abroad["countries"] == ["BE", "NL"]
    assert abroad["abroad_without_investigation"] is True and abroad["suspects"] == 0
    home = next(n for n in every if not n["cross_border"])
    assert home["suspects"] == 1 and home["abroad_without_investigation"] is False
    only = find_networks(db, 2024, cross_border=True).to_dict()["networks"]
    assert only == [abroad]
    assert c and d


def test_network_ids_depend_only_on_the_members(builder):
    builder.person("Lot", phone="+31605556666")
    builder.person("Mees", phone="+31605556666")
    db = builder.build()
    first = find_networks(db, 2024).networks[0]["network_id"]
    again = find_networks(db, None).networks[0]["network_id"]
    assert first == again and first.startswith("N")


def test_explain_names_identifiers_by_kind_and_prefix_only(builder):
    a = builder.person("Noor", phone="+31605557777")
    b = builder.person("Otto", phone="+31605557777")
    c = builder.person("Pim")
    builder.stay(b, "2024-01-01", "2024-01-31", place="Gouda", address="Markt 12")
    builder.stay(c, "2024-01-15", "2024-02-15", place="Gouda", address="Markt 12")
    db = builder.build()
    ids = dict(db.rows("SELECT report_id, person_id FROM person_reports"))
    result = explain_link(db, ids[a], ids[c]).to_dict()
    assert result["linked"] is True and result["hops"] == 2
    assert [step["person_id"] for step in result["path"]] == [ids[a], ids[b], ids[c]]
    kinds = [v.split(":")[0] for step in result["path"] for v in step["via"]]
    assert kinds == ["phone", "address"]
    assert all(len(v.split(":")[1]) == 8 for step in result["path"] for v in step["via"])
    text = json.dumps(result)
    tokens = [t for (t,) in db.rows("SELECT phone_token FROM reports WHERE phone_token "
                                    "IS NOT NULL UNION SELECT address_token FROM locations")]
    assert "0557777" not in text and "Markt" not in text
    assert not any(t in text for t in tokens)


def test_explain_unlinked_and_unknown_persons(builder):
    a, b = builder.person("Quin"), builder.person("Roos")
    db = builder.build()
    ids = dict(db.rows("SELECT report_id, person_id FROM person_reports"))
    result = explain_link(db, ids[a], ids[b]).to_dict()
    assert result["linked"] is False and result["path"] == []
    with pytest.raises(UsageError, match="no person"):
        explain_link(db, ids[a], "Pnobody")


def test_an_empty_store_gives_empty_results_and_no_default_year(db):
    from thbmonitor.patterns import carousel_leads, flag_rates, pattern_summary

    assert carousel_leads(db, 2024).leads == []
    assert find_networks(db).networks == []
    assert flag_rates(db, 2024).suppressed == []
    assert pattern_summary(db, 2024)["carousel_leads"] == 0
    with pytest.raises(UsageError, match="no reports"):
        carousel_leads(db)
