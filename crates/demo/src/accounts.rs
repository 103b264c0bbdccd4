//! The demo's teams and accounts: one account for each role, all with the same published
//! password, so the professional side can be tried at once. Only a demo database gets them.

/// The password of every demo account (shown on the demo's sign-in page).
pub const DEMO_PASSWORD: &str = "mantelzorg-emmen-demo";
/// Demo accounts' addresses end in this domain (the demo's sign-in page shows their codes).
pub const DEMO_DOMAIN: &str = "demo.kapstok.nl";

pub struct DemoTeam {
    pub name: &'static str,
    /// The demo social map's organisation of the team, by name.
    pub organization: Option<&'static str>,
    pub whole_map: bool,
    pub areas: &'static [&'static str],
    /// The referral reasons the team takes (none: it receives no referrals).
    pub reasons: &'static [&'static str],
}

pub const TEAMS: &[DemoTeam] = &[
    DemoTeam {
        name: "Gemeente Emmen",
        organization: None,
        whole_map: false,
        areas: &[],
        reasons: &[],
    },
    DemoTeam {
        name: "Steunpunt Mantelzorg De Kapstok",
        organization: Some("Steunpunt Mantelzorg De Kapstok"),
        whole_map: true,
        areas: &[
            "emmen-noord",
            "emmen-zuid",
            "emmen-centrum-oost",
            "de-monden",
            "de-blokken",
            "de-velden",
        ],
        reasons: &[
            "overbelasting",
            "respijt",
            "informatie-advies",
            "emotionele-steun",
            "werk-zorg",
            "jonge-mantelzorger",
        ],
    },
    DemoTeam {
        name: "Sociaal Wijkteam De Velden",
        organization: Some("Sociaal Wijkteam De Velden"),
        whole_map: false,
        areas: &["de-velden"],
        reasons: &["overbelasting", "praktische-hulp", "financieel"],
    },
    DemoTeam {
        name: "Zorgloket gemeente Emmen",
        organization: Some("Zorgloket gemeente Emmen"),
        whole_map: false,
        areas: &[],
        reasons: &["financieel", "praktische-hulp", "respijt"],
    },
    DemoTeam {
        name: "Huisartsenpraktijk Emmermeer",
        organization: None,
        whole_map: false,
        areas: &["emmen-noord"],
        reasons: &[],
    },
    DemoTeam {
        name: "Vrijwillige Hulpdienst Emmen",
        organization: Some("Vrijwillige Hulpdienst Emmen"),
        whole_map: false,
        areas: &[],
        reasons: &["praktische-hulp", "emotionele-steun"],
    },
];

pub struct DemoAccount {
    /// Before `@demo.kapstok.nl`.
    pub user: &'static str,
    pub name: &'static str,
    /// (team name, role code)
    pub memberships: &'static [(&'static str, &'static str)],
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        user: "beheerder",
        name: "Bea Beheer (demo)",
        memberships: &[("Gemeente Emmen", "beheerder")],
    },
    DemoAccount {
        user: "privacy",
        name: "Fenna Gegevens (demo)",
        memberships: &[("Gemeente Emmen", "privacy")],
    },
    DemoAccount {
        user: "beleid",
        name: "Bert Beleid (demo)",
        memberships: &[("Gemeente Emmen", "beleidsmedewerker")],
    },
    DemoAccount {
        user: "consulent",
        name: "Carla Consulent (demo)",
        memberships: &[
            ("Steunpunt Mantelzorg De Kapstok", "teamlid"),
            ("Steunpunt Mantelzorg De Kapstok", "coordinator"),
        ],
    },
    DemoAccount {
        user: "redactie",
        name: "Ruud Redactie (demo)",
        memberships: &[("Steunpunt Mantelzorg De Kapstok", "redacteur")],
    },
    DemoAccount {
        user: "wijkteam",
        name: "Wim Wijkteam (demo)",
        memberships: &[
            ("Sociaal Wijkteam De Velden", "verwijzer"),
            ("Sociaal Wijkteam De Velden", "teamlid"),
        ],
    },
    DemoAccount {
        user: "poh",
        name: "Petra Praktijkondersteuner (demo)",
        memberships: &[("Huisartsenpraktijk Emmermeer", "verwijzer")],
    },
    DemoAccount {
        user: "vrijwilligers",
        name: "Vera Vrijwilligers (demo)",
        memberships: &[("Vrijwillige Hulpdienst Emmen", "redacteur")],
    },
];

impl DemoAccount {
    pub fn email(&self) -> String {
        format!("{}@{DEMO_DOMAIN}", self.user)
    }
}
