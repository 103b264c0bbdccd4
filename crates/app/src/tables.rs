//! Reading postcode tables (PC4 or PC6 with coordinates) and area mappings from CSV.
//! All-or-nothing: every bad row is reported with its line number and nothing is returned.

use kapstok_domain::geo::{Area, AreaPostcode, Bounds, GeoPoint, Postcode, PostcodeEntry};

/// One problem in a CSV file, with its 1-based line number.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "regel {}: {}", self.line, self.message)
    }
}

fn header_row(reader: &mut csv::Reader<&[u8]>) -> Result<csv::StringRecord, Vec<RowProblem>> {
    reader.headers().cloned().map_err(|e| {
        vec![RowProblem {
            line: 1,
            message: format!("geen leesbare kopregel: {e}"),
        }]
    })
}

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        names.iter().any(|n| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(n)
        })
    })
}

/// Reads a table with a postcode column (`pc6`, `pc4` or `postcode`), `lat` and `lon`, and
/// optionally a place (`woonplaats` or `place`) and a number of addresses (`addresses`), in the
/// format of `shared/geo/*.csv`. Coordinates must lie inside `bounds`.
pub fn parse_postcodes(text: &str, bounds: &Bounds) -> Result<Vec<PostcodeEntry>, Vec<RowProblem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = header_row(&mut reader)?;
    let pc = column(&headers, &["pc6", "pc4", "postcode"]);
    let lat = column(&headers, &["lat", "latitude"]);
    let lon = column(&headers, &["lon", "lng", "longitude"]);
    let place = column(&headers, &["woonplaats", "place", "plaats"]);
    let addresses = column(&headers, &["addresses", "adressen"]);
    let (Some(pc), Some(lat), Some(lon)) = (pc, lat, lon) else {
        return Err(vec![RowProblem {
            line: 1,
            message: "de kopregel moet de kolommen pc4 of pc6, lat en lon hebben (zoals pc6,woonplaats,addresses,lat,lon)".into(),
        }]);
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(RowProblem {
                    line,
                    message: format!("onleesbare regel: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let postcode = match Postcode::parse(field(pc)) {
            Ok(p) => p,
            Err(_) => {
                problems.push(RowProblem {
                    line,
                    message: format!("'{}' is geen geldige postcode (1234 of 1234 AB)", field(pc)),
                });
                continue;
            }
        };
        let point = match (field(lat).parse::<f64>(), field(lon).parse::<f64>()) {
            (Ok(a), Ok(b)) => GeoPoint::new(a, b),
            _ => None,
        };
        let Some(point) = point else {
            problems.push(RowProblem {
                line,
                message: format!("ongeldige coördinaten '{}', '{}'", field(lat), field(lon)),
            });
            continue;
        };
        if !bounds.contains(&point) {
            problems.push(RowProblem {
                line,
                message: format!(
                    "coördinaten {}, {} liggen niet in Nederland (breedte {} tot {}, lengte {} tot {}); klopt de volgorde lat,lon? Een ander gebied geeft u op met --bounds",
                    field(lat),
                    field(lon),
                    bounds.min_lat,
                    bounds.max_lat,
                    bounds.min_lon,
                    bounds.max_lon
                ),
            });
            continue;
        }
        if let Some(i) = addresses
            && !field(i).is_empty()
            && field(i).parse::<u32>().is_err()
        {
            problems.push(RowProblem {
                line,
                message: format!("aantal adressen '{}' is geen geheel getal", field(i)),
            });
            continue;
        }
        if !seen.insert(postcode.clone()) {
            problems.push(RowProblem {
                line,
                message: format!(
                    "postcode {} staat twee keer in het bestand",
                    postcode.display()
                ),
            });
            continue;
        }
        let place = place
            .map(|i| field(i).to_string())
            .filter(|p| !p.is_empty());
        rows.push(PostcodeEntry {
            postcode,
            point,
            place,
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(RowProblem {
            line: 2,
            message: "het bestand bevat geen postcodes".into(),
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Reads `area_code,area_name,municipality,postcode` rows: each postcode (PC4 or PC6) belongs to
/// one area; an area is listed once per postcode.
pub fn parse_areas(text: &str) -> Result<(Vec<Area>, Vec<AreaPostcode>), Vec<RowProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = header_row(&mut reader)?;
    let cols =
        ["area_code", "area_name", "municipality", "postcode"].map(|n| column(&headers, &[n]));
    let [Some(code), Some(name), Some(municipality), Some(pc)] = cols else {
        return Err(vec![RowProblem {
            line: 1,
            message: "de kopregel moet area_code,area_name,municipality,postcode zijn".into(),
        }]);
    };
    let mut areas: Vec<Area> = Vec::new();
    let mut mapping: Vec<AreaPostcode> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(RowProblem {
                    line: e.position().map_or(0, |p| p.line()),
                    message: format!("onleesbare regel: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let f = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let area = Area {
            code: f(code),
            name: f(name),
            municipality: f(municipality),
        };
        if area.code.is_empty() || area.name.is_empty() || area.municipality.is_empty() {
            problems.push(RowProblem {
                line,
                message: "area_code, area_name en municipality zijn verplicht".into(),
            });
            continue;
        }
        match areas.iter().find(|a| a.code == area.code) {
            Some(existing) if *existing != area => {
                problems.push(RowProblem {
                    line,
                    message: format!(
                        "gebied {} heeft hier een andere naam of gemeente",
                        area.code
                    ),
                });
                continue;
            }
            Some(_) => {}
            None => areas.push(area.clone()),
        }
        let Ok(postcode) = Postcode::parse(&f(pc)) else {
            problems.push(RowProblem {
                line,
                message: format!("'{}' is geen geldige postcode", f(pc)),
            });
            continue;
        };
        if mapping.iter().any(|m| m.postcode == postcode) {
            problems.push(RowProblem {
                line,
                message: format!("postcode {} hoort al bij een gebied", postcode.display()),
            });
            continue;
        }
        mapping.push(AreaPostcode {
            postcode,
            area_code: area.code,
        });
    }
    if problems.is_empty() {
        Ok((areas, mapping))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_shared_formats() {
        let pc6 = parse_postcodes(
            "pc6,woonplaats,addresses,lat,lon\n7761AA,Schoonebeek,18,52.65761,6.89721\n",
            &Bounds::NETHERLANDS,
        )
        .unwrap();
        assert_eq!(pc6[0].postcode.as_str(), "7761AA");
        assert_eq!(pc6[0].place.as_deref(), Some("Schoonebeek"));
        let pc4 =
            parse_postcodes("pc4,lat,lon\n1011,52.37101,4.90413\n", &Bounds::NETHERLANDS).unwrap();
        assert_eq!(pc4[0].postcode.as_str(), "1011");
    }

    #[test]
    fn reports_every_bad_row_with_its_line() {
        let err = parse_postcodes(
            "pc4,lat,lon\nabcd,52.1,6.1\n7811,95,6.1\n7812,52.1,6.1\n7812,52.1,6.1\n",
            &Bounds::NETHERLANDS,
        )
        .unwrap_err();
        let lines: Vec<u64> = err.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert!(err[0].message.contains("abcd"));
        assert!(parse_postcodes("a,b\n1,2\n", &Bounds::NETHERLANDS).is_err());
    }

    #[test]
    fn reads_area_mappings() {
        let (areas, map) = parse_areas("area_code,area_name,municipality,postcode\nnoord,Noord,Emmen,7814\nnoord,Noord,Emmen,7815\n").unwrap();
        assert_eq!(areas.len(), 1);
        assert_eq!(map.len(), 2);
        let err = parse_areas("area_code,area_name,municipality,postcode\nnoord,Noord,Emmen,7814\nzuid,Zuid,Emmen,7814\n").unwrap_err();
        assert_eq!(err[0].line, 3);
    }
}

/// The areas (deelgebieden) as a beheerder keeps them: postcode → area, from CSV.
pub struct AreaAdmin {
    geo: std::sync::Arc<dyn kapstok_store::GeoStore>,
}

/// Why an areas file is not taken; nothing changed.
#[derive(Debug, Clone, PartialEq)]
pub enum AreasProblem {
    Rows(Vec<RowProblem>),
    /// The file has no areas: taking it would wipe all of them.
    Empty,
}

impl AreaAdmin {
    pub fn grant(
        store: std::sync::Arc<dyn kapstok_store::Store>,
        actor: &crate::Actor,
    ) -> Option<AreaAdmin> {
        actor
            .membership(kapstok_domain::account::Role::Beheerder)
            .map(|_| AreaAdmin { geo: store })
    }

    /// The areas with how many postcodes each has.
    pub async fn areas(&self) -> crate::AppResult<Vec<(Area, usize)>> {
        let geo = self.geo.geo_data().await?;
        let mut out: Vec<(Area, usize)> = geo
            .areas
            .iter()
            .map(|a| (a.clone(), geo.postcodes_of(&a.code).len()))
            .collect();
        out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(out)
    }

    /// Replaces all areas with those of a CSV text (`area_code,area_name,municipality,postcode`).
    pub async fn replace_from_csv(
        &self,
        text: &str,
    ) -> crate::AppResult<Result<(usize, usize), AreasProblem>> {
        let (areas, mapping) = match parse_areas(text) {
            Ok(parsed) => parsed,
            Err(rows) => return Ok(Err(AreasProblem::Rows(rows))),
        };
        if areas.is_empty() {
            return Ok(Err(AreasProblem::Empty));
        }
        self.geo.replace_areas(&areas, &mapping).await?;
        Ok(Ok((areas.len(), mapping.len())))
    }
}
