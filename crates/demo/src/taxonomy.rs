//! Kapstok's standard taxonomies: the 8 national basic functions of carer support and the
//! tags a steunpunt uses. Shipped as data (an HSDS document part), editable like any other record.

use crate::id;
use kapstok_domain::model::{Taxonomy, TaxonomyRole, TaxonomyTerm};

/// (facet key, name, description, terms as (code, name, description)).
type TaxonomyDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

pub const TAXONOMIES: &[TaxonomyDef] = &[
    (
        "functie",
        "Basisfunctie",
        "De acht landelijke basisfuncties van mantelzorgondersteuning.",
        &[
            (
                "informatie",
                "Informatie",
                "Weten waar je terechtkunt: folders, website, informatiepunt en voorlichting.",
            ),
            (
                "advies-en-begeleiding",
                "Advies en begeleiding",
                "Een gesprek over je situatie en hulp bij het vinden van de juiste ondersteuning.",
            ),
            (
                "emotionele-steun",
                "Emotionele steun",
                "Een luisterend oor, lotgenoten en hulp bij verdriet, zorgen en stress.",
            ),
            (
                "educatie",
                "Educatie",
                "Cursussen en trainingen om de zorg vol te houden en beter te begrijpen.",
            ),
            (
                "praktische-hulp",
                "Praktische hulp",
                "Hulp in en om het huis, vervoer, boodschappen en administratie.",
            ),
            (
                "respijtzorg",
                "Respijtzorg",
                "Even vrij van de zorg: iemand anders neemt de zorg tijdelijk over.",
            ),
            (
                "financiele-tegemoetkoming",
                "Financiële tegemoetkoming",
                "Regelingen en vergoedingen die de kosten van zorg verlichten.",
            ),
            (
                "materiele-hulp",
                "Materiële hulp",
                "Hulpmiddelen, aanpassingen in huis en uitleen van materialen.",
            ),
        ],
    ),
    (
        "doelgroep",
        "Doelgroep",
        "Voor wie het aanbod in het bijzonder bedoeld is.",
        &[
            (
                "alle-mantelzorgers",
                "Alle mantelzorgers",
                "Voor iedere mantelzorger, jong of oud.",
            ),
            (
                "jonge-mantelzorgers",
                "Jonge mantelzorgers",
                "Kinderen en jongeren tot 25 jaar die zorgen voor een ouder, broer, zus of ander familielid.",
            ),
            (
                "werkende-mantelzorgers",
                "Werkende mantelzorgers",
                "Mantelzorgers die werk en zorg combineren.",
            ),
            (
                "mantelzorg-op-afstand",
                "Mantelzorg op afstand",
                "Mantelzorgers die niet in de buurt wonen van wie ze zorgen.",
            ),
            (
                "ouders-kind-beperking",
                "Ouders van een kind met een beperking",
                "Ouders die zorgen voor een kind met een ziekte of beperking.",
            ),
            (
                "oudere-mantelzorgers",
                "Oudere mantelzorgers",
                "Mantelzorgers van 65 jaar en ouder, vaak voor hun partner.",
            ),
        ],
    ),
    (
        "aandoening",
        "Aandoening",
        "De ziekte of beperking van de persoon voor wie gezorgd wordt.",
        &[
            (
                "dementie",
                "Dementie",
                "Alzheimer en andere vormen van dementie.",
            ),
            (
                "ggz",
                "Psychische problemen (GGZ)",
                "Psychische aandoeningen en verslaving.",
            ),
            (
                "nah",
                "Niet-aangeboren hersenletsel (NAH)",
                "Hersenletsel na bijvoorbeeld een beroerte of ongeluk.",
            ),
            (
                "chronische-ziekte",
                "Chronische ziekte",
                "Langdurige ziekten zoals COPD, hartfalen, diabetes of MS.",
            ),
            (
                "palliatief",
                "Palliatief en terminaal",
                "Zorg in de laatste levensfase.",
            ),
            (
                "lichamelijke-beperking",
                "Lichamelijke beperking",
                "Beperkingen in bewegen, zien of horen.",
            ),
            (
                "verstandelijke-beperking",
                "Verstandelijke beperking",
                "Een verstandelijke of meervoudige beperking.",
            ),
        ],
    ),
    (
        "financiering",
        "Kosten en financiering",
        "Wie het aanbod betaalt en hoe je het aanvraagt.",
        &[
            ("gratis", "Gratis", "Kosteloos, vaak door vrijwilligers."),
            (
                "wmo",
                "Wmo (gemeente)",
                "Via de Wet maatschappelijke ondersteuning: aanvragen bij de Wmo-toegang van de gemeente.",
            ),
            (
                "wlz",
                "Wlz (zorgkantoor)",
                "Via de Wet langdurige zorg: met een Wlz-indicatie, geregeld via het zorgkantoor.",
            ),
            (
                "zvw",
                "Zorgverzekeringswet",
                "Vergoed uit het basispakket van de zorgverzekering.",
            ),
            (
                "jeugdwet",
                "Jeugdwet",
                "Voor kinderen en jongeren tot 18 jaar, via de gemeente.",
            ),
            (
                "aanvullende-verzekering",
                "Aanvullende verzekering",
                "Soms vergoed uit een aanvullende zorgverzekering.",
            ),
            (
                "eigen-kosten",
                "Eigen kosten",
                "U betaalt zelf, soms een kleine bijdrage.",
            ),
        ],
    ),
    (
        "aanbieder",
        "Soort aanbieder",
        "Wie het aanbod verzorgt.",
        &[
            (
                "vrijwilligers",
                "Vrijwilligers",
                "Uitgevoerd door getrainde vrijwilligers.",
            ),
            (
                "professioneel",
                "Professioneel",
                "Uitgevoerd door beroepskrachten.",
            ),
            (
                "gemeente",
                "Gemeente",
                "Een voorziening of loket van de gemeente.",
            ),
        ],
    ),
    (
        "respijtvorm",
        "Soort respijtzorg",
        "Hoe de zorg tijdelijk wordt overgenomen.",
        &[
            (
                "thuis-uren",
                "Een paar uur thuis",
                "Iemand komt thuis een paar uur de zorg overnemen.",
            ),
            (
                "dagprogramma",
                "Dagbesteding",
                "Een dag of dagdeel activiteiten buitenshuis.",
            ),
            (
                "logeren",
                "Logeren",
                "De persoon voor wie u zorgt logeert een of meer nachten elders.",
            ),
            (
                "vakantie",
                "Vakantie",
                "Een zorgvakantie of vakantie met zorg.",
            ),
            ("nachtzorg", "Nachtzorg", "Iemand waakt of zorgt 's nachts."),
        ],
    ),
    (
        "thema",
        "Thema",
        "Overige kenmerken van het aanbod.",
        &[
            (
                "lotgenotencontact",
                "Lotgenotencontact",
                "Contact met mensen in dezelfde situatie.",
            ),
            (
                "waardering",
                "Waardering",
                "Blijken van waardering zoals het mantelzorgcompliment.",
            ),
            (
                "clientondersteuning",
                "Cliëntondersteuning",
                "Onafhankelijke hulp bij het aanvragen van zorg en ondersteuning.",
            ),
            (
                "vrijwilligerswerk",
                "Vrijwilligerswerk",
                "Vrijwilligers gezocht of vrijwilligers die helpen.",
            ),
            (
                "wmo-voorziening",
                "Wmo-voorziening",
                "Een voorziening van de gemeente die de mantelzorger ontlast.",
            ),
        ],
    ),
];

