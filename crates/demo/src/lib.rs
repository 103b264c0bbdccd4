#![forbid(unsafe_code)]
//! Demo data: a realistic but entirely fictional social map of Emmen, and Kapstok's standard
//! taxonomies. Every organisation, address, person and phone number is made up.

pub mod accounts;
pub mod activities;
pub mod emmen;
pub mod offers;
pub mod organizations;
pub mod referrals;
pub mod signals;
pub mod synthetic;
pub mod taxonomy;

use kapstok_domain::model::{
    Accessibility, Address, Attribute, Contact, CostOption, Directory, Language, Location,
    Organization, Phone, Schedule, Service, ServiceArea, ServiceAtLocation, ServiceStatus,
};

/// Marks demo records (shown as `kapstok_source`).
pub const DEMO_SOURCE: &str = "Voorbeeldgegevens Kapstok: fictieve organisatie, niet echt bestaand";

const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b61_7073_746f_6b00_0000_0000_0000_0001);

/// Stable UUID for a demo record, so ids survive a rebuild of the demo.
pub fn id(name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'ë' | 'é' | 'è' => out.push('e'),
            'ï' => out.push('i'),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    out.trim_matches('-').to_string()
}

const PEOPLE: &[&str] = &[
    "Anja Mulder",
    "Henk Bruins",
    "Fatma Yilmaz",
    "Gerrit Lanting",
    "Ineke Wubs",
    "Jan Hadders",
    "Marleen Oosting",
    "Sandra Kuipers",
    "Wim Boxem",
    "Yvonne Strijker",
];

/// Fictional numbers: the 000 subscriber block is never issued.
fn phone(n: usize) -> String {
    format!("0591 000 {:03}", n % 1000)
}

fn demo_date(i: usize) -> (String, String) {
    let year = if i.is_multiple_of(4) { 2025 } else { 2026 };
    let month = 1 + (i * 5) % 10;
    let day = 1 + (i * 7) % 28;
    let date = format!("{year}-{month:02}-{day:02}");
    let stamp = format!("{date}T09:{:02}:00Z", i % 60);
    (date, stamp)
}

fn location_for(org_index: usize, org: &organizations::Org) -> Location {
    let (pc4, _, city, lat, lon, _) = *emmen::place(org.place);
    // Spread addresses a little around the postcode centre, deterministically.
    let jitter = |k: usize| ((org_index * 7919 + k * 104_729) % 800) as f64 / 100_000.0 - 0.004;
    let letters = ["AA", "AB", "AC", "BD", "BE", "CG", "CH", "DJ", "EK", "GL"];
    let loc_id = id(&format!("location:{}", org.name));
    Location {
        id: loc_id.clone().into(),
        location_type: "physical".into(),
        organization_id: Some(id(&format!("organization:{}", org.name)).into()),
        name: Some(org.name.to_string()),
        description: None,
        transportation: org_index
            .is_multiple_of(3)
            .then(|| "Bushalte op loopafstand; parkeren voor de deur.".to_string()),
        latitude: Some(((lat + jitter(1)) * 100_000.0).round() / 100_000.0),
        longitude: Some(((lon + jitter(2)) * 100_000.0).round() / 100_000.0),
        addresses: vec![Address {
            id: id(&format!("address:{}", org.name)),
            address_1: org.street.into(),
            address_2: None,
            city: city.into(),
            state_province: "Drenthe".into(),
            postal_code: format!("{pc4} {}", letters[org_index % letters.len()]),
            country: "NL".into(),
            address_type: "physical".into(),
        }],
        phones: Vec::new(),
        schedules: Vec::new(),
        accessibility: if org_index.is_multiple_of(2) {
            vec![Accessibility {
                id: id(&format!("accessibility:{}", org.name)),
                description: Some("Rolstoeltoegankelijk, met invalidentoilet.".into()),
                details: None,
            }]
        } else {
            Vec::new()
        },
        languages: Vec::new(),
    }
}

