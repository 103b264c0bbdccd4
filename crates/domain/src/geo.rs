//! Dutch postcodes, coordinates and areas (deelgebieden).

use crate::model::{Location, Service};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A Dutch postcode: four digits (PC4), optionally followed by two letters (PC6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("empty")]
    Empty,
    #[error("malformed")]
    Malformed,
}

impl Postcode {
    /// Accepts `7811`, `7811AB`, `7811 ab`, `7811-AB` with surrounding spaces.
    /// PostNL never issues 0xxx, nor the letter pairs SA, SD and SS.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        let bytes = compact.as_bytes();
        let digits_ok =
            bytes.len() >= 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[0] != b'0';
        match bytes.len() {
            4 if digits_ok => Ok(Postcode(compact)),
            6 if digits_ok
                && bytes[4..].iter().all(u8::is_ascii_uppercase)
                && !matches!(&compact[4..], "SA" | "SD" | "SS") =>
            {
                Ok(Postcode(compact))
            }
            _ => Err(PostcodeError::Malformed),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn pc4(&self) -> &str {
        &self.0[..4]
    }
    pub fn is_pc6(&self) -> bool {
        self.0.len() == 6
    }
    /// Display form with the customary space: `7811 AB`.
    pub fn display(&self) -> String {
        if self.is_pc6() {
            format!("{} {}", &self.0[..4], &self.0[4..])
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && lat.is_finite()
            && lon.is_finite())
        .then_some(GeoPoint { lat, lon })
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0088;
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = la2 - la1;
        let dlon = (other.lon - self.lon).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
    }
}

/// One row of a postcode table (PC4 or PC6) with its centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostcodeEntry {
    pub postcode: Postcode,
    pub point: GeoPoint,
    pub place: Option<String>,
}

/// A deelgebied of a municipality; which postcodes belong to it is a separate mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Slug used in URLs (`de-velden`).
    pub code: String,
    pub name: String,
    pub municipality: String,
}

/// Postcode (PC4 or PC6) → area code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaPostcode {
    pub postcode: Postcode,
    pub area_code: String,
}

/// The postcode table and the areas of a deployment, for lookups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GeoData {
    postcodes: HashMap<String, PostcodeEntry>,
    pub areas: Vec<Area>,
    area_by_postcode: HashMap<String, String>,
    mapping: Vec<AreaPostcode>,
}

impl GeoData {
    pub fn new(
        postcodes: Vec<PostcodeEntry>,
        areas: Vec<Area>,
        mapping: Vec<AreaPostcode>,
    ) -> Self {
        GeoData {
            postcodes: postcodes
                .into_iter()
                .map(|e| (e.postcode.as_str().to_string(), e))
                .collect(),
            areas,
            area_by_postcode: mapping
                .iter()
                .map(|m| (m.postcode.as_str().to_string(), m.area_code.clone()))
                .collect(),
            mapping,
        }
    }

    pub fn postcode_count(&self) -> usize {
        self.postcodes.len()
    }

    /// The centre of a postcode: the PC6 row when there is one, else its PC4.
    pub fn locate(&self, postcode: &Postcode) -> Option<&PostcodeEntry> {
        self.postcodes
            .get(postcode.as_str())
            .or_else(|| self.postcodes.get(postcode.pc4()))
    }

    /// The area a postcode falls in: a PC6 mapping wins over its PC4.
    pub fn area_of(&self, postcode: &Postcode) -> Option<&Area> {
        let code = self
            .area_by_postcode
            .get(postcode.as_str())
            .or_else(|| self.area_by_postcode.get(postcode.pc4()))?;
        self.areas.iter().find(|a| &a.code == code)
    }

    /// The postcodes mapped to an area, sorted.
    pub fn postcodes_of(&self, area_code: &str) -> Vec<&Postcode> {
        let mut v: Vec<&Postcode> = self
            .mapping
            .iter()
            .filter(|m| m.area_code == area_code)
            .map(|m| &m.postcode)
            .collect();
        v.sort();
        v
    }

    pub fn area(&self, code: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.code == code)
    }
}

/// Where the social map's records lie, by the postcode table and the areas.
impl GeoData {
    /// Coordinates of a location: its own, or its postcode's centre.
    pub fn point_of(&self, location: &Location) -> Option<GeoPoint> {
        if let (Some(lat), Some(lon)) = (location.latitude, location.longitude) {
            return GeoPoint::new(lat, lon);
        }
        let pc = Postcode::parse(location.postal_code()?).ok()?;
        self.locate(&pc).map(|e| e.point)
    }

