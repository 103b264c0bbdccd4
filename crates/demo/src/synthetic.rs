//! A synthetic national social map for benchmarks: the demo's kinds of support, spread over every
//! PC4 area of the Netherlands, with varied Dutch text. Deterministic for a given size.

use crate::offers::OFFERS;
use crate::{id, taxonomy};
use kapstok_domain::geo::{Area, AreaPostcode, GeoPoint, Postcode, PostcodeEntry};
use kapstok_domain::model::{
    Address, Attribute, Directory, Location, Organization, Phone, Service, ServiceAtLocation,
    ServiceStatus,
};

const PLACES: &[&str] = &[
    "Hoogeveen",
    "Zwolle",
    "Deventer",
    "Apeldoorn",
    "Amersfoort",
    "Utrecht",
    "Gouda",
    "Leiden",
    "Haarlem",
    "Alkmaar",
    "Hoorn",
    "Enkhuizen",
    "Lelystad",
    "Almere",
    "Hilversum",
    "Zeist",
    "Veenendaal",
    "Ede",
    "Wageningen",
    "Arnhem",
    "Nijmegen",
    "Tiel",
    "Oss",
    "Den Bosch",
    "Tilburg",
    "Breda",
    "Roosendaal",
    "Bergen op Zoom",
    "Goes",
    "Middelburg",
    "Vlissingen",
    "Terneuzen",
    "Eindhoven",
    "Helmond",
    "Venlo",
    "Roermond",
    "Sittard",
    "Heerlen",
    "Maastricht",
    "Weert",
    "Doetinchem",
    "Winterswijk",
    "Enschede",
    "Hengelo",
    "Almelo",
    "Oldenzaal",
    "Meppel",
    "Assen",
    "Groningen",
    "Delfzijl",
    "Winschoten",
    "Leeuwarden",
    "Sneek",
    "Heerenveen",
    "Drachten",
    "Harlingen",
    "Den Helder",
    "Schagen",
    "Purmerend",
    "Zaandam",
    "Dordrecht",
    "Gorinchem",
];
const KINDS: &[&str] = &[
    "Stichting",
    "Vereniging",
    "Zorggroep",
    "Welzijn",
    "Steunpunt",
    "Buurtzorg",
    "Coöperatie",
    "Netwerk",
];
const NAMES: &[&str] = &[
    "De Linde",
    "Het Anker",
    "De Brug",
    "Samen Verder",
    "De Horst",
    "Het Baken",
    "De Wieken",
    "Zonnehoek",
    "De Esdoorn",
    "Het Veer",
    "De Kern",
    "Noorderlicht",
    "De Schakel",
    "Het Kompas",
    "De Vlinder",
    "Rondom",
    "De Wending",
    "Het Erf",
];
/// Rare words, each in about one service per thousand.
pub const RARE_WORDS: &[&str] = &["zangkoor", "tandemfiets", "moestuinclub", "schaakavond"];

/// A real national directory has tens of thousands of distinct words (organisation, street and
/// place names, free text); the kinds of support above give a few hundred. Made-up Dutch-looking
/// words fill the rest: `word(n)` is a different word for every `n` below 5 million.
const ONSETS: &[&str] = &[
    "b", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "dr", "gr",
    "kl", "kr", "sl", "sp", "st", "tr", "zw", "sch",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "aa", "ee", "oo", "ie", "oe", "ei", "ij", "ou", "eu", "ui",
];
const CODAS: &[&str] = &[
    "", "n", "r", "l", "k", "t", "m", "s", "nd", "rk", "ld", "ng", "rt", "ns",
];
const PLACE_ENDS: &[&str] = &[
    "dorp", "veen", "wolde", "horst", "um", "oord", "hoven", "broek",
];
const STREET_ENDS: &[&str] = &["straat", "laan", "weg", "plein", "dijk", "hof"];

