//! Emmen (GM0114): approximate PC4 centres and a plausible, unconfirmed six-area split.
//! Shipped as editable demo data; nothing in the code depends on it.

use kapstok_domain::geo::{Area, AreaPostcode, GeoPoint, Postcode, PostcodeEntry};

pub const MUNICIPALITY: &str = "Emmen";

/// (PC4, neighbourhood or village, place name for addresses, lat, lon, area code)
pub const PC4: &[(&str, &str, &str, f64, f64, &str)] = &[
    (
        "7761",
        "Schoonebeek",
        "Schoonebeek",
        52.665,
        6.883,
        "de-velden",
    ),
    ("7764", "Zandpol", "Zandpol", 52.694, 6.864, "de-velden"),
    ("7765", "Weiteveen", "Weiteveen", 52.672, 6.989, "de-velden"),
    (
        "7766",
        "Nieuw-Schoonebeek",
        "Nieuw-Schoonebeek",
        52.648,
        6.989,
        "de-velden",
    ),
    (
        "7811",
        "Emmen-Centrum",
        "Emmen",
        52.783,
        6.895,
        "emmen-centrum-oost",
    ),
    ("7812", "Bargeres", "Emmen", 52.764, 6.886, "emmen-zuid"),
    ("7813", "Delftlanden", "Emmen", 52.756, 6.863, "emmen-zuid"),
    ("7814", "Westenesch", "Emmen", 52.801, 6.898, "emmen-noord"),
    ("7815", "Emmermeer", "Emmen", 52.798, 6.894, "emmen-noord"),
    (
        "7821",
        "Bargermeer",
        "Emmen",
        52.771,
        6.909,
        "emmen-centrum-oost",
    ),
    ("7822", "Emmen-Noord", "Emmen", 52.791, 6.904, "emmen-noord"),
    ("7823", "Emmerhout", "Emmen", 52.792, 6.939, "emmen-noord"),
    ("7824", "Angelslo", "Emmen", 52.781, 6.930, "emmen-noord"),
    (
        "7825",
        "Emmen-Oost",
        "Emmen",
        52.752,
        6.940,
        "emmen-centrum-oost",
    ),
    (
        "7826",
        "Barger-Oosterveld",
        "Emmen",
        52.771,
        6.959,
        "emmen-centrum-oost",
    ),
    ("7827", "Rietlanden", "Emmen", 52.748, 6.890, "emmen-zuid"),
    ("7828", "Parc Sandur", "Emmen", 52.733, 6.907, "emmen-zuid"),
    (
        "7831",
        "Nieuw-Weerdinge",
        "Nieuw-Weerdinge",
        52.853,
        6.980,
        "de-monden",
    ),
    (
        "7833",
        "Nieuw-Amsterdam",
        "Nieuw-Amsterdam",
        52.712,
        6.860,
        "de-velden",
    ),
    ("7844", "Veenoord", "Veenoord", 52.711, 6.848, "de-velden"),
    (
        "7881",
        "Emmer-Compascuum",
        "Emmer-Compascuum",
        52.809,
        7.034,
        "de-monden",
    ),
    (
        "7884",
        "Barger-Compascuum",
        "Barger-Compascuum",
        52.755,
        7.044,
        "de-monden",
    ),
    (
        "7885",
        "Nieuw-Dordrecht",
        "Nieuw-Dordrecht",
        52.746,
        6.963,
        "de-blokken",
    ),
    ("7887", "Erica", "Erica", 52.707, 6.930, "de-velden"),
    (
        "7889",
        "Klazienaveen-Noord",
        "Klazienaveen",
        52.766,
        7.002,
        "de-blokken",
    ),
    (
        "7891",
        "Klazienaveen",
        "Klazienaveen",
        52.724,
        6.988,
        "de-blokken",
    ),
    (
        "7892",
        "Klazienaveen",
        "Klazienaveen",
        52.732,
        6.970,
        "de-blokken",
    ),
    (
        "7894",
        "Zwartemeer",
        "Zwartemeer",
        52.719,
        7.042,
        "de-blokken",
    ),
    ("7895", "Roswinkel", "Roswinkel", 52.840, 7.031, "de-monden"),
];

pub const AREAS: &[(&str, &str)] = &[
    ("emmen-noord", "Emmen-Noord"),
    ("emmen-zuid", "Emmen-Zuid"),
    ("emmen-centrum-oost", "Emmen-Centrum/Oost"),
    ("de-monden", "De Monden"),
    ("de-blokken", "De Blokken"),
    ("de-velden", "De Velden"),
];

pub fn areas() -> Vec<Area> {
    AREAS
        .iter()
        .map(|(code, name)| Area {
            code: (*code).into(),
            name: (*name).into(),
            municipality: MUNICIPALITY.into(),
        })
        .collect()
}

pub fn area_postcodes() -> Vec<AreaPostcode> {
    PC4.iter()
        .map(|(pc, .., area)| AreaPostcode {
            postcode: Postcode::parse(pc).expect("valid PC4"),
            area_code: (*area).into(),
        })
        .collect()
}

pub fn postcodes() -> Vec<PostcodeEntry> {
    PC4.iter()
        .map(|(pc, _, place, lat, lon, _)| PostcodeEntry {
            postcode: Postcode::parse(pc).expect("valid PC4"),
            point: GeoPoint::new(*lat, *lon).expect("valid coordinate"),
            place: Some((*place).into()),
        })
        .collect()
}

/// The row of a neighbourhood or village by its name.
pub fn place(
    name: &str,
) -> &'static (
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
) {
    PC4.iter()
        .find(|p| p.1 == name)
        .unwrap_or_else(|| panic!("unknown demo place {name}"))
}
