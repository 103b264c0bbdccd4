//! `AccountStore`: users, teams, memberships, second factors and single-use links. Each change
//! writes its access-log entry in the same transaction.

use crate::audit::append_in;
use crate::{SqlStore, sqlite};
use async_trait::async_trait;
use kapstok_domain::account::{Email, Membership, Role, Team, User};
use kapstok_domain::audit::NewEntry;
use kapstok_store::{AccountStore, Credentials, LinkPurpose, NewUser, StoreError, StoreResult};
use sqlx::{Any, Transaction};

/// Uses up a valid link in one statement (two requests with one link cannot both take it).
const TAKE_LINK: &str = "UPDATE sign_in_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
     AND used_at IS NULL AND expires_at > $3 RETURNING user_id";

/// (id, email, name, active, has password, has totp)
type UserRow = (String, String, String, i64, i64, i64);
const USER_SELECT: &str = "SELECT id, email, name, active, \
     CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, \
     CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END FROM users";

fn user_from(r: UserRow, memberships: Vec<Membership>) -> StoreResult<User> {
    Ok(User {
        email: Email::parse(&r.1).ok_or_else(|| StoreError::Corrupt {
            id: r.0.clone(),
            reason: "stored e-mail address is not one".into(),
        })?,
        id: r.0.into(),
        name: r.2,
        active: r.3 != 0,
        has_password: r.4 != 0,
        has_totp: r.5 != 0,
        memberships,
    })
}

fn membership_from((team, role): (String, String)) -> StoreResult<Membership> {
    Ok(Membership {
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            id: team.clone(),
            reason: format!("unknown role {role}"),
        })?,
        team: team.into(),
    })
}

impl SqlStore {
    /// Teams from their rows, with their areas and reasons (of one team, or of all).
    async fn teams_with_service(
        &self,
        rows: Vec<(String, String, Option<String>, i64)>,
        only: Option<&str>,
    ) -> StoreResult<Vec<Team>> {
        use std::collections::HashMap;
        let grouped = |pairs: Vec<(String, String)>| {
            let mut by: HashMap<String, Vec<String>> = HashMap::new();
            for (t, v) in pairs {
                by.entry(t).or_default().push(v);
            }
            by
        };
        type Pairs = Vec<(String, String)>;
        let (areas, reasons): (Pairs, Pairs) = match only {
            Some(id) => (
                sqlx::query_as(
                    "SELECT team_id, area_id FROM team_areas WHERE team_id = $1 ORDER BY area_id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?,
                sqlx::query_as(
                    "SELECT team_id, reason FROM team_reasons WHERE team_id = $1 ORDER BY reason",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?,
            ),
            None => (
                sqlx::query_as("SELECT team_id, area_id FROM team_areas ORDER BY team_id, area_id")
                    .fetch_all(&self.pool)
                    .await?,
                sqlx::query_as("SELECT team_id, reason FROM team_reasons ORDER BY team_id, reason")
                    .fetch_all(&self.pool)
                    .await?,
            ),
        };
        let mut areas = grouped(areas);
        let mut reasons = grouped(reasons);
        Ok(rows
            .into_iter()
            .map(|(id, name, organization_id, whole_map)| Team {
                areas: areas.remove(&id).unwrap_or_default(),
                reasons: reasons.remove(&id).unwrap_or_default(),
                id: id.into(),
                name,
                organization_id,
                whole_map: whole_map != 0,
            })
            .collect())
    }

    async fn memberships_of(&self, user_id: &str) -> StoreResult<Vec<Membership>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT team_id, role FROM memberships WHERE user_id = $1 ORDER BY team_id, role",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(membership_from).collect()
    }

    async fn credentials_where(
        &self,
        column: &str,
        value: &str,
    ) -> StoreResult<Option<Credentials>> {
        type Row = (String, Option<String>, Option<String>, i64, i64, i64);
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, password_hash, totp_secret, totp_last_step, failed_signins, paused_until FROM users WHERE {column} = $1"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(user) = self.user(&row.0).await? else {
            return Ok(None);
        };
        Ok(Some(Credentials {
            user,
            password_hash: row.1,
            totp_secret: row.2,
            totp_last_step: row.3,
            failed_sign_ins: row.4,
            paused_until: row.5,
        }))
    }

    /// Runs `change` and the log entry in one transaction.
    async fn logged_update(
        &self,
        sql: &str,
        binds: &[Bind<'_>],
        log: &NewEntry,
    ) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = execute(&mut tx, sql, binds).await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// A parameter of [`execute`].
pub(crate) enum Bind<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
}

pub(crate) async fn execute(
    tx: &mut Transaction<'static, Any>,
    sql: &str,
    binds: &[Bind<'_>],
) -> StoreResult<u64> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t.to_string()),
            Bind::OptText(t) => q.bind(t.map(str::to_string)),
            Bind::Int(i) => q.bind(*i),
        };
    }
    Ok(q.execute(&mut **tx).await?.rows_affected())
}