    /// Area codes a service is offered in: its locations' areas, and service areas named after an
    /// area or after the whole municipality.
    pub fn area_codes_of(&self, service: &Service) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        let mut push = |c: &str| {
            if !codes.iter().any(|x| x == c) {
                codes.push(c.to_string());
            }
        };
        for loc in service.locations() {
            if let Some(area) = loc
                .postal_code()
                .and_then(|p| Postcode::parse(p).ok())
                .and_then(|p| self.area_of(&p))
            {
                push(&area.code);
            }
        }
        for sa in &service.service_areas {
            let Some(name) = sa.name.as_deref() else {
                continue;
            };
            for area in &self.areas {
                if area.name.eq_ignore_ascii_case(name)
                    || area.municipality.eq_ignore_ascii_case(name)
                    || format!("gemeente {}", area.municipality).eq_ignore_ascii_case(name)
                {
                    push(&area.code);
                }
            }
        }
        codes
    }
}

/// A box of latitudes and longitudes that imported coordinates must fall in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl Bounds {
    /// The European Netherlands with a margin of a few kilometres (Wadden islands, Zuid-Limburg,
    /// Zeeuws-Vlaanderen included).
    pub const NETHERLANDS: Bounds = Bounds {
        min_lat: 50.70,
        min_lon: 3.30,
        max_lat: 53.60,
        max_lon: 7.25,
    };

    pub fn contains(&self, p: &GeoPoint) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat)
            && (self.min_lon..=self.max_lon).contains(&p.lon)
    }
}

impl std::fmt::Display for Bounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.min_lat, self.min_lon, self.max_lat, self.max_lon
        )
    }
}

impl std::str::FromStr for Bounds {
    type Err = String;

    /// `min_lat,min_lon,max_lat,max_lon`, e.g. `50.7,3.3,53.6,7.25`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("'{s}' is geen gebied: geef min_lat,min_lon,max_lat,max_lon"))?;
        let [min_lat, min_lon, max_lat, max_lon] = parts[..] else {
            return Err(format!("'{s}' is geen gebied: geef vier getallen"));
        };
        let corners = (
            GeoPoint::new(min_lat, min_lon),
            GeoPoint::new(max_lat, max_lon),
        );
        if corners.0.is_none() || corners.1.is_none() || min_lat >= max_lat || min_lon >= max_lon {
            return Err(format!("'{s}' is geen geldig gebied"));
        }
        Ok(Bounds {
            min_lat,
            min_lon,
            max_lat,
            max_lon,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pc4_and_pc6_in_any_case_and_spacing() {
        assert_eq!(Postcode::parse("7811").unwrap().as_str(), "7811");
        assert_eq!(Postcode::parse("7811ab").unwrap().as_str(), "7811AB");
        assert_eq!(Postcode::parse(" 7811 Ab ").unwrap().as_str(), "7811AB");
        assert_eq!(Postcode::parse("7811-AB").unwrap().display(), "7811 AB");
    }

    #[test]
    fn refuses_malformed_postcodes() {
        for bad in [
            "abcd", "7811 ZZZ", "781", "78111", "0811AB", "7811SS", "7811A", "78 11", "7811ÄB",
        ] {
            if bad == "78 11" {
                // spaces are ignored inside, "78 11" is "7811"
                assert!(Postcode::parse(bad).is_ok());
                continue;
            }
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Malformed), "{bad}");
        }
        assert_eq!(Postcode::parse("  "), Err(PostcodeError::Empty));
    }

    #[test]
    fn distance_between_emmen_and_klazienaveen_is_about_eight_km() {
        let emmen = GeoPoint::new(52.783, 6.895).unwrap();
        let klazienaveen = GeoPoint::new(52.724, 6.988).unwrap();
        let d = emmen.distance_km(&klazienaveen);
        assert!((8.0..10.0).contains(&d), "{d}");
        assert!(GeoPoint::new(91.0, 0.0).is_none());
    }

    #[test]
    fn pc6_mapping_wins_over_pc4() {
        let pc = |s: &str| Postcode::parse(s).unwrap();
        let area = |c: &str| Area {
            code: c.into(),
            name: c.into(),
            municipality: "Emmen".into(),
        };
        let geo = GeoData::new(
            vec![PostcodeEntry {
                postcode: pc("7811"),
                point: GeoPoint::new(52.78, 6.89).unwrap(),
                place: None,
            }],
            vec![area("a"), area("b")],
            vec![
                AreaPostcode {
                    postcode: pc("7811"),
                    area_code: "a".into(),
                },
                AreaPostcode {
                    postcode: pc("7811AB"),
                    area_code: "b".into(),
                },
            ],
        );
        assert_eq!(geo.area_of(&pc("7811AB")).unwrap().code, "b");
        assert_eq!(geo.area_of(&pc("7811AC")).unwrap().code, "a");
        assert!(geo.area_of(&pc("7812")).is_none());
        assert!(
            geo.locate(&pc("7811XY")).is_some(),
            "falls back to the PC4 centre"
        );
        assert!(geo.locate(&pc("7812")).is_none());
    }
}
