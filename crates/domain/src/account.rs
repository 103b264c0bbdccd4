//! People who sign in: their roles (fixed capabilities, names as data), teams, e-mail addresses
//! and the password rules. The checks of a sign-in itself (hashes, codes, sessions) are the
//! application's; what is decided here needs no I/O.

use crate::ids::{TeamId, UserId};
use std::collections::HashSet;
use std::sync::LazyLock;

/// What someone may do within a team. The set is fixed in code; the names shown are data
/// (the `roles` table) and translations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Signals and refers carers (a practice nurse, a district-team worker).
    Verwijzer,
    /// Receives the referrals of their team.
    Teamlid,
    /// Edits the social map: of their own organisation, or all of it in a whole-map team.
    Redacteur,
    /// Runs activities and follows signals.
    Coordinator,
    /// The municipality: aggregated figures only, never a record about a person.
    Beleidsmedewerker,
    /// Functionaris gegevensbescherming: reads the access log.
    Privacy,
    /// Users, teams and areas.
    Beheerder,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Verwijzer,
        Role::Teamlid,
        Role::Redacteur,
        Role::Coordinator,
        Role::Beleidsmedewerker,
        Role::Privacy,
        Role::Beheerder,
    ];

    /// The code in the database and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Verwijzer => "verwijzer",
            Role::Teamlid => "teamlid",
            Role::Redacteur => "redacteur",
            Role::Coordinator => "coordinator",
            Role::Beleidsmedewerker => "beleidsmedewerker",
            Role::Privacy => "privacy",
            Role::Beheerder => "beheerder",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        let code = code.trim().to_lowercase().replace('ö', "o");
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role shows records about people (referrals, signals, the access log, other
    /// users' accounts). Signing in with such a role needs a second factor (NEN 7510).
    pub fn sees_personal_data(self) -> bool {
        !matches!(self, Role::Redacteur | Role::Beleidsmedewerker)
    }
}

/// A user's role in one team.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Membership {
    pub team: TeamId,
    pub role: Role,
}

/// Someone who signs in, as the application sees them after the sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub active: bool,
    pub memberships: Vec<Membership>,
    /// Whether a password is set (an invited user has none until they accept).
    pub has_password: bool,
    /// Whether two-factor sign-in is set up.
    pub has_totp: bool,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    pub fn in_team(&self, team: &TeamId, role: Role) -> bool {
        self.memberships
            .iter()
            .any(|m| &m.team == team && m.role == role)
    }

    /// Whether signing in needs a second factor: any of the roles sees personal data.
    pub fn needs_second_factor(&self) -> bool {
        self.memberships.iter().any(|m| m.role.sees_personal_data())
    }
}

/// A team of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    /// The social map's organisation the team belongs to, if any.
    pub organization_id: Option<String>,
    /// The carer-support centre: its editors edit the whole map.
    pub whole_map: bool,
    /// The areas (deelgebieden) the team serves, by code.
    pub areas: Vec<String>,
    /// The referral reasons the team takes (codes of the verwijsroute's list); none: it
    /// receives no referrals (a GP practice's team, the municipality's).
    pub reasons: Vec<String>,
}

/// An e-mail address in its comparable form (trimmed, lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// A plausible address: one `@`, a local part, a domain with a dot, no spaces, at most 254
    /// characters. Whether it exists is learned by mailing it.
    pub fn parse(text: &str) -> Option<Email> {
        let text = text.trim().to_lowercase();
        let (local, domain) = text.split_once('@')?;
        let plausible = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@')
            && !text.contains(['<', '>', ',', ';', '"']);
        plausible.then_some(Email(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password accepted (ASVS 5.0 6.2.1), and the longest (hashing stays cheap).
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    IsEmail,
}

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../defaults/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// Whether `password` is among the 10,000 most common (compared in lower case).
pub fn is_common_password(password: &str) -> bool {
    COMMON_PASSWORDS.contains(password.to_lowercase().as_str())
}

/// The rules for a new password: 12 to 256 characters, not one of the 10,000 most common, not
/// the account's own e-mail address. Any characters, spaces included; no composition rules.
pub fn check_new_password(password: &str, email: &Email) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(PasswordProblem::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(PasswordProblem::TooLong)
    } else if password.trim().to_lowercase() == email.as_str() {
        Err(PasswordProblem::IsEmail)
    } else if is_common_password(password) || is_common_password(password.trim()) {
        Err(PasswordProblem::Common)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_codes() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse(" Coördinator "), Some(Role::Coordinator));
        assert_eq!(Role::parse("admin"), None);
        assert!(!Role::Beleidsmedewerker.sees_personal_data());
        assert!(Role::Teamlid.sees_personal_data());
    }

    #[test]
    fn emails_are_compared_in_lower_case_and_nonsense_is_refused() {
        assert_eq!(
            Email::parse("  Anna.de.Vries@Emmen.NL ").unwrap().as_str(),
            "anna.de.vries@emmen.nl"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@emmen.nl",
            "anna@emmen",
            "an na@emmen.nl",
            "anna@@emmen.nl",
            "anna@emmen..nl",
            "<anna@emmen.nl>",
            "a@b.nl,c@d.nl",
        ] {
            assert_eq!(Email::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn passwords_follow_the_rules() {
        let email = Email::parse("anna@emmen.nl").unwrap();
        assert_eq!(
            check_new_password("kort", &email),
            Err(PasswordProblem::TooShort)
        );
        // Counted in characters, not bytes.
        assert_eq!(
            check_new_password("ééééééééééé", &email),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("1qaz2wsx3edc", &email),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new_password("123456QWERTY", &email),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new_password("Anna@Emmen.nl", &email),
            Err(PasswordProblem::IsEmail)
        );
        assert_eq!(
            check_new_password(&"x".repeat(257), &email),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_new_password("paard batterij nietje", &email), Ok(()));
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
    }
}