async fn insert_memberships(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    memberships: &[Membership],
) -> StoreResult<()> {
    for m in memberships {
        execute(
            tx,
            "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[Bind::Text(user_id), Bind::Text(&m.team), Bind::Text(m.role.code())],
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_team(&self, team: &Team, log: &NewEntry) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let now = self.now_sql();
        // Taken name or id: nothing written (also when another request makes it at once).
        let made = execute(
            &mut tx,
            &format!("INSERT INTO teams (id, name, organization_id, whole_map, created_at) VALUES ($1, $2, $3, $4, {now}) ON CONFLICT DO NOTHING"),
            &[
                Bind::Text(&team.id),
                Bind::Text(&team.name),
                Bind::OptText(team.organization_id.as_deref()),
                Bind::Int(i64::from(team.whole_map)),
            ],
        )
        .await?;
        if made == 0 {
            return Ok(false);
        }
        insert_service(&mut tx, &team.id, &team.areas, &team.reasons).await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn teams(&self) -> StoreResult<Vec<Team>> {
        let rows: Vec<(String, String, Option<String>, i64)> =
            sqlx::query_as("SELECT id, name, organization_id, whole_map FROM teams ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        self.teams_with_service(rows, None).await
    }

    async fn team(&self, id: &str) -> StoreResult<Option<Team>> {
        let rows: Vec<(String, String, Option<String>, i64)> =
            sqlx::query_as("SELECT id, name, organization_id, whole_map FROM teams WHERE id = $1")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(self.teams_with_service(rows, Some(id)).await?.pop())
    }

    async fn role_names(&self) -> StoreResult<Vec<(String, String, String)>> {
        Ok(
            sqlx::query_as("SELECT code, name_nl, name_en FROM roles ORDER BY code")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn update_team(&self, team: &Team, log: &NewEntry) -> StoreResult<()> {
        let (team_id, areas, reasons) = (team.id.as_str(), &team.areas, &team.reasons);
        let mut tx = self.begin().await?;
        execute(
            &mut tx,
            "UPDATE teams SET organization_id = $2, whole_map = $3 WHERE id = $1",
            &[
                Bind::Text(team_id),
                Bind::OptText(team.organization_id.as_deref()),
                Bind::Int(i64::from(team.whole_map)),
            ],
        )
        .await?;
        for table in ["team_areas", "team_reasons"] {
            execute(
                &mut tx,
                &format!("DELETE FROM {table} WHERE team_id = $1"),
                &[Bind::Text(team_id)],
            )
            .await?;
        }
        insert_service(&mut tx, team_id, areas, reasons).await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_user(&self, user: &NewUser, log: &NewEntry) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let now = self.now_sql();
        let made = execute(
            &mut tx,
            &format!("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, {now}) ON CONFLICT DO NOTHING"),
            &[
                Bind::Text(&user.id),
                Bind::Text(user.email.as_str()),
                Bind::Text(&user.name),
                Bind::OptText(user.password_hash.as_deref()),
            ],
        )
        .await?;
        if made == 0 {
            return Ok(false);
        }
        insert_memberships(&mut tx, &user.id, &user.memberships).await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{USER_SELECT} WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let memberships = self.memberships_of(&r.0).await?;
                Ok(Some(user_from(r, memberships)?))
            }
        }
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{USER_SELECT} ORDER BY name, email"
        )))
        .fetch_all(&self.pool)
        .await?;
        let all: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT user_id, team_id, role FROM memberships ORDER BY user_id, team_id, role",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let memberships = all
                    .iter()
                    .filter(|(u, ..)| *u == r.0)
                    .map(|(_, t, role)| membership_from((t.clone(), role.clone())))
                    .collect::<StoreResult<Vec<_>>>()?;
                user_from(r, memberships)
            })
            .collect()
    }

    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        self.credentials_where("email", email.as_str()).await
    }

    async fn credentials_by_id(&self, id: &str) -> StoreResult<Option<Credentials>> {
        self.credentials_where("id", id).await
    }

    async fn sign_in_failed(
        &self,
        id: &str,
        pause_after: i64,
        paused_until: i64,
        log: &NewEntry,
    ) -> StoreResult<()> {
        // One statement: attempts at the same moment all count, and the pause starts with the
        // attempt that reaches the limit.
        self.logged_update(
            "UPDATE users SET failed_signins = failed_signins + 1, \
             paused_until = CASE WHEN failed_signins + 1 >= $2 THEN $3 ELSE paused_until END WHERE id = $1",
            &[Bind::Text(id), Bind::Int(pause_after), Bind::Int(paused_until)],
            log,
        )
        .await?;
        Ok(())
    }

    async fn sign_in_succeeded(
        &self,
        id: &str,
        totp_step: Option<i64>,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let n = match totp_step {
            Some(step) => {
                execute(
                    &mut tx,
                    "UPDATE users SET failed_signins = 0, paused_until = 0, totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2",
                    &[Bind::Text(id), Bind::Int(step)],
                )
                .await?
            }
            None => {
                execute(
                    &mut tx,
                    "UPDATE users SET failed_signins = 0, paused_until = 0 WHERE id = $1",
                    &[Bind::Text(id)],
                )
                .await?
            }
        };
        if n == 0 {
            return Ok(false);
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_password(&self, id: &str, password_hash: &str, log: &NewEntry) -> StoreResult<()> {
        self.logged_update(
            "UPDATE users SET password_hash = $2, failed_signins = 0, paused_until = 0 WHERE id = $1",
            &[Bind::Text(id), Bind::Text(password_hash)],
            log,
        )
        .await?;
        Ok(())
    }

    async fn set_totp(
        &self,
        id: &str,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        log: &NewEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        execute(
            &mut tx,
            "UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1",
            &[Bind::Text(id), Bind::Text(secret), Bind::Int(step)],
        )
        .await?;
        execute(
            &mut tx,
            "DELETE FROM recovery_codes WHERE user_id = $1",
            &[Bind::Text(id)],
        )
        .await?;
        for h in recovery_hashes {
            execute(
                &mut tx,
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
                &[Bind::Text(id), Bind::Text(h)],
            )
            .await?;
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_recovery_code(
        &self,
        id: &str,
        code_hash: &str,
        log: &NewEntry,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let now = self.now_sql();
        let n = execute(
            &mut tx,
            &format!("UPDATE recovery_codes SET used_at = {now} WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL"),
            &[Bind::Text(id), Bind::Text(code_hash)],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        execute(
            &mut tx,
            "UPDATE users SET failed_signins = 0, paused_until = 0 WHERE id = $1",
            &[Bind::Text(id)],
        )
        .await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn unused_recovery_codes(&self, id: &str) -> StoreResult<usize> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as usize)
    }

    async fn set_memberships(
        &self,
        id: &str,
        memberships: &[Membership],
        log: &NewEntry,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        execute(
            &mut tx,
            "DELETE FROM memberships WHERE user_id = $1",
            &[Bind::Text(id)],
        )
        .await?;
        insert_memberships(&mut tx, id, memberships).await?;
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_active(&self, id: &str, active: bool, log: &NewEntry) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        execute(
            &mut tx,
            "UPDATE users SET active = $2 WHERE id = $1",
            &[Bind::Text(id), Bind::Int(i64::from(active))],
        )
        .await?;
        if !active {
            execute(
                &mut tx,
                "DELETE FROM sessions WHERE user_id = $1",
                &[Bind::Text(id)],
            )
            .await?;
        }
        append_in(self.backend, &mut tx, log).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_link(
        &self,
        token_hash: &str,
        user_id: &str,
        purpose: LinkPurpose,
        expires_at: i64,
        log: &NewEntry,
    ) -> StoreResult<()> {
        self.logged_update(
            "INSERT INTO sign_in_links (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
            &[
                Bind::Text(token_hash),
                Bind::Text(user_id),
                Bind::Text(purpose.code()),
                Bind::Int(expires_at),
            ],
            log,
        )
        .await?;
        Ok(())
    }

    async fn link_user(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM sign_in_links WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.code())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn take_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(TAKE_LINK)
            .bind(token_hash)
            .bind(purpose.code())
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn redeem_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
        password_hash: &str,
        log: &NewEntry,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin().await?;
        let user: Option<String> = sqlx::query_scalar(TAKE_LINK)
            .bind(token_hash)
            .bind(purpose.code())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        let u = Bind::Text(&user);
        execute(
            &mut tx,
            "UPDATE users SET password_hash = $2, failed_signins = 0, paused_until = 0 WHERE id = $1 AND active = 1",
            &[Bind::Text(&user), Bind::Text(password_hash)],
        )
        .await?;
        // A new password ends every session and every other link of the account.
        execute(&mut tx, "DELETE FROM sessions WHERE user_id = $1", &[u]).await?;
        execute(
            &mut tx,
            "UPDATE sign_in_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            &[Bind::Text(&user), Bind::Int(now)],
        )
        .await?;
        let mut log = log.clone();
        log.record_id = Some(user.clone());
        log.person = Some(user.clone());
        append_in(self.backend, &mut tx, &log).await?;
        tx.commit().await?;
        Ok(Some(user))
    }
}

impl SqlStore {
    /// The database's "now" as text, in the form `created_at` columns hold.
    pub(crate) fn now_sql(&self) -> &'static str {
        match self.backend {
            crate::Backend::Sqlite => sqlite::NOW,
            crate::Backend::Postgres => crate::postgres::NOW,
        }
    }
}

/// A team's areas and reasons, inserted (the old ones already gone).
async fn insert_service(
    tx: &mut Transaction<'static, Any>,
    team_id: &str,
    areas: &[String],
    reasons: &[String],
) -> StoreResult<()> {
    for area in areas {
        execute(
            tx,
            "INSERT INTO team_areas (team_id, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[Bind::Text(team_id), Bind::Text(area)],
        )
        .await?;
    }
    for reason in reasons {
        execute(
            tx,
            "INSERT INTO team_reasons (team_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[Bind::Text(team_id), Bind::Text(reason)],
        )
        .await?;
    }
    Ok(())
}