/// The fictional Emmen social map with the standard taxonomies.
pub fn emmen_directory() -> Directory {
    let (taxonomies, taxonomy_terms) = taxonomy::taxonomies();
    let mut organizations = Vec::new();
    let mut services = Vec::new();
    let mut n = 0usize;
    for (oi, org) in organizations::ORGS.iter().enumerate() {
        let org_id = id(&format!("organization:{}", org.name));
        let org_slug = slug(org.name);
        organizations.push(Organization {
            id: org_id.clone().into(),
            name: org.name.into(),
            description: org.description.into(),
            alternate_name: None,
            email: Some(format!("{org_slug}@example.org")),
            website: Some(format!("https://{org_slug}.example.org")),
            phones: vec![Phone {
                id: id(&format!("phone:{}", org.name)),
                number: phone(100 + oi),
                kind: Some("voice".into()),
                description: None,
            }],
            contacts: Vec::new(),
            kapstok_volunteer: org.kind == "vrijwilligers",
        });
        let location = location_for(oi, org);
        let (_, place_name, city, ..) = *emmen::place(org.place);
        let place_label = if city == "Emmen" && place_name != "Emmen-Centrum" {
            format!("Emmen ({place_name})")
        } else {
            city.to_string()
        };
        for key in org.offers {
            let offer = offers::offer(key);
            let sid = id(&format!("service:{}:{}", org.name, key));
            let fill = |s: &str| {
                s.replace("{plaats}", &place_label)
                    .replace("{org}", org.name)
            };
            let mut tags: Vec<&str> = offer.tags.to_vec();
            if !tags.iter().any(|t| t.starts_with("aanbieder:")) {
                tags.push(match org.kind {
                    "vrijwilligers" => "aanbieder:vrijwilligers",
                    "gemeente" => "aanbieder:gemeente",
                    _ => "aanbieder:professioneel",
                });
            }
            let attributes = tags
                .iter()
                .map(|t| {
                    let (tax, code) = t.split_once(':').expect("tag is taxonomy:code");
                    Attribute {
                        id: id(&format!("attribute:{sid}:{t}")),
                        taxonomy_term_id: taxonomy::term_id(tax, code).into(),
                        link_id: Some(sid.clone()),
                        link_type: Some("service".into()),
                        link_entity: Some("service".into()),
                        value: None,
                    }
                })
                .collect();
            let (assured, modified) = demo_date(n);
            let mut languages = vec![Language {
                id: id(&format!("language:{sid}:nl")),
                name: Some("Nederlands".into()),
                code: Some("nl".into()),
                note: None,
            }];
            if matches!(emmen::place(org.place).5, "de-monden" | "de-blokken")
                && n.is_multiple_of(2)
            {
                languages.push(Language {
                    id: id(&format!("language:{sid}:de")),
                    name: Some("Duits".into()),
                    code: Some("de".into()),
                    note: Some("Een van de medewerkers spreekt Duits.".into()),
                });
            }
            services.push(Service {
                id: sid.clone().into(),
                organization_id: org_id.clone().into(),
                name: fill(offer.name),
                status: ServiceStatus::Active,
                description: fill(offer.description),
                alternate_name: None,
                url: Some(format!("https://{org_slug}.example.org/{}", offer.key)),
                email: Some(format!("{org_slug}@example.org")),
                application_process: Some(offer.apply.into()),
                fees_description: Some(offer.fees.into()),
                eligibility_description: None,
                wait_time: None,
                minimum_age: offer.ages.0,
                maximum_age: offer.ages.1,
                assured_date: Some(assured),
                assurer_email: None,
                alert: None,
                last_modified: Some(modified),
                phones: vec![Phone {
                    id: id(&format!("phone:{sid}")),
                    number: phone(200 + n),
                    kind: Some("voice".into()),
                    description: None,
                }],
                schedules: offer
                    .schedule
                    .map(|(byday, opens, closes, description)| Schedule {
                        id: id(&format!("schedule:{sid}")),
                        freq: Some("WEEKLY".into()),
                        byday: Some(byday.into()),
                        opens_at: Some(opens.into()),
                        closes_at: Some(closes.into()),
                        description: Some(description.into()),
                        valid_from: None,
                        valid_to: None,
                        notes: None,
                    })
                    .into_iter()
                    .collect(),
                service_areas: if offer.at_location {
                    Vec::new()
                } else {
                    vec![ServiceArea {
                        id: id(&format!("service_area:{sid}")),
                        name: Some("Gemeente Emmen".into()),
                        description: Some(
                            "De hele gemeente, bij u thuis, telefonisch of online.".into(),
                        ),
                    }]
                },
                service_at_locations: if offer.at_location {
                    vec![ServiceAtLocation {
                        id: id(&format!("sal:{sid}")),
                        service_id: None,
                        description: None,
                        location: location.clone(),
                    }]
                } else {
                    Vec::new()
                },
                languages,
                cost_options: offer
                    .cost
                    .map(|(amount, per)| CostOption {
                        id: id(&format!("cost:{sid}")),
                        option: Some(per.into()),
                        amount: Some(amount),
                        currency: Some("EUR".into()),
                        amount_description: Some(offer.fees.into()),
                        valid_from: None,
                        valid_to: None,
                    })
                    .into_iter()
                    .collect(),
                contacts: if n.is_multiple_of(3) {
                    vec![Contact {
                        id: id(&format!("contact:{sid}")),
                        name: Some(PEOPLE[n % PEOPLE.len()].into()),
                        title: Some(
                            if org.kind == "vrijwilligers" {
                                "Coördinator vrijwilligers"
                            } else {
                                "Contactpersoon"
                            }
                            .into(),
                        ),
                        department: None,
                        email: None,
                        phones: Vec::new(),
                    }]
                } else {
                    Vec::new()
                },
                attributes,
                kapstok_source: Some(DEMO_SOURCE.into()),
                kapstok_referral: Some(offer.referral.into()),
            });
            n += 1;
        }
    }
    let mut dir = Directory {
        taxonomies,
        taxonomy_terms,
        organizations,
        services,
    };
    dir.normalize();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_is_large_and_covers_every_basic_function_and_area() {
        let dir = emmen_directory();
        assert!(dir.services.len() >= 150, "{} services", dir.services.len());
        assert!(
            dir.organizations.len() >= 60,
            "{} organisations",
            dir.organizations.len()
        );
        let used: HashSet<&str> = dir.services.iter().flat_map(|s| s.term_ids()).collect();
        for code in [
            "informatie",
            "advies-en-begeleiding",
            "emotionele-steun",
            "educatie",
            "praktische-hulp",
            "respijtzorg",
            "financiele-tegemoetkoming",
            "materiele-hulp",
        ] {
            assert!(
                used.contains(taxonomy::term_id("functie", code).as_str()),
                "{code}"
            );
        }
        let areas: HashSet<&str> = organizations::ORGS
            .iter()
            .map(|o| emmen::place(o.place).5)
            .collect();
        assert_eq!(areas.len(), 6);
        let ids: HashSet<&str> = dir.services.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), dir.services.len(), "service ids are unique");
    }
}