pub fn taxonomy_id(key: &str) -> String {
    id(&format!("taxonomy:{key}"))
}

pub fn term_id(key: &str, code: &str) -> String {
    id(&format!("term:{key}:{code}"))
}

pub fn taxonomies() -> (Vec<Taxonomy>, Vec<TaxonomyTerm>) {
    let mut taxonomies = Vec::new();
    let mut terms = Vec::new();
    for (order, (key, name, description, values)) in TAXONOMIES.iter().enumerate() {
        taxonomies.push(Taxonomy {
            id: taxonomy_id(key).into(),
            name: (*name).into(),
            description: (*description).into(),
            uri: None,
            version: Some("2026-11".into()),
            kapstok_facet: Some((*key).into()),
            kapstok_order: Some(order as i64 + 1),
            kapstok_role: match *key {
                "functie" => Some(TaxonomyRole::Function),
                "doelgroep" => Some(TaxonomyRole::TargetGroup),
                "aandoening" => Some(TaxonomyRole::Condition),
                "financiering" => Some(TaxonomyRole::Funding),
                _ => None,
            },
        });
        for (i, (code, term_name, term_description)) in values.iter().enumerate() {
            terms.push(TaxonomyTerm {
                id: term_id(key, code).into(),
                code: Some((*code).into()),
                name: (*term_name).into(),
                description: (*term_description).into(),
                parent_id: None,
                taxonomy_id: Some(taxonomy_id(key).into()),
                language: Some("nl".into()),
                term_uri: None,
                kapstok_order: Some(i as i64 + 1),
            });
        }
    }
    (taxonomies, terms)
}
