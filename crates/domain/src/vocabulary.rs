//! The steunpunt's vocabulary forms: a taxonomy's name and description, and a term's name, code,
//! description and position. Plain rules, no I/O; the word lists are checked by the search's own
//! parser (application layer).

use crate::editing::{Problem, Problems, Typed};
use crate::model::{Taxonomy, TaxonomyTerm};

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const CODE_MAX: usize = 60;

/// A taxonomy's form values.
pub fn taxonomy_values(t: &Taxonomy) -> Vec<(String, String)> {
    vec![
        ("name".into(), t.name.clone()),
        ("description".into(), t.description.clone()),
    ]
}

/// A term's form values.
pub fn term_values(t: &TaxonomyTerm) -> Vec<(String, String)> {
    vec![
        ("name".into(), t.name.clone()),
        ("code".into(), t.code.clone().unwrap_or_default()),
        ("description".into(), t.description.clone()),
        (
            "order".into(),
            t.kapstok_order.map(|o| o.to_string()).unwrap_or_default(),
        ),
    ]
}

fn limited(f: Typed, key: &'static str, max: usize, p: &mut Problems) -> String {
    let v = f.get(key).unwrap_or_default();
    if v.chars().count() > max {
        p.push((key, Problem::TooLong(max)));
    }
    v.to_string()
}

fn required(f: Typed, key: &'static str, max: usize, p: &mut Problems) -> String {
    let v = limited(f, key, max, p);
    if v.is_empty() {
        p.push((key, Problem::Required));
    }
    v
}

/// Whether `code` can stand in an address (`?functie=respijtzorg`): `a-z`, `0-9` and inner
/// hyphens.
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= CODE_MAX
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

/// A code for a name: lower case, accents dropped, other characters as single hyphens
/// (`Financiële regelingen` → `financiele-regelingen`).
pub fn code_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.chars()
        .take(CODE_MAX)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The taxonomy as the form makes it.
pub fn apply_taxonomy_form(base: &Taxonomy, f: Typed) -> Result<Taxonomy, Problems> {
    let mut p = Problems::new();
    let name = required(f, "name", NAME_MAX, &mut p);
    let description = limited(f, "description", DESCRIPTION_MAX, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    Ok(Taxonomy {
        name,
        description,
        ..base.clone()
    })
}

/// The term as the form makes it: `base` when editing, else a new term of `taxonomy_id` with
/// `new_id`. `siblings`: the taxonomy's other terms (for a code used twice). A new term's code is
/// made from its name when left empty; an existing term keeps its code when the field is left
/// empty (the addresses that use it stay valid).
pub fn apply_term_form(
    base: Option<&TaxonomyTerm>,
    taxonomy_id: &str,
    new_id: &str,
    f: Typed,
    siblings: &[TaxonomyTerm],
) -> Result<TaxonomyTerm, Problems> {
    let mut p = Problems::new();
    let name = required(f, "name", NAME_MAX, &mut p);
    let description = limited(f, "description", DESCRIPTION_MAX, &mut p);
    let typed_code = f.get("code");
    let code = match (typed_code, base) {
        (Some(c), _) => Some(c.to_string()),
        (None, Some(b)) => b.code.clone(),
        (None, None) => Some(code_of(&name)).filter(|c| !c.is_empty()),
    };
    if let Some(c) = &code {
        if !is_code(c) {
            p.push(("code", Problem::NotACode));
        } else if siblings
            .iter()
            .any(|s| s.code.as_deref() == Some(c) && Some(&s.id) != base.map(|b| &b.id))
        {
            p.push(("code", Problem::CodeTaken));
        }
    } else if !name.is_empty() {
        p.push(("code", Problem::NotACode));
    }
    let order = match f.get("order") {
        None => None,
        Some(o) => match o.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => Some(n),
            _ => {
                p.push(("order", Problem::NotANumber));
                None
            }
        },
    };
    if !p.is_empty() {
        return Err(p);
    }
    let mut term = base.cloned().unwrap_or_else(|| TaxonomyTerm {
        id: new_id.into(),
        code: None,
        name: String::new(),
        description: String::new(),
        parent_id: None,
        taxonomy_id: Some(taxonomy_id.into()),
        language: Some("nl".into()),
        term_uri: None,
        kapstok_order: None,
    });
    term.name = name;
    term.description = description;
    term.code = code;
    term.kapstok_order = order;
    Ok(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn term(id: &str, code: &str) -> TaxonomyTerm {
        apply_term_form(
            None,
            "tax",
            id,
            Typed(&pairs(&[("name", code), ("code", code)])),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn codes_are_made_from_names_and_checked() {
        assert_eq!(code_of("Financiële regelingen"), "financiele-regelingen");
        assert_eq!(code_of("  Hulp  bij  de  was! "), "hulp-bij-de-was");
        assert_eq!(code_of("???"), "");
        assert!(is_code("respijtzorg-thuis"));
        for bad in ["", "Hoofd", "a b", "-a", "a-", "ä", "a/b"] {
            assert!(!is_code(bad), "{bad}");
        }
    }

    #[test]
    fn a_new_term_gets_its_code_from_its_name_and_a_taken_code_is_refused() {
        let others = [term("t1", "respijtzorg")];
        let new = apply_term_form(
            None,
            "tax",
            "t2",
            Typed(&pairs(&[("name", "Logeeropvang"), ("order", "7")])),
            &others,
        )
        .unwrap();
        assert_eq!(new.code.as_deref(), Some("logeeropvang"));
        assert_eq!(new.taxonomy_id.as_deref(), Some("tax"));
        assert_eq!(new.kapstok_order, Some(7));
        let taken = apply_term_form(
            None,
            "tax",
            "t3",
            Typed(&pairs(&[("name", "Respijtzorg")])),
            &others,
        )
        .unwrap_err();
        assert_eq!(taken, vec![("code", Problem::CodeTaken)]);
        // Its own code is not taken by itself.
        let same = apply_term_form(
            Some(&others[0]),
            "tax",
            "",
            Typed(&pairs(&[("name", "Respijt"), ("code", "respijtzorg")])),
            &others,
        )
        .unwrap();
        assert_eq!(same.name, "Respijt");
    }

    #[test]
    fn mistakes_are_all_reported() {
        let long = "x".repeat(NAME_MAX + 1);
        let p = apply_term_form(
            None,
            "tax",
            "t",
            Typed(&pairs(&[
                ("name", &long),
                ("code", "Met Spatie"),
                ("order", "zeven"),
            ])),
            &[],
        )
        .unwrap_err();
        assert_eq!(
            p,
            vec![
                ("name", Problem::TooLong(NAME_MAX)),
                ("code", Problem::NotACode),
                ("order", Problem::NotANumber)
            ]
        );
        let empty = apply_term_form(None, "tax", "t", Typed(&[]), &[]).unwrap_err();
        assert_eq!(empty, vec![("name", Problem::Required)]);
        let base = Taxonomy {
            id: "tax".into(),
            name: "Functie".into(),
            description: String::new(),
            uri: None,
            version: None,
            kapstok_facet: Some("functie".into()),
            kapstok_order: Some(1),
            kapstok_role: None,
        };
        assert_eq!(
            apply_taxonomy_form(&base, Typed(&pairs(&[("name", " ")]))).unwrap_err(),
            vec![("name", Problem::Required)]
        );
        let renamed =
            apply_taxonomy_form(&base, Typed(&pairs(&[("name", "Basisfunctie")]))).unwrap();
        assert_eq!(
            renamed.kapstok_facet.as_deref(),
            Some("functie"),
            "the facet key stays"
        );
    }
}