pub fn word(mut n: u64) -> String {
    let mut out = String::new();
    for _ in 0..2 {
        let syllable = (n % (ONSETS.len() * VOWELS.len() * CODAS.len()) as u64) as usize;
        n /= (ONSETS.len() * VOWELS.len() * CODAS.len()) as u64;
        out.push_str(ONSETS[syllable % ONSETS.len()]);
        out.push_str(VOWELS[(syllable / ONSETS.len()) % VOWELS.len()]);
        out.push_str(CODAS[syllable / (ONSETS.len() * VOWELS.len())]);
    }
    out
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A deterministic draw in 0..1 for (i, k) (splitmix64).
fn draw(i: usize, k: u64) -> f64 {
    let mut z =
        (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ k.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Free-text vocabulary: skewed, a few words common and most rare, as in real descriptions.
const FREE_WORDS: f64 = 60_000.0;

fn free_word(i: usize, k: u64) -> String {
    word(100_000 + (FREE_WORDS * draw(i, k).powi(3)) as u64)
}

/// The village of a PC4 area (each has its own).
fn village(pc_index: usize) -> String {
    format!(
        "{}{}",
        capitalised(&word(10_000 + pc_index as u64 * 7)),
        PLACE_ENDS[pc_index % PLACE_ENDS.len()]
    )
}

/// One PC4 row of the national table: postcode, lat, lon.
pub type Pc4 = (String, f64, f64);

pub struct National {
    pub directory: Directory,
    pub postcodes: Vec<PostcodeEntry>,
    pub areas: Vec<Area>,
    pub area_postcodes: Vec<AreaPostcode>,
}

/// `services` services over the given PC4 table (areas: one per first two postcode digits).
pub fn national(services: usize, pc4: &[Pc4]) -> National {
    assert!(!pc4.is_empty(), "the PC4 table is empty");
    let (taxonomies, taxonomy_terms) = taxonomy::taxonomies();
    let org_count = (services / 3).max(1);
    let organizations: Vec<Organization> = (0..org_count)
        .map(|o| {
            let place = PLACES[o % PLACES.len()];
            Organization {
                id: id(&format!("nl:org:{o}")).into(),
                name: format!(
                    "{} {} {}",
                    KINDS[o % KINDS.len()],
                    if o % 4 == 0 {
                        NAMES[(o / KINDS.len()) % NAMES.len()].to_string()
                    } else {
                        capitalised(&word(200_000 + o as u64))
                    },
                    village((o * 7) % pc4.len())
                ),
                description: format!("Organisatie voor zorg en welzijn in {place} en omgeving."),
                alternate_name: None,
                email: None,
                website: None,
                phones: vec![Phone {
                    id: id(&format!("nl:org-phone:{o}")),
                    number: format!("0{:03} 000 {:03}", 100 + o % 900, o % 1000),
                    kind: None,
                    description: None,
                }],
                contacts: Vec::new(),
                kapstok_volunteer: o % 3 == 0,
            }
        })
        .collect();
    let mut out = Vec::with_capacity(services);
    for i in 0..services {
        let offer = &OFFERS[(i * 7 + i / OFFERS.len()) % OFFERS.len()];
        let o = (i * 13) % org_count;
        let org = &organizations[o];
        let pc_index = (i * 31 + o) % pc4.len();
        let (pc, lat, lon) = &pc4[pc_index];
        let village = village(pc_index);
        let sid = id(&format!("nl:service:{i}"));
        let mut description = offer
            .description
            .replace("{plaats}", &village)
            .replace("{org}", &org.name);
        description.push_str(&format!(
            " In {village} werken we samen met {}, {} en {}.",
            capitalised(&free_word(i, 1)),
            free_word(i, 2),
            free_word(i, 3)
        ));
        if i % 997 == 0 {
            description.push_str(&format!(
                " Er is ook een {}.",
                RARE_WORDS[(i / 997) % RARE_WORDS.len()]
            ));
        }
        let attributes = offer
            .tags
            .iter()
            .map(|t| {
                let (tax, code) = t.split_once(':').expect("taxonomy:code");
                Attribute {
                    id: id(&format!("nl:attr:{i}:{t}")),
                    taxonomy_term_id: taxonomy::term_id(tax, code).into(),
                    link_id: None,
                    link_type: None,
                    link_entity: None,
                    value: None,
                }
            })
            .collect();
        let location = Location {
            id: id(&format!("nl:loc:{i}")).into(),
            location_type: "physical".into(),
            organization_id: Some(org.id.clone()),
            name: Some(org.name.clone()),
            description: None,
            transportation: None,
            latitude: Some(lat + ((i % 17) as f64 - 8.0) / 2000.0),
            longitude: Some(lon + ((i % 13) as f64 - 6.0) / 2000.0),
            addresses: vec![Address {
                id: id(&format!("nl:addr:{i}")),
                address_1: format!(
                    "{}{} {}",
                    capitalised(&word(300_000 + (i % 40_000) as u64)),
                    STREET_ENDS[i % STREET_ENDS.len()],
                    1 + i % 200
                ),
                address_2: None,
                city: village.clone(),
                state_province: "Nederland".into(),
                postal_code: pc.clone(),
                country: "NL".into(),
                address_type: "physical".into(),
            }],
            phones: Vec::new(),
            schedules: Vec::new(),
            accessibility: Vec::new(),
            languages: Vec::new(),
        };
        out.push(Service {
            id: sid.clone().into(),
            organization_id: org.id.clone(),
            name: offer
                .name
                .replace("{plaats}", &village)
                .replace("{org}", &org.name),
            status: ServiceStatus::Active,
            description,
            alternate_name: None,
            url: None,
            email: None,
            application_process: Some(offer.apply.into()),
            fees_description: Some(offer.fees.into()),
            eligibility_description: None,
            wait_time: None,
            minimum_age: offer.ages.0,
            maximum_age: offer.ages.1,
            assured_date: Some(format!("2026-{:02}-{:02}", 1 + i % 10, 1 + i % 28)),
            assurer_email: None,
            alert: None,
            last_modified: Some(format!(
                "2026-{:02}-{:02}T10:00:00Z",
                1 + i % 10,
                1 + i % 28
            )),
            phones: Vec::new(),
            schedules: Vec::new(),
            service_areas: Vec::new(),
            service_at_locations: vec![ServiceAtLocation {
                id: id(&format!("nl:sal:{i}")),
                service_id: None,
                description: None,
                location,
            }],
            languages: Vec::new(),
            cost_options: Vec::new(),
            contacts: Vec::new(),
            attributes,
            kapstok_source: Some("Synthetische benchmarkgegevens".into()),
            kapstok_referral: Some(offer.referral.into()),
        });
    }
    let postcodes: Vec<PostcodeEntry> = pc4
        .iter()
        .filter_map(|(pc, lat, lon)| {
            Some(PostcodeEntry {
                postcode: Postcode::parse(pc).ok()?,
                point: GeoPoint::new(*lat, *lon)?,
                place: None,
            })
        })
        .collect();
    let mut areas: Vec<Area> = Vec::new();
    let mut area_postcodes = Vec::new();
    for e in &postcodes {
        let code = format!("regio-{}", &e.postcode.as_str()[..2]);
        if !areas.iter().any(|a| a.code == code) {
            areas.push(Area {
                code: code.clone(),
                name: format!("Regio {}", &e.postcode.as_str()[..2]),
                municipality: "Nederland".into(),
            });
        }
        area_postcodes.push(AreaPostcode {
            postcode: e.postcode.clone(),
            area_code: code,
        });
    }
    let mut directory = Directory {
        taxonomies,
        taxonomy_terms,
        organizations,
        services: out,
    };
    directory.normalize();
    National {
        directory,
        postcodes,
        areas,
        area_postcodes,
    }
}
